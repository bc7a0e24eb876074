"""The offline-export scene of ``make demo``: one department's files for desktop accounting packages.

Sets up the export settings of the Focus sandbox's third department (Focus Demo Services BV) through the CLI,
then runs the ``offline_export`` DAG twice with Airflow — UBL/Peppol, then the generic CSV, same period — and
shows where the files are, what was charged, and that the second export of the period is free. The files stay
in ``exports/`` at the repository root (git-ignored) after the demo ends.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from sqlalchemy import create_engine, select

from connectors.state.export_models import Export, ExportFile
from sandbox.world import World

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "exports"
ENTITY = "demo_services"
#: Focus Demo Services BV invoices only businesses in the second half of 2025 (Peppol can address them all).
PERIOD = ("2025-07-01", "2025-12-31")
SETTINGS = ["--ledger-by-rate", "0.21=700000", "--ledger-by-rate", "0.12=700000", "--ledger-by-rate", "0.06=700000",
            "--ledger-by-rate", "0=700000", "--fill-lines-by-rate", "--discount-account", "708000",
            "--invoice-journal", "VF1", "--credit-note-journal", "VC1"]


def run(world: World) -> list[str]:
    """Set up, export twice through the DAG, and describe what happened (one line per fact)."""
    shutil.rmtree(EXPORTS / ENTITY, ignore_errors=True)
    world.env["CONNECTOR_EXPORTS_URL"] = str(EXPORTS)
    world.env["CONNECTOR_EXPORT_ENTITIES_FILE"] = str(world.home / "export_entities.json")
    department = world.focus.manifest()["departments"][2]
    setup = world.cli("exports", "setup", ENTITY, "--department", department["name"], *SETTINGS, check=False)
    lines = [f"  $ focus-connector exports setup {ENTITY} --department '{department['name']}' …"]
    lines += ["  " + line for line in (setup.stdout or setup.stderr).strip().splitlines()]
    for package in ("ubl", "csv"):
        started = time.monotonic()
        conf = {"entity": ENTITY, "period_from": PERIOD[0], "period_to": PERIOD[1], "package": package,
                "approve_automatically": True}
        result = world.airflow("dags", "test", "offline_export", "-c", json.dumps(conf))
        lines.append(f"Ran DAG offline_export ({package}, {PERIOD[0]} to {PERIOD[1]}, approved automatically) in "
                     f"{time.monotonic() - started:.0f}s: {'green' if result.returncode == 0 else 'red'}")
        lines += describe_last(world)
    return lines


def describe_last(world: World) -> list[str]:
    engine = create_engine(world.env["CONNECTOR_STATE_URL"])
    try:
        with engine.connect() as connection:
            export = connection.execute(select(Export).order_by(Export.id.desc())).first()
            files = connection.execute(select(ExportFile).where(ExportFile.export_id == export.id)
                                       .order_by(ExportFile.name)).all() if export else []
    finally:
        engine.dispose()
    if export is None:
        return ["  no export was recorded"]
    if export.status != "published":
        return [f"  export #{export.id}: {export.status} — {export.error or ''}"]
    location = Path(export.location.removeprefix("file://"))
    shown = location.relative_to(ROOT) if location.is_relative_to(ROOT) else location
    free = export.invoice_count - export.charged_invoices
    lines = [f"  export #{export.id}: {export.document_count} document(s), {export.customer_count} customer(s), "
             f"files in {shown}/:"]
    lines += [f"    {f.name}  ({f.size} bytes)" for f in files]
    lines.append(f"  charged {export.charge} EUR for {export.charged_invoices} invoice(s) exported for the first time; "
                 f"{free} invoice(s) re-exported for free" + (" — a second export of the same period is free"
                                                                if export.charged_invoices == 0 and free else ""))
    return lines
