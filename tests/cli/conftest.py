"""A fresh installation for the command line: an empty state database path, no snapshot, the Focus sandbox.

``run_cli(*argv)`` runs ``focus-connector`` in this process and returns (exit code, stdout, stderr);
``run_binary(*argv)`` runs the installed console script, for what only a real process shows.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from connectors.cli import main
from sandbox.runner import DEMO_REDIRECT_URI, RunningSandbox


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def _conn(host: str, **extra: str) -> str:
    import json

    return json.dumps({"conn_type": "http", "host": host, "login": "sandbox", "password": "sandbox",
                       "extra": {"redirect_uri": DEMO_REDIRECT_URI, **extra}})


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a machine where nothing was set up yet (no tables, no snapshot, no tokens)."""
    env = {
        "CONNECTOR_STATE_URL": f"sqlite:///{tmp_path / 'state' / 'connector.db'}",
        "CONNECTOR_ENTITIES_FILE": str(tmp_path / "entities.json"),
        "CONNECTOR_FERNET_KEY": Fernet.generate_key().decode(),
    }
    for name in list(os.environ):
        if name.startswith(("AIRFLOW_CONN_", "CONNECTOR_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def with_focus(install: dict[str, str], focus: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    """The Focus sandbox as connection ``focus_default`` (not consented yet)."""
    monkeypatch.setenv("AIRFLOW_CONN_FOCUS_DEFAULT", _conn(focus.base_url))
    install["AIRFLOW_CONN_FOCUS_DEFAULT"] = _conn(focus.base_url)
    return focus


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*argv: str) -> CliResult:
        capsys.readouterr()
        root = logging.getLogger()
        handlers = list(root.handlers)
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own exits
            code = exc.code if isinstance(exc.code, int) else 1
        finally:  # main() configures logging for its process; this process runs many commands
            for handler in root.handlers[:]:
                if handler not in handlers:
                    root.removeHandler(handler)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def run_binary(install: dict[str, str]) -> Callable[..., CliResult]:
    def run(*argv: str, extra_env: dict[str, str] | None = None) -> CliResult:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "CONNECTOR_"))},
               **install, **(extra_env or {})}
        done = subprocess.run([str(Path(sys.executable).with_name("focus-connector")), *argv], env=env,
                              text=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
