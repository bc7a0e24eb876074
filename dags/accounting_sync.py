"""One Airflow accounting sync DAG per connected Focus entity, and a manual DAG that syncs them all.

The entities come from the snapshot written by `focus-connector integrations …`
(see connectors.entities); the tasks are plain functions in connectors.sync.run.
"""

from connectors.orchestration import register

register(globals())
