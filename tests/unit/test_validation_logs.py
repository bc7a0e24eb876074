"""A validation task log carries the connector's own lines, not Great Expectations' chatter.

GX logs "Skipping registering function …" at INFO some 200 times when it is first imported, so that part is
checked in a fresh interpreter (in this one another test may have imported GX already); its set-up lines,
logged at every validation, are checked here with caplog.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from connectors.validation import Validator
from tests.unit.test_validation import MASTER, PARTIES, SETTINGS, invoice, item

REPO = Path(__file__).resolve().parents[2]
GX_NOISE = "Skipping registering function"
OWN_LINE = "validation suites ready: 10 checks per document, 7 per line (4 ledger accounts, 3 VAT codes and 2 journals"

FRESH_VALIDATION = textwrap.dedent("""
    import json, logging, sys
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append({"logger": record.name, "level": record.levelname, "message": record.getMessage()})

    logging.basicConfig(level=logging.INFO, handlers=[Keep()])
    assert "great_expectations" not in sys.modules
    from connectors.validation import Validator
    from tests.unit.test_validation import MASTER, PARTIES, SETTINGS, invoice, item

    issues = list(Validator(SETTINGS, MASTER, "Exact Online").validate([invoice(item(ledger="999999"))], PARTIES))
    assert [i.code for i in issues] == ["unknown_ledger_account"], issues
    print(json.dumps(records))
""")


def test_a_first_validation_in_a_fresh_process_logs_no_gx_registration_noise():
    result = subprocess.run([sys.executable, "-c", FRESH_VALIDATION], cwd=REPO, capture_output=True, text=True,
                            env={"PYTHONPATH": f"{REPO / 'plugins'}:{REPO}", "PATH": "/usr/bin:/bin"}, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    records = json.loads(result.stdout.strip().splitlines()[-1])
    assert not [r for r in records if GX_NOISE in r["message"]]
    assert not [r for r in records if r["logger"].startswith("great_expectations") and r["level"] == "INFO"]
    assert any(r["logger"] == "connectors.validation" and r["message"].startswith(OWN_LINE) for r in records)


def test_each_validation_logs_its_own_line_and_no_gx_set_up_chatter(caplog):
    caplog.set_level(logging.INFO)
    issues = list(Validator(SETTINGS, MASTER, "Exact Online").validate([invoice(item(ledger="999999"))], PARTIES))
    assert [i.code for i in issues] == ["unknown_ledger_account"]
    assert [r for r in caplog.records if r.name.startswith("great_expectations") and r.levelno < logging.WARNING] == []
    assert any(r.name == "connectors.validation" and r.getMessage().startswith(OWN_LINE) for r in caplog.records)
