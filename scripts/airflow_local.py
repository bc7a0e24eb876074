"""``make airflow``: Airflow standalone against the local sandboxes, for watching and triggering the DAGs.

Starts the Focus and Exact Online sandboxes, sets up the demo integrations
through the CLI (automatic nightly sync on for demo_be), and runs
``airflow standalone`` with the same environment. Open http://127.0.0.1:8080
and log in as ``admin`` with the password Airflow prints at start-up (also in
``.sandbox/airflow-world/airflow/simple_auth_manager_passwords.json.generated``).
Ctrl-C stops Airflow and the sandboxes. State is kept under ``.sandbox/airflow-world``
until ``make clean``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.world import demo_world  # noqa: E402

HOME = ROOT / ".sandbox" / "airflow-world"


def local_airflow_env(base: dict[str, str], cpus: int | None, port: str = "8080") -> dict[str, str]:
    """Airflow standalone for one person on this machine: loopback only, sized for its cores.

    Without these Airflow listens on 0.0.0.0 and starts 32 LocalExecutor workers whatever the machine.
    """
    cores = max(1, cpus or 1)
    return {
        **base,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": port,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(2 * cores),
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": str(max(1, cores // 2)),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
    }


def main() -> int:
    if HOME.exists():
        shutil.rmtree(HOME)  # the sandboxes start on new ports each time: start from a clean world
    with demo_world(HOME) as world:
        for output in world.setup_demo_integrations():
            print(output.strip())
        print(world.cli("integrations", "edit", "demo_be", "--auto-sync").stdout.strip())
        print("demo_be syncs nightly (02:00 Europe/Brussels); the other entities run when you trigger them "
              "(DAG page → Trigger). Every entity DAG starts unpaused.")
        env = local_airflow_env(world.env, os.cpu_count(), os.environ.get("AIRFLOW_PORT", "8080"))
        print(f"\nFocus sandbox: {world.focus.base_url}  Tool sandboxes: "
              f"{', '.join(f'{name} {s.base_url}' for name, s in world.tools.items())}")
        print("Starting Airflow: http://127.0.0.1:8080 (user admin, password printed below). Ctrl-C to stop.\n")
        airflow = Path(sys.executable).with_name("airflow")
        try:
            return subprocess.call([str(airflow), "standalone"], env=env, cwd=ROOT)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
