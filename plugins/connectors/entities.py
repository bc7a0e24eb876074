"""The list of entities the DAG files build DAGs for: a JSON snapshot, not a database query.

DAG parsing must stay cheap and never touch an external system, so the setup
CLI writes this file whenever an integration is added, edited or deleted,
and the DAG file only reads it (``CONNECTOR_ENTITIES_FILE``, by default
``include/entities.json`` next to the DAG folder).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

log = logging.getLogger(__name__)
#: How people name each accounting tool (DAG names, CLI messages).
TOOL_NAMES = {"exact_online": "Exact Online", "octopus": "Octopus", "yuki": "Yuki", "twinfield": "Twinfield"}
#: The source tree's include/ (a checkout or an editable install); an installed package has none.
SOURCE_INCLUDE = Path(__file__).resolve().parents[2] / "include"


def include_dir() -> Path:
    """``CONNECTOR_INCLUDE_DIR``; else the checkout's include/; else ``$AIRFLOW_HOME/include`` (installed package)."""
    configured = os.environ.get("CONNECTOR_INCLUDE_DIR")
    if configured:
        return Path(configured)
    if SOURCE_INCLUDE.is_dir():
        return SOURCE_INCLUDE
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow")) / "include"


def snapshot_file(variable: str, name: str) -> Path:
    """The file a DAG snapshot lives in: ``$variable`` when set, else ``name`` in the include folder."""
    configured = os.environ.get(variable)
    return Path(configured) if configured else include_dir() / name


def entities_file() -> Path:
    """``CONNECTOR_ENTITIES_FILE``, or ``entities.json`` in the include folder: the CLI and the DAG file agree."""
    return snapshot_file("CONNECTOR_ENTITIES_FILE", "entities.json")


@dataclass(frozen=True)
class EntitySpec:
    entity: str
    department_name: str
    target: str
    country: str | None
    status: str
    auto_sync: bool
    schedule: str
    timezone: str
    #: When automatic sync was switched on (ISO, UTC): the first nightly run is the next one after it.
    auto_sync_since: str | None = None


def read_entities(path: Path | None = None) -> list[EntitySpec]:
    """The entities of the snapshot; a row that cannot be read is skipped with an error naming it."""
    path = path or entities_file()
    try:
        rows = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    except (OSError, json.JSONDecodeError) as exc:
        log.error("The entities snapshot %s cannot be read (%s): no entity DAGs. Rewrite it with "
                  "`focus-connector integrations list` after fixing or deleting the file.", path, exc)
        return []
    known = {f.name for f in fields(EntitySpec)}
    specs = []
    for row in rows if isinstance(rows, list) else []:
        try:
            specs.append(EntitySpec(**{k: v for k, v in row.items() if k in known}))
        except (TypeError, AttributeError) as exc:
            name = row.get("entity") if isinstance(row, dict) else None
            log.error("Entity %r in %s is incomplete (%s): its DAG is skipped; `focus-connector integrations edit "
                      "%s …` rewrites it", name, path, exc, name or "ENTITY")
    return sorted(specs, key=lambda spec: spec.entity)


def with_auto_sync_since(specs: list[EntitySpec], previous: list[EntitySpec], now: dt.datetime) -> list[EntitySpec]:
    """Keep when each entity's automatic sync was switched on; stamp ``now`` where it just was."""
    since = {p.entity: p.auto_sync_since for p in previous if p.auto_sync}
    out = []
    for spec in specs:
        stamp = (since.get(spec.entity) or now.astimezone(dt.UTC).isoformat(timespec="seconds")) if spec.auto_sync \
            else None
        out.append(EntitySpec(**{**asdict(spec), "auto_sync_since": stamp}))
    return out


def write_entities(specs: list[EntitySpec], path: Path | None = None) -> None:
    path = path or entities_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(s) for s in sorted(specs, key=lambda s: s.entity)], indent=2) + "\n")
    tmp.replace(path)
