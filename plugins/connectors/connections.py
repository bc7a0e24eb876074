"""Credentials of the external services, as Airflow Connections.

Inside Airflow the connection comes from Airflow (UI, secrets backend or
``AIRFLOW_CONN_*``); outside it (CLI, tests) an ``AIRFLOW_CONN_<ID>`` variable
in Airflow's JSON form is read directly, so one configuration serves both.
Passwords never appear in ``repr`` or messages.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

#: Connection id of the Teamleader Focus account (one per installation).
FOCUS_CONN_ID = os.environ.get("CONNECTOR_FOCUS_CONN_ID", "focus_default")


@dataclass(frozen=True)
class ConnectionInfo:
    conn_id: str
    host: str
    login: str = ""
    password: str = field(default="", repr=False)
    extra: dict[str, Any] = field(default_factory=dict)
    port: int | None = None


class ConnectionMissing(LookupError):
    pass


def get_connection(conn_id: str) -> ConnectionInfo:
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if raw and raw.lstrip().startswith("{"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConnectionMissing(f"AIRFLOW_CONN_{conn_id.upper()} is not valid JSON (line {exc.lineno}, column "
                                    f"{exc.colno}); see the README section 'Connecting real accounts' for its form") from None
        extra = data.get("extra") or {}
        return ConnectionInfo(conn_id, data.get("host") or "", data.get("login") or "", data.get("password") or "",
                              json.loads(extra) if isinstance(extra, str) else extra,
                              int(data["port"]) if data.get("port") else None)
    try:
        from airflow.sdk import BaseHook
    except ImportError:  # pragma: no cover - Airflow is a dependency, but keep the message clear
        raise ConnectionMissing(f"Connection {conn_id!r} is not defined (set AIRFLOW_CONN_{conn_id.upper()})") from None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:  # noqa: BLE001 - Airflow raises different types per backend
        raise ConnectionMissing(
            f"Airflow connection {conn_id!r} is not defined ({type(exc).__name__}): add it in the Airflow UI (Admin → "
            f"Connections), with `airflow connections add {conn_id} …`, or as the environment variable "
            f"AIRFLOW_CONN_{conn_id.upper()} (README: Connecting real accounts)") from None
    return ConnectionInfo(conn_id, conn.host or "", conn.login or "", conn.password or "", conn.extra_dejson,
                          conn.port)


def connection_json(host: str, login: str, password: str, conn_type: str = "http", **extra: Any) -> str:
    """The ``AIRFLOW_CONN_*`` JSON form (what the demo and tests export)."""
    return json.dumps({"conn_type": conn_type, "host": host, "login": login, "password": password, "extra": extra})
