"""Nothing Focus returns is lost: a document the connector cannot read waits in the ledger with its fix, keeps
the run red, is read again by id every run, and books once fixed — or a person excludes it, on record.

These rules live in the pipeline, not in a tool, so one tool (Exact Online) serves; both databases.
"""

from __future__ import annotations

import pytest

from connectors.cli import main as cli
from connectors.state.models import DocumentState
from tests.contract.oracle import ref
from tests.contract.test_target_contract import booked, errors_by_document, sync
from tests.contract.tools import ExactOnlineHarness
from tests.sandbox.support import Api


@pytest.fixture
def tool():
    return ExactOnlineHarness()


@pytest.fixture
def focus(start_focus_sandbox):
    """A Focus of this test's own: the tests corrupt and repair documents."""
    return start_focus_sandbox(invoices=30)


def sales_invoices(focus, department_id: str, count: int) -> list[dict]:
    api = Api(focus)
    items = api.all("invoices.list", {"filter": {"department_id": department_id, "status": ["outstanding", "matched"]}})
    chosen = [api.data("invoices.info", {"id": item["id"]}) for item in items if item["invoice_date"] >= "2025-01-01"]
    return chosen[:count]


def test_a_document_focus_cannot_map_waits_in_the_ledger_keeps_the_run_red_and_books_once_fixed(
        entity_env, focus, monkeypatch):
    """Finding: a document Focus could not map never entered the ledger; the watermark moved past it, the next
    run was green, and its error was purged after 7 days."""
    [invoice] = sales_invoices(focus, entity_env.entity.department_id, 1)
    tax_id = invoice["grouped_lines"][0]["line_items"][0]["tax"]["id"]
    focus.patch_document("invoice", invoice["id"], {"grouped_lines.0.line_items.0.tax.id": "deleted-tax-rate"})
    label = f"Invoice {invoice['invoice_number']}"

    first, _, failure = sync(entity_env)
    assert failure is not None
    assert errors_by_document(entity_env, first)[invoice["id"]] == (
        f"{label}, line 1: its tax rate (deleted-tax-rate) is not a tax rate of this department; pick one of the "
        "department's tax rates on the line in Focus")
    [waiting] = entity_env.ledger.unmappable()
    assert waiting.focus_id == invoice["id"] and len(booked(entity_env)) >= 20

    entity_env.runs.purge(days=0)  # the run log forgets; the ledger does not
    assert [e.focus_id for e in entity_env.ledger.open_problems() if e.focus_id == invoice["id"]] == [invoice["id"]]
    second, _, failure = sync(entity_env)  # not updated in Focus: the incremental read skips it, the re-read not
    assert failure is not None and invoice["id"] in errors_by_document(entity_env, second)

    # Fixed in Focus without touching the invoice's own updated_at (say, the tax rate was restored).
    focus.patch_document("invoice", invoice["id"], {"grouped_lines.0.line_items.0.tax.id": tax_id,
                                                   "updated_at": invoice["updated_at"]})
    third, _, _ = sync(entity_env)
    assert invoice["id"] not in errors_by_document(entity_env, third)
    assert f"FC-I-{invoice['id']}" in booked(entity_env)


def test_bad_values_from_focus_stop_only_their_own_document(entity_env, focus):
    """Finding: an invoice dated 2025-02-30, a line amount "100,00" or a Peppol document_date 2025-02-30 crashed
    the extraction, so nothing of the department was booked (0 of 15)."""
    dated, priced = sales_invoices(focus, entity_env.entity.department_id, 2)
    api = Api(focus)
    [expense] = [e for e in api.all("expenses.list", {"filter": {"department_ids": [entity_env.entity.department_id],
                                                                  "review_statuses": ["approved"]}})
                 if (e.get("origin") or {}).get("type") == "peppolIncomingDocument"][:1]
    focus.patch_document("invoice", dated["id"], {"invoice_date": "2025-02-30"})
    focus.patch_document("invoice", priced["id"], {"grouped_lines.0.line_items.0.total.tax_exclusive.amount": "100,00"})
    focus.patch_document("expense", expense["source"]["id"], {"document_date": "2025-02-30"})

    run_id, counts, _ = sync(entity_env)
    errors = errors_by_document(entity_env, run_id)
    assert errors[dated["id"]] == (f"Invoice {dated['invoice_number']}: invoice_date '2025-02-30' is not a valid "
                                   "date (YYYY-MM-DD); correct it in Focus")
    assert errors[priced["id"]] == (f"Invoice {priced['invoice_number']}, line 1: total.tax_exclusive '100,00' is "
                                    "not a number; correct it in Focus")
    assert errors[expense["source"]["id"]].startswith(f"Incoming invoice {expense['document_number']}: "
                                                      "document_date '2025-02-30' is not a valid date")
    assert {e.focus_id for e in entity_env.ledger.unmappable()} == {dated["id"], priced["id"],
                                                                    expense["source"]["id"]}
    assert counts.get("documents_booked", 0) >= 20  # the others proceed


def test_a_person_excludes_a_waiting_document_from_the_command_line_on_record(entity_env, focus, capsys,
                                                                             monkeypatch):
    [invoice] = sales_invoices(focus, entity_env.entity.department_id, 1)
    focus.patch_document("invoice", invoice["id"], {"invoice_date": "2025-02-30"})
    sync(entity_env)
    monkeypatch.setenv("CONNECTOR_STATE_URL", entity_env.engine.url.render_as_string(hide_password=False))

    assert cli(["documents", "exclude", entity_env.entity.entity, invoice["invoice_number"],
                "--reason", "booked by hand in Exact", "--by", "An Accountant"]) == 0
    assert "excluded; it is never booked" in capsys.readouterr().out
    [entry] = [e for e in entity_env.ledger.entries(DocumentState.EXCLUDED)]
    assert entry.focus_id == invoice["id"]

    run_id, _, _ = sync(entity_env)
    assert invoice["id"] not in errors_by_document(entity_env, run_id)
    assert cli(["documents", "problems", entity_env.entity.entity]) == 0
    assert invoice["invoice_number"] not in capsys.readouterr().out


def test_a_peppol_document_no_longer_approved_in_focus_is_not_booked(entity_env, focus):
    """Review finding: a pending purchase document Focus stopped listing as approved was still booked."""
    api = Api(focus)
    [expense] = [e for e in api.all("expenses.list", {"filter": {"department_ids": [entity_env.entity.department_id],
                                                                  "review_statuses": ["approved"]}})
                 if (e.get("origin") or {}).get("type") == "peppolIncomingDocument"][:1]
    sync(entity_env, dry_run=True)  # read and validated, not booked yet
    focus.patch_document("expense", expense["source"]["id"], {"review_status": "refused"})

    sync(entity_env)
    [entry] = [e for e in entity_env.ledger.entries(DocumentState.EXCLUDED) if e.focus_id == expense["source"]["id"]]
    assert entry.state is DocumentState.EXCLUDED
    assert ref(expense["source"]["type"], expense["source"]["id"]) not in booked(entity_env)
