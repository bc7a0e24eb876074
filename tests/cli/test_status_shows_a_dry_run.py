"""`integrations status` shows what the last dry run would have booked, not only its count."""

from __future__ import annotations

from connectors import integrations
from connectors.cli.common import state_engine
from connectors.state.runs import RunLog


def test_the_status_lists_what_the_last_dry_run_would_book(install, run_cli):
    engine = state_engine()
    integrations.add(engine, "acme_be", department_id="dept-1", target="exact_online",
                     settings=integrations.Settings(department_name="Acme BE"))
    runs = RunLog(engine)
    run_id = runs.start("acme_be", None, "manual__dry", True)
    runs.set_would_book(run_id, [
        {"reference": "FC-I-1", "number": "2026 / 17", "kind": "sales_invoice", "date": "2026-03-02",
         "party": "Peeters NV", "amount": "1210.00", "currency": "EUR", "journal": "70"},
        {"reference": "FC-I-2", "number": "2026 / 18", "kind": "sales_invoice", "date": "2026-03-03",
         "party": "Janssens BV", "amount": "99.99", "currency": "EUR", "journal": "70"},
    ])
    result = run_cli("integrations", "status", "acme_be", "--limit", "1")
    assert result.code == 0, result.err
    assert f"Dry run #{run_id} would book 2 document(s):" in result.out
    assert "  - 2026 / 17 · Peeters NV · 1210.00 EUR · journal 70" in result.out
    assert "(and 1 more: --limit 2)" in result.out
