"""Benchmark: extract one large Focus department from the sandbox and print the figures.

    .venv/bin/python bench/focus_extract.py --invoices 100000

Prints seeding time, extraction wall time, documents per second, API calls by
endpoint and peak memory of the extracting process (documents are streamed,
so memory should stay flat as the department grows). Targets live here, not
in timed unit tests.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.domain import Document, Party  # noqa: E402
from connectors.focus.auth import FocusOAuth  # noqa: E402
from connectors.focus.client import FocusClient  # noqa: E402
from connectors.focus.extract import extract  # noqa: E402
from connectors.oauth import MemoryTokenStore, TokenManager  # noqa: E402
from sandbox.runner import DEMO_REDIRECT_URI, start_sandbox  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="focus-bench-") as tmp:
        started = time.monotonic()
        with start_sandbox("focus", invoices=args.invoices, db_path=Path(tmp) / "focus.db",
                           startup_timeout=900) as sandbox:
            seeded = time.monotonic() - started
            sandbox.configure(rate_limit=1_000_000)  # measure our cost, not Focus's limit
            department = max(sandbox.manifest()["departments"], key=lambda d: d["counts"]["sales_invoice"])
            http = httpx.Client(timeout=60)
            store = MemoryTokenStore()
            oauth = FocusOAuth(http, sandbox.base_url, "sandbox", "sandbox")
            store.save(oauth.exchange_code(sandbox.authorization_code(), redirect_uri=DEMO_REDIRECT_URI))
            client = FocusClient(sandbox.base_url, TokenManager(oauth, store), http=http)
            sandbox.clear_requests()

            tracemalloc.start()
            started = time.monotonic()
            kinds: Counter[str] = Counter()
            parties = 0
            for record in extract(client, department["id"]):
                if isinstance(record, Document):
                    kinds[record.kind.value] += 1
                elif isinstance(record, Party):
                    parties += 1
            elapsed = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            documents = sum(kinds.values())

    print(f"department           {department['name']} ({args.invoices} invoices seeded)")
    print(f"seed + start         {seeded:8.1f} s")
    print(f"extract              {elapsed:8.1f} s   {documents / elapsed:8.0f} documents/s")
    print(f"documents            {documents:8d}   {dict(kinds)}")
    print(f"parties              {parties:8d}")
    print(f"API calls            {sum(client.calls.values()):8d}   {dict(client.calls)}")
    print(f"peak Python heap     {peak / 2**20:8.1f} MiB (tracemalloc, during extraction)")
    print(f"max RSS              {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
