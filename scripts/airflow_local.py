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


def main() -> int:
    if HOME.exists():
        shutil.rmtree(HOME)  # the sandboxes start on new ports each time: start from a clean world
    with demo_world(HOME) as world:
        for output in world.setup_demo_integrations():
            print(output.strip())
        print(world.cli("integrations", "edit", "demo_be", "--auto-sync").stdout.strip())
        env = {**world.env, "AIRFLOW__API__PORT": os.environ.get("AIRFLOW_PORT", "8080"),
               "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin"}
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
