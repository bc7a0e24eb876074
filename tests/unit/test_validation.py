"""GX validation of documents against mappings and the tool's master data."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from connectors.domain import Document, DocumentKind, Line, LineKind, Party, PartyRef, VatAmount
from connectors.mappings import MappingSettings
from connectors.targets.base import AccountInfo, BookYear, JournalInfo, MasterData, VatCodeInfo
from connectors.validation import Validator

D = Decimal
CUSTOMER = PartyRef("company", "co-1")
MASTER = MasterData(
    ledger_accounts={c: AccountInfo(c, c) for c in ("700000", "701000", "708000", "600000")},
    vat_codes={"1": VatCodeInfo("1", "21%", D("0.21"), "sales"), "3": VatCodeInfo("3", "6%", D("0.06"), "sales"),
               "81": VatCodeInfo("81", "21%", D("0.21"), "purchase")},
    journals={"70": JournalInfo("70", "Sales", frozenset({DocumentKind.SALES_INVOICE})),
              "60": JournalInfo("60", "Purchases", frozenset({DocumentKind.PURCHASE_INVOICE}))},
    closed_periods=((dt.date(2024, 1, 1), dt.date(2024, 12, 31)),),
)
SETTINGS = MappingSettings(
    start_date=dt.date(2025, 1, 1),
    journals={"sales_invoice": "70", "purchase_invoice": "60"},
    vat_links={("sales", "tr-21"): "1", ("sales", "tr-6"): "3", ("purchase", "S:21"): "81"},
    ledger_by_rate={("purchase", "0.21"): "600000"},
    sales_discount_account="708000",
)


def invoice(*lines: Line, number="2026 / 17", date=dt.date(2026, 3, 1), total=None, kind=DocumentKind.SALES_INVOICE,
            source_type="invoice") -> Document:
    excl = sum((ln.amount for ln in lines), D("0.00"))
    vat = sum(((ln.amount * ln.tax_rate).quantize(D("0.01")) for ln in lines), D("0.00"))
    return Document(
        source_id=f"id-{number}", source_type=source_type, kind=kind, department_id="dept", number=number,
        date=date, party=CUSTOMER, currency="EUR", lines=lines,
        vat=(VatAmount(D("0.21"), excl, vat),), total_excl=excl, total_vat=vat,
        total_incl=total if total is not None else excl + vat,
    )


def item(n=1, amount="100.00", ledger="700000", tax_rate_id="tr-21", rate="0.21", **kw) -> Line:
    return Line(number=n, description="x", amount=D(amount), tax_rate=D(rate), tax_rate_id=tax_rate_id,
                ledger_account=ledger, **kw)


PARTIES = {CUSTOMER: Party(CUSTOMER, "Acme NV", vat_number="BE0477472701")}


@pytest.fixture(scope="module")
def validator():
    return Validator(SETTINGS, MASTER, "Exact Online")


def messages(validator, *docs, parties=PARTIES):
    return [i.message for i in validator.validate(docs, parties)]


def test_a_clean_document_has_no_issues(validator):
    assert messages(validator, invoice(item())) == []


def test_tax_rate_without_vat_code_names_document_line_and_fix(validator):
    [message] = messages(validator, invoice(item(), item(2, tax_rate_id="tr-12", rate="0.12")))
    assert message.startswith("Invoice 2026 / 17, line 2: tax rate 12% has no VAT code linked")


def test_line_without_ledger_account_points_at_the_product_category(validator):
    [message] = messages(validator, invoice(item(ledger=None, product_category_id="cat-9")))
    assert "line 1: the line has no ledger account; link product category cat-9" in message


def test_ledger_account_unknown_in_the_tool_is_refused(validator):
    [message] = messages(validator, invoice(item(ledger="709999")))
    assert "ledger account 709999 does not exist in Exact Online" in message


def test_lines_without_ledger_take_the_vat_rate_account_when_the_toggle_is_on():
    settings = replace(SETTINGS, fill_ledger_by_vat_rate=True, ledger_by_rate={("sales", "0.21"): "701000"})
    assert messages(Validator(settings, MASTER, "Exact Online"), invoice(item(ledger=None))) == []


def test_discount_without_discount_account_is_refused():
    settings = replace(SETTINGS, sales_discount_account=None)
    doc = invoice(item(), Line(2, "Commercial discount", D("-10.00"), D("0.21"), kind=LineKind.DISCOUNT,
                               tax_rate_id="tr-21"))
    [message] = messages(Validator(settings, MASTER, "Exact Online"), doc)
    assert "the commercial discount has no ledger account" in message


def test_missing_journal_for_a_kind_present(validator):
    doc = invoice(item(), kind=DocumentKind.SALES_CREDIT_NOTE, source_type="creditNote", number="2026/3")
    [message] = messages(validator, doc)
    assert message == "Credit note 2026/3: no journal is set for sales credit notes; choose one in the integration"


def test_unbalanced_document_is_refused(validator):
    [message] = messages(validator, invoice(item(), total=D("125.00")))
    assert "plus VAT differ from the total 125.00 by more than a cent" in message


def test_document_before_start_date_is_refused(validator):
    issues = messages(validator, invoice(item(), date=dt.date(2024, 12, 31)))
    assert any("before the integration's start date 2025-01-01" in m for m in issues)
    assert any("in a period that is closed" in m for m in issues)


def test_invalid_party_vat_number_is_refused(validator):
    parties = {CUSTOMER: Party(CUSTOMER, "Acme NV", vat_number="BE0999999999")}
    [message] = messages(validator, invoice(item()), parties=parties)
    assert message == ("Invoice 2026 / 17: the VAT number BE0999999999 of Acme NV is not valid; "
                       "correct it on the company in Focus")


def test_purchase_lines_book_on_the_vat_rate_account(validator):
    doc = invoice(Line(1, "Paper", D("50.00"), D("0.21"), vat_category="S"), kind=DocumentKind.PURCHASE_INVOICE,
                  source_type="incomingInvoice", number="INV-9")
    assert messages(validator, doc) == []


def test_only_failing_documents_get_issues(validator):
    good, bad = invoice(item(), number="2026 / 1"), invoice(item(ledger="1"), number="2026 / 2")
    assert {i.focus_id for i in validator.validate([good, bad], PARTIES)} == {bad.source_id}


def test_a_date_outside_every_book_year_names_the_fix():
    years = (BookYear("3", "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),)
    with_years = Validator(SETTINGS, replace(MASTER, book_years=years), "Octopus")
    [message] = messages(with_years, invoice(item(), date=dt.date(2027, 1, 4)))
    assert message == ("Invoice 2026 / 17: dated 2027-01-04, but Octopus has no book year for that date; open the "
                       "book year in the tool (the next run picks the document up)")
    assert messages(with_years, invoice(item())) == []
