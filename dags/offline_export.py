"""The offline export Airflow DAG: files for desktop accounting packages, charged once per invoice.

Departments come from the snapshot `focus-connector exports setup` writes (see connectors.exports.settings);
the tasks are plain functions in connectors.exports.job.
"""

from connectors.exports.dag import offline_export_dag

dag = offline_export_dag()
