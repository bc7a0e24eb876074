"""The list of entities the DAG files build DAGs for: a JSON snapshot, not a database query.

DAG parsing must stay cheap and never touch an external system, so the setup
CLI writes this file whenever an integration is added, edited or deleted,
and the DAG file only reads it (``CONNECTOR_ENTITIES_FILE``, by default
``include/entities.json`` next to the DAG folder).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "include" / "entities.json"


def entities_file() -> Path:
    return Path(os.environ.get("CONNECTOR_ENTITIES_FILE", str(DEFAULT_FILE)))


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


def read_entities(path: Path | None = None) -> list[EntitySpec]:
    path = path or entities_file()
    try:
        rows = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    return sorted((EntitySpec(**row) for row in rows), key=lambda spec: spec.entity)


def write_entities(specs: list[EntitySpec], path: Path | None = None) -> None:
    path = path or entities_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(s) for s in sorted(specs, key=lambda s: s.entity)], indent=2) + "\n")
    tmp.replace(path)
