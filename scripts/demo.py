"""``make demo``: start the Focus sandbox with demo data and extract every department.

It connects exactly as an operator would (OAuth consent, code exchange, token
file), extracts each department through the production client, prints counts
per department and document kind, and checks them against what the sandbox
says it seeded. Everything runs on free loopback ports and is cleaned up.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.cli import COUNT_COLUMNS, count_records, format_table  # noqa: E402
from connectors.focus import streams  # noqa: E402
from connectors.focus.connection import FocusSettings, build_client, oauth_for  # noqa: E402
from connectors.focus.extract import extract  # noqa: E402
from connectors.oauth import FileTokenStore  # noqa: E402
from sandbox.runner import RunningSandbox, start_sandbox  # noqa: E402

MANIFEST_COLUMNS = ("sales_invoice", "sales_credit_note", "purchase_invoice", "purchase_credit_note",
                    "customers", "suppliers")


def connect(settings: FocusSettings, sandbox: RunningSandbox) -> None:
    """The OAuth consent step (the sandbox consents at once, so no browser), then the code exchange."""
    code = sandbox.authorization_code(settings.client_id, settings.redirect_uri)
    token = oauth_for(settings).exchange_code(code, redirect_uri=settings.redirect_uri)
    FileTokenStore(settings.token_file).save(token)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=30, help="invoices in the BE department (default 30)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="focus-demo-") as tmp:
        print(f"Starting the Teamleader Focus sandbox with {args.invoices} invoices in the BE department ...")
        with start_sandbox("focus", invoices=args.invoices, db_path=Path(tmp) / "focus.db") as sandbox:
            settings = FocusSettings(
                api_url=sandbox.base_url,
                auth_url=sandbox.base_url,
                client_id="sandbox",
                client_secret="sandbox",
                token_file=Path(tmp) / "focus-token.json",
            )
            connect(settings, sandbox)
            print(f"Connected to {sandbox.base_url} through OAuth (authorization code grant).\n")
            seeded = {d["id"]: d for d in sandbox.manifest()["departments"]}

            rows, mismatches = [], []
            started = time.monotonic()
            with build_client(settings) as client:
                for department in streams.departments(client):
                    counts = count_records(extract(client, department["id"]))
                    rows.append((department["name"], counts))
                    expected = seeded[department["id"]]["counts"]
                    for column in MANIFEST_COLUMNS:
                        if counts.get(column, 0) != expected.get(column, 0):
                            mismatches.append(f"{department['name']}: {column} extracted "
                                              f"{counts.get(column, 0)}, seeded {expected.get(column, 0)}")
                calls = sum(client.calls.values())
            elapsed = time.monotonic() - started

            print(format_table(rows, COUNT_COLUMNS))
            print(f"\n{calls} Focus API calls in {elapsed:.1f}s.")
            issues = sum(c.get("issues", 0) for _, c in rows)
            if issues:
                print(f"{issues} document(s) could not be mapped (see `focus-connector focus extract --format jsonl`).")
            if mismatches:
                print("\nMISMATCH with what the sandbox seeded:\n  " + "\n  ".join(mismatches))
                return 1
            print("Every count equals what the sandbox seeded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
