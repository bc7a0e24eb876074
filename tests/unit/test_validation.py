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
    currency="EUR",
)
SETTINGS = MappingSettings(
    start_date=dt.date(2025, 1, 1),
    journals={"sales_invoice": "70", "purchase_invoice": "60"},
    vat_links={("sales", "tr-21"): "1", ("sales", "tr-6"): "3", ("purchase", "S:21"): "81"},
    ledger_by_rate={("purchase", "0.21"): "600000"},
    sales_discount_account="708000",
)


def invoice(*lines: Line, number="2026 / 17", date=dt.date(2026, 3, 1), total=None, kind=DocumentKind.SALES_INVOICE,
            source_type="invoice", vat=None, currency="EUR") -> Document:
    """A document whose VAT per rate is what its lines give (unless ``vat`` says otherwise)."""
    excl = sum((ln.amount for ln in lines), D("0.00"))
    if vat is None:
        rates = sorted({ln.tax_rate for ln in lines})
        vat = tuple(VatAmount(rate, sum((ln.amount for ln in lines if ln.tax_rate == rate), D("0.00")),
                              sum(((ln.amount * rate).quantize(D("0.01")) for ln in lines if ln.tax_rate == rate),
                                  D("0.00"))) for rate in rates)
    tax = sum((v.tax for v in vat), D("0.00"))
    return Document(
        source_id=f"id-{number}", source_type=source_type, kind=kind, department_id="dept", number=number,
        date=date, party=CUSTOMER, currency=currency, lines=lines, vat=tuple(vat), total_excl=excl, total_vat=tax,
        total_incl=total if total is not None else excl + tax,
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
    assert message == ("Invoice 2026 / 17: its lines (100.00) plus VAT (21.00) make 121.00, but Focus states a total "
                       "of 125.00; the connector books every document to the cent, so correct the document in Focus")


def test_a_one_cent_gap_between_lines_plus_vat_and_the_total_is_refused_not_absorbed(validator):
    [message] = messages(validator, invoice(item(), total=D("121.01")))
    assert "make 121.00, but Focus states a total of 121.01" in message


def test_vat_stated_at_a_rate_no_line_has_is_refused_rather_than_dropped(validator):
    vat = (VatAmount(D("0.21"), D("100.00"), D("21.00")), VatAmount(D("0.06"), D("0.00"), D("0.01")))
    [message] = messages(validator, invoice(item(), vat=vat))
    assert message.startswith("Invoice 2026 / 17: it states 0.01 VAT on 0.00 at 6%, but no line has that rate")


def test_lines_of_a_rate_that_do_not_add_up_to_its_stated_taxable_amount_are_refused(validator):
    vat = (VatAmount(D("0.21"), D("90.00"), D("21.00")),)
    [message] = messages(validator, invoice(item(), vat=vat, total=D("121.00")))
    assert "its 21% lines add up to 100.00, but it states 90.00 taxable at that rate" in message


def test_a_vat_code_whose_rate_differs_from_the_lines_rate_is_refused():
    wrong = replace(SETTINGS, vat_links={**SETTINGS.vat_links, ("sales", "tr-21"): "3"})
    [message] = messages(Validator(wrong, MASTER, "Exact Online"), invoice(item()))
    assert message == ("Invoice 2026 / 17, line 1: VAT code 3 is 6% in Exact Online, but the line is taxed at 21%; "
                       "link the 21% tax rate to a 21% VAT code")


def test_a_vat_code_of_the_other_direction_is_refused():
    wrong = replace(SETTINGS, vat_links={**SETTINGS.vat_links, ("sales", "tr-21"): "81"})
    [message] = messages(Validator(wrong, MASTER, "Exact Online"), invoice(item()))
    assert message == ("Invoice 2026 / 17, line 1: VAT code 81 is a purchase code in Exact Online, but this is a "
                       "sales document; link a sales VAT code")


def test_a_document_in_a_currency_the_administration_does_not_book_is_refused_before_the_tool_sees_it(validator):
    [message] = messages(validator, invoice(item(), currency="USD"))
    assert message.startswith("Invoice 2026 / 17: it is in USD, but the Exact Online administration books in EUR")
    assert "book it by hand in Exact Online, then `focus-connector documents exclude` it" in message


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


def test_a_vat_code_that_reads_amounts_as_vat_included_is_refused():
    """Review finding: Exact splits a line on a Type "I" code itself, so the booked amounts would differ."""
    master = replace(MASTER, vat_codes={**MASTER.vat_codes,
                                        "1I": VatCodeInfo("1I", "21% incl.", D("0.21"), "sales", inclusive=True)})
    linked = replace(SETTINGS, vat_links={**SETTINGS.vat_links, ("sales", "tr-21"): "1I"})
    [message] = messages(Validator(linked, master, "Exact Online"), invoice(item()))
    assert message == ("Invoice 2026 / 17, line 1: VAT code 1I reads amounts as VAT included in Exact Online, but "
                       "Focus states them excluding VAT; link a VAT code that excludes VAT")
