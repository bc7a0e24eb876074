"""``make airflow`` listens on loopback only and sizes Airflow for the machine it runs on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "airflow_local.py"


def load():
    spec = importlib.util.spec_from_file_location("airflow_local", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_api_server_binds_loopback_only():
    env = load().local_airflow_env({}, 2)
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"


def test_a_two_core_machine_gets_a_handful_of_workers_not_32():
    env = load().local_airflow_env({}, 2)
    assert env["AIRFLOW__CORE__PARALLELISM"] == "4"
    assert env["AIRFLOW__API__WORKERS"] == "1"


def test_the_world_settings_are_kept():
    env = load().local_airflow_env({"CONNECTOR_STATE_URL": "sqlite:///x.db"}, 8)
    assert env["CONNECTOR_STATE_URL"] == "sqlite:///x.db" and env["AIRFLOW__CORE__PARALLELISM"] == "16"
