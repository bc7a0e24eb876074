"""Validation of an offline export: every customer and document with an error is listed at once, each message
naming the document or customer, the field and the fix, and nothing is written or charged.

Most tests build Focus documents and customers by hand and ask ``ExportChecks`` for the problems (no Focus
needed); the last ones run the real steps against the Focus sandbox (``exporter``). Expected values are
written here (the department's tax rates, the mod-97 check digits, the totals), never taken from the code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from connectors.domain import Address, Document, DocumentKind, Line, LineKind, Party, PartyRef, VatAmount
from connectors.exports.checks import ExportChecks
from connectors.exports.job import ExportRefused
from connectors.exports.resolve import customer as export_customer
from connectors.exports.resolve import export_document, vat_by_category
from connectors.exports.settings import ExportSettings
from connectors.exports.store import ExportStore, Problem
from connectors.exports.writers import writer_for
from connectors.state.db import sessions
from connectors.state.export_models import BillingCharge
from tests.exports.exporting import DEMO_SETTINGS, published_files

D = Decimal
ENTITY = "acme_be"
SETUP = f"focus-connector exports setup {ENTITY}"

# -- a Belgian department's Focus tax rates (id → description), as Focus lists them ----------------------

BE_TAX_RATES = {"tr-21": "21%", "tr-12": "12%", "tr-6": "6%", "tr-0": "0%",
                "tr-rc": "0% Medecontractant / reverse charge"}
BE_RATE_IDS = {D("0.21"): "tr-21", D("0.12"): "tr-12", D("0.06"): "tr-6", D("0"): "tr-0"}
NL_TAX_RATES = {"nl-21": "21%", "nl-9": "9%", "nl-0": "0%", "nl-rc": "0% BTW verlegd"}

#: A bookkeeper's settings: an account per Belgian rate for lines without one, discounts to 708000.
ACCOUNTS = ExportSettings(
    ledger_by_rate={"0.21": "700000", "0.12": "700000", "0.06": "700000", "0": "700000"},
    fill_lines_by_rate=True, sales_discount_account="708000")
#: Nothing filled by rate (the default), but a discount account.
NO_FILL = ExportSettings(sales_discount_account="708000")

ALPHA = PartyRef("company", "cust-alpha")
ALPHA_NV = Party(ALPHA, "Alpha NV", vat_number="BE0403170701",
                 address=Address("Kerkstraat 1", "9000", "Gent", "BE"))
MARIE = PartyRef("contact", "cont-marie")
MARIE_PEETERS = Party(MARIE, "Marie Peeters", email="marie@example.org",
                      address=Address("Dorpstraat 4", "2000", "Antwerpen", "BE"), is_person=True)


def line(number: int, amount: str, rate: str, *, account: str | None = None, category: str | None = None,
         kind: LineKind = LineKind.ITEM, rate_id: str | None | bool = True) -> Line:
    """A Focus line; ``rate_id`` True means the Belgian department's tax rate id for the rate."""
    tax_rate = D(rate)
    if rate_id is True:
        rate_id = BE_RATE_IDS.get(tax_rate)
    return Line(number=number, description=f"line {number}", amount=D(amount), tax_rate=tax_rate, kind=kind,
                tax_rate_id=rate_id or None, ledger_account=account, product_category_id=category)


def document(*lines: Line, number: str = "2026 / 17", source_id: str = "inv-17", party: PartyRef = ALPHA,
             credit_note: bool = False, total_incl: str | None = None, payment_reference: str | None = None,
             vat: tuple[VatAmount, ...] | None = None) -> Document:
    """An invoice (or credit note) whose VAT per rate and totals are computed here from its lines."""
    if vat is None:
        per_rate: dict[Decimal, Decimal] = defaultdict(lambda: D("0.00"))
        for item in lines:
            per_rate[item.tax_rate] += item.amount
        vat = tuple(VatAmount(rate, taxable, (taxable * rate).quantize(D("0.01")))
                    for rate, taxable in per_rate.items())
    excl = sum((item.amount for item in lines), D("0.00"))
    tax = sum((v.tax for v in vat), D("0.00"))
    return Document(
        source_id=source_id, source_type="creditNote" if credit_note else "invoice",
        kind=DocumentKind.SALES_CREDIT_NOTE if credit_note else DocumentKind.SALES_INVOICE,
        department_id="dept-be", number=number, date=dt.date(2026, 3, 2), party=party, currency="EUR",
        lines=tuple(lines), vat=vat, total_excl=excl, total_vat=tax,
        total_incl=D(total_incl) if total_incl is not None else excl + tax, payment_reference=payment_reference)


def problems(*documents: Document, settings: ExportSettings = ACCOUNTS, package: str = "csv",
             country: str = "BE", number_mode: str = "generate", numbers=None, tax_rates=None,
             customers: dict[PartyRef, Party] | None = None) -> list[Problem]:
    checks = ExportChecks(entity=ENTITY, settings=settings, writer=writer_for(package), country=country,
                          number_mode=number_mode, numbers=numbers or {},
                          tax_rates=BE_TAX_RATES if tax_rates is None else tax_rates)
    return list(checks.problems(documents, customers if customers is not None else {ALPHA: ALPHA_NV}))


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, [p.message for p in found]
    return found[0]


def ogm(ten_digits: str) -> str:
    """A Belgian structured communication with correct check digits (the remainder mod 97, 97 for 0)."""
    check = int(ten_digits) % 97 or 97
    digits = f"{ten_digits}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


# -- ledger accounts --------------------------------------------------------------------------------------


def test_a_line_without_ledger_account_names_the_document_line_category_and_the_fill_by_rate_fix():
    doc = document(line(1, "100.00", "0.21", account="700100", category="cat-software"),
                   line(2, "40.00", "0.21", category="cat-hardware"))

    problem = only(problems(doc, settings=NO_FILL))

    assert (problem.subject, problem.source_id, problem.field) == ("document", "inv-17", "ledger_account")
    assert problem.message.startswith("Invoice 2026 / 17, line 2: ")
    assert "cat-hardware" in problem.message
    assert f"`{SETUP} --ledger-by-rate 0.21=" in problem.message
    assert "--fill-lines-by-rate`" in problem.message


def test_with_fill_by_rate_on_a_line_without_account_takes_its_rates_account_and_passes():
    doc = document(line(1, "100.00", "0.21", account="700100", category="cat-software"),
                   line(2, "40.00", "0.21", category="cat-hardware"), line(3, "10.00", "0.06"))

    assert problems(doc, settings=ACCOUNTS) == []


def test_with_fill_by_rate_on_but_no_account_for_the_lines_rate_the_fix_sets_that_rate():
    settings = ExportSettings(ledger_by_rate={"0.21": "700000"}, fill_lines_by_rate=True,
                              sales_discount_account="708000")
    doc = document(line(1, "100.00", "0.21"), line(2, "30.00", "0.06", category="cat-training"))

    problem = only(problems(doc, settings=settings))

    assert problem.message.startswith("Invoice 2026 / 17, line 2: ") and problem.field == "ledger_account"
    assert f"`{SETUP} --ledger-by-rate 0.06=" in problem.message
    assert "--fill-lines-by-rate" not in problem.message  # it is on already


def test_a_line_without_product_category_is_asked_for_one_instead_of_naming_a_category():
    doc = document(line(1, "100.00", "0.21", account="700100", category="cat-software"),
                   line(2, "40.00", "0.21"))

    problem = only(problems(doc, settings=NO_FILL))

    assert problem.message.startswith("Invoice 2026 / 17, line 2: ")
    assert "nan" not in problem.message.split()
    assert "give the line a product category" in problem.message


def test_a_commercial_discount_without_a_sales_discount_account_names_the_discount_account_fix():
    settings = ExportSettings(ledger_by_rate={"0.21": "700000"}, fill_lines_by_rate=True)
    doc = document(line(1, "200.00", "0.21", account="700000"),
                   line(2, "-20.00", "0.21", kind=LineKind.DISCOUNT))

    problem = only(problems(doc, settings=settings))

    assert problem.field == "sales_discount_account"
    assert problem.message.startswith("Invoice 2026 / 17, line 2: ")
    assert "discount" in problem.message
    assert f"`{SETUP} --discount-account " in problem.message


def test_a_commercial_discount_goes_to_the_sales_discount_account_even_without_fill_by_rate():
    doc = document(line(1, "200.00", "0.21", account="700000"),
                   line(2, "-20.00", "0.21", kind=LineKind.DISCOUNT))

    assert problems(doc, settings=NO_FILL) == []


# -- VAT rates --------------------------------------------------------------------------------------------


def test_a_9_percent_line_of_a_belgian_department_is_an_unknown_vat_rate():
    doc = document(line(1, "100.00", "0.21"), line(2, "50.00", "0.09", account="700000", rate_id=None))

    problem = only(problems(doc))

    assert (problem.code, problem.field) == ("unknown_vat_rate", "tax_rate")
    assert problem.message.startswith("Invoice 2026 / 17, line 2: ")
    assert "9 %" in problem.message and "Belgian" in problem.message
    assert "correct the line's tax rate in Focus" in problem.message


def test_a_9_percent_line_of_a_dutch_department_passes():
    doc = document(line(1, "100.00", "0.21", account="8000", rate_id="nl-21"),
                   line(2, "50.00", "0.09", account="8000", rate_id="nl-9"))

    assert problems(doc, country="NL", tax_rates=NL_TAX_RATES) == []


def test_a_line_whose_focus_tax_rate_is_not_one_of_the_departments_is_refused():
    doc = document(line(1, "100.00", "0.21"), line(2, "50.00", "0.21", rate_id="tr-of-another-department"))

    problem = only(problems(doc))

    assert (problem.code, problem.field) == ("foreign_tax_rate", "tax_rate")
    assert problem.message.startswith("Invoice 2026 / 17, line 2: ")
    assert "correct the line's tax rate in Focus" in problem.message


def test_the_message_for_another_departments_tax_rate_does_not_call_a_legal_rate_illegal():
    doc = document(line(1, "50.00", "0.21", rate_id="tr-of-another-department"))

    problem = only(problems(doc))

    assert "is not a Belgian VAT rate" not in problem.message


# -- journals ---------------------------------------------------------------------------------------------


def test_a_missing_invoice_journal_names_the_invoice_journal_option():
    settings = ExportSettings(**{**ACCOUNTS.to_json(), "invoice_journal": ""})

    problem = only(problems(document(line(1, "100.00", "0.21")), settings=settings))

    assert problem.field == "journal"
    assert problem.message.startswith("Invoice 2026 / 17: ")
    assert "invoice journal" in problem.message
    assert f"`{SETUP} --invoice-journal " in problem.message


def test_a_missing_credit_note_journal_names_the_credit_note_journal_option_and_spares_invoices():
    settings = ExportSettings(**{**ACCOUNTS.to_json(), "credit_note_journal": ""})
    invoice = document(line(1, "100.00", "0.21"))
    credit_note = document(line(1, "25.00", "0.21"), number="2026/3", source_id="cn-3", credit_note=True)

    problem = only(problems(invoice, credit_note, settings=settings))

    assert (problem.source_id, problem.field) == ("cn-3", "journal")
    assert problem.message.startswith("Credit note 2026/3: ")
    assert "credit-note journal" in problem.message
    assert f"`{SETUP} --credit-note-journal " in problem.message


# -- totals -----------------------------------------------------------------------------------------------


def test_a_document_whose_lines_do_not_add_up_to_its_total_is_refused_with_the_figures_and_the_fix():
    # 100.00 + 21.00 VAT make 121.00; Focus states 121.01.
    doc = document(line(1, "100.00", "0.21"), total_incl="121.01")

    problem = only(problems(doc))

    assert (problem.code, problem.field) == ("does_not_add_up", "total")
    assert problem.message.startswith("Invoice 2026 / 17: ")
    assert "121.00" in problem.message and "121.01" in problem.message
    assert "correct the document in Focus" in problem.message


# -- structured communication -----------------------------------------------------------------------------


def test_a_structured_communication_with_a_wrong_mod_97_check_is_refused():
    wrong = "+++123/4567/89003+++"  # 1234567890 mod 97 is 2: the check digits are 02
    assert ogm("1234567890") == "+++123/4567/89002+++"

    problem = only(problems(document(line(1, "100.00", "0.21"), payment_reference=wrong)))

    assert (problem.code, problem.field) == ("invalid_structured_communication", "payment_reference")
    assert problem.message.startswith("Invoice 2026 / 17: ")
    assert wrong in problem.message and "mod 97" in problem.message
    assert "correct it in Focus" in problem.message


@pytest.mark.parametrize("reference", [ogm("1234567890"), ogm("2026001700"), ogm("0000000097"),
                                       "***123/4567/89002***", " +++ 123 / 4567 / 89002 +++ "])
def test_a_structured_communication_with_a_valid_check_passes(reference):
    assert problems(document(line(1, "100.00", "0.21"), payment_reference=reference)) == []


@pytest.mark.parametrize("reference", ["Invoice 2026 / 17", "123/4567/89003", "RF18 5390 0754 7034", ""])
def test_a_free_text_payment_reference_is_not_checked(reference):
    assert problems(document(line(1, "100.00", "0.21"), payment_reference=reference)) == []


# -- customer numbers -------------------------------------------------------------------------------------


def test_manual_customer_numbers_refuse_a_customer_without_one_naming_import_and_set_number():
    problem = only(problems(document(line(1, "100.00", "0.21")), number_mode="manual", numbers={}))

    assert (problem.subject, problem.source_id, problem.field) == ("customer", "cust-alpha", "customer_number")
    assert problem.message.startswith("Customer Alpha NV: ")
    assert f"`focus-connector customers import-numbers {ENTITY} FILE`" in problem.message
    assert f"`focus-connector customers set-number {ENTITY} --company cust-alpha NUMBER`" in problem.message


def test_manual_customer_numbers_pass_a_customer_that_has_one():
    assert problems(document(line(1, "100.00", "0.21")), number_mode="manual", numbers={ALPHA: "4711"}) == []


def test_generated_customer_numbers_need_none_beforehand():
    assert problems(document(line(1, "100.00", "0.21")), number_mode="generate", numbers={}) == []


# -- what the package needs of a customer ------------------------------------------------------------------


def test_a_ubl_export_refuses_a_private_person_without_vat_number_and_points_to_the_csv_package():
    doc = document(line(1, "100.00", "0.21"), party=MARIE)

    problem = only(problems(doc, package="ubl", customers={MARIE: MARIE_PEETERS}))

    assert (problem.subject, problem.source_id, problem.field) == ("customer", "cont-marie", "vat_number")
    assert problem.message.startswith("Customer Marie Peeters: ")
    assert "VAT number" in problem.message and "in Focus" in problem.message
    assert "generic CSV" in problem.message and "UBL" in problem.message


def test_a_csv_export_of_the_same_private_person_passes():
    doc = document(line(1, "100.00", "0.21"), party=MARIE)

    assert problems(doc, package="csv", customers={MARIE: MARIE_PEETERS}) == []


def test_a_ubl_export_asks_a_reverse_charge_customer_without_vat_number_for_one():
    builder = Party(PartyRef("company", "cust-build"), "Bouw BV", national_id="0477472701",
                    address=Address("Ringlaan 2", "3000", "Leuven", "BE"))
    doc = document(line(1, "1000.00", "0", rate_id="tr-rc"), party=builder.ref)

    problem = only(problems(doc, package="ubl", customers={builder.ref: builder}))

    assert problem.field == "vat_number" and problem.message.startswith("Customer Bouw BV: ")
    assert "reverse charge" in problem.message


# -- one pass, all problems -------------------------------------------------------------------------------


def test_every_problem_of_every_document_and_customer_is_listed_in_one_pass():
    settings = ExportSettings(ledger_by_rate={"0.21": "700000"}, fill_lines_by_rate=True)
    first = document(line(1, "100.00", "0.21"), line(2, "30.00", "0.06", category="cat-training"),
                     line(3, "-10.00", "0.21", kind=LineKind.DISCOUNT),
                     payment_reference="+++123/4567/89003+++")
    second = document(line(1, "100.00", "0.21"), number="2026 / 18", source_id="inv-18", total_incl="121.05")
    third = document(line(1, "50.00", "0.09", account="700000", rate_id=None), number="2026 / 19",
                     source_id="inv-19", party=MARIE)

    found = problems(first, second, third, settings=settings, number_mode="manual", numbers={MARIE: "12"},
                     customers={ALPHA: ALPHA_NV, MARIE: MARIE_PEETERS})

    assert sorted((p.label, p.field) for p in found) == [
        ("Customer Alpha NV", "customer_number"),
        ("Invoice 2026 / 17", "ledger_account"),
        ("Invoice 2026 / 17", "payment_reference"),
        ("Invoice 2026 / 17", "sales_discount_account"),
        ("Invoice 2026 / 18", "total"),
        ("Invoice 2026 / 19", "tax_rate"),
    ]
    assert all(p.message.startswith(p.label) for p in found)


def test_a_document_without_its_customer_is_refused_naming_the_invoicee():
    doc = document(line(1, "100.00", "0.21"), party=PartyRef("company", "gone"))

    problem = only(problems(doc))

    assert (problem.code, problem.field) == ("customer_missing", "invoicee")
    assert problem.message.startswith("Invoice 2026 / 17: ") and "gone" in problem.message


# -- the VAT category of 0 % tax rates --------------------------------------------------------------------


@pytest.mark.parametrize("description, category", [
    ("0% Medecontractant / reverse charge", "AE"),
    ("0% BTW verlegd", "AE"),
    ("0%", "Z"),
    (None, "Z"),
])
def test_a_zero_rate_takes_the_category_its_focus_description_says(description, category):
    assert ExportSettings().category_for(D("0"), description) == category


def test_an_explicit_vat_category_setting_wins_over_the_description():
    settings = ExportSettings(vat_categories={"0% Medecontractant / reverse charge": "E"})

    assert settings.category_for(D("0"), "0% Medecontractant / reverse charge") == "E"


@pytest.mark.parametrize("description", ["0%", None])
def test_a_rate_level_setting_applies_when_the_description_has_none(description):
    settings = ExportSettings(vat_categories={"0": "O"})

    assert settings.category_for(D("0.00"), description) == "O"


def test_a_description_setting_wins_over_a_rate_level_setting():
    settings = ExportSettings(vat_categories={"0": "Z", "0% Medecontractant / reverse charge": "AE"})

    assert settings.category_for(D("0"), "0% Medecontractant / reverse charge") == "AE"
    assert settings.category_for(D("0"), "0%") == "Z"


def test_a_rate_above_zero_is_standard_rated_whatever_its_description():
    settings = ExportSettings(vat_categories={"21%": "Z"})

    assert settings.category_for(D("0.21"), "21%") == "S"


def test_vat_by_category_splits_one_documents_zero_rate_between_z_and_ae_and_keeps_focus_totals():
    doc = document(line(1, "200.00", "0.21"), line(2, "100.00", "0", rate_id="tr-0"),
                   line(3, "250.00", "0", rate_id="tr-rc"),
                   vat=(VatAmount(D("0.21"), D("200.00"), D("42.00")), VatAmount(D("0"), D("350.00"), D("0.00"))))
    exported = export_document(doc, ACCOUNTS, export_customer(ALPHA_NV, ALPHA, "100000"), tax_rates=BE_TAX_RATES)

    breakdown = vat_by_category(doc, list(exported.lines))

    found = {(v.rate, v.vat_category): (v.taxable, v.tax) for v in breakdown}
    assert found == {(D("0.21"), "S"): (D("200.00"), D("42.00")), (D("0"), "Z"): (D("100.00"), D("0.00")),
                     (D("0"), "AE"): (D("250.00"), D("0.00"))}
    reasons = {v.vat_category: v.exemption_code for v in breakdown}
    assert reasons["AE"] == "VATEX-EU-AE" and reasons["Z"] is None and reasons["S"] is None
    for stated in doc.vat:
        assert sum(v.taxable for v in breakdown if v.rate == stated.rate) == stated.taxable
        assert sum(v.tax for v in breakdown if v.rate == stated.rate) == stated.tax
    assert sum(v.tax for v in breakdown) == doc.total_vat


def test_vat_by_category_keeps_focus_totals_when_focus_states_a_rate_once_per_tax_rate():
    doc = document(line(1, "100.00", "0", rate_id="tr-0"), line(2, "250.00", "0", rate_id="tr-rc"),
                   vat=(VatAmount(D("0"), D("100.00"), D("0.00"), "tr-0"),
                        VatAmount(D("0"), D("250.00"), D("0.00"), "tr-rc")))
    assert problems(doc) == []
    exported = export_document(doc, ACCOUNTS, export_customer(ALPHA_NV, ALPHA, None), tax_rates=BE_TAX_RATES)

    breakdown = vat_by_category(doc, list(exported.lines))

    assert sum(v.taxable for v in breakdown) == D("350.00")
    assert sorted((v.vat_category, v.taxable) for v in breakdown) == [("AE", D("250.00")), ("Z", D("100.00"))]


def test_vat_by_category_keeps_focus_figures_when_a_rate_holds_one_category():
    # Focus's taxable at 21 % is what it states, even where rounding made it differ from a recomputation.
    doc = document(line(1, "33.33", "0.21"), line(2, "33.33", "0.21"),
                   vat=(VatAmount(D("0.21"), D("66.66"), D("14.00")),))
    exported = export_document(doc, ACCOUNTS, export_customer(ALPHA_NV, ALPHA, None), tax_rates=BE_TAX_RATES)

    (only_rate,) = vat_by_category(doc, list(exported.lines))

    assert (only_rate.rate, only_rate.vat_category, only_rate.taxable, only_rate.tax) == \
           (D("0.21"), "S", D("66.66"), D("14.00"))


# -- through the real steps (Focus sandbox, state database on SQLite and PostgreSQL) ----------------------

ALL_OF_IT = ("2025-01-01", "2026-12-31")
#: The demo department without any account filled by rate and without a sales discount account: the demo
#: data has lines without a product-category account and commercial discounts, so validation refuses.
BARE = ExportSettings(package="csv")


def charges(engine) -> int:
    with sessions(engine)() as session:
        return session.scalar(select(func.count()).select_from(BillingCharge))


def refused_export(exporter) -> tuple[int, ExportRefused]:
    exporter.setup("demo_be", 0, BARE)
    export_id = exporter.start("demo_be", ALL_OF_IT, "csv")
    with pytest.raises(ExportRefused) as refused:
        exporter.until_quote(export_id)
    return export_id, refused.value


def test_an_export_with_problems_is_refused_marked_invalid_and_neither_written_nor_charged(exporter):
    export_id, refused = refused_export(exporter)

    assert refused.lines and all(text.startswith(("Invoice ", "Credit note ")) for text in refused.lines)
    assert any("--discount-account" in text for text in refused.lines)
    assert any("--ledger-by-rate" in text for text in refused.lines)
    assert "nothing was written or charged" in refused.summary
    assert ExportStore(exporter.engine, export_id).get().status == "invalid"
    assert published_files(exporter.exports_dir, "demo_be") == []
    assert not [p for p in (exporter.exports_dir / ".staging").rglob("*") if p.is_file()]
    assert charges(exporter.engine) == 0


def test_the_problems_report_file_lists_the_same_messages_as_the_refusal(exporter):
    export_id, refused = refused_export(exporter)

    report = exporter.exports_dir / "demo_be" / "reports" / f"export-{export_id}-problems.txt"
    assert str(report) in refused.summary
    listed = [text.removeprefix("- ") for text in report.read_text().splitlines() if text.startswith("- ")]
    assert listed == refused.lines
    assert f"{len(refused.lines)} problem(s)" in report.read_text()


def test_after_the_suggested_fixes_the_same_period_passes_and_is_quoted(exporter):
    refused_export(exporter)
    exporter.setup("demo_be", 0, ExportSettings(**{**DEMO_SETTINGS.to_json(), "package": "csv"}))

    export_id = exporter.start("demo_be", ALL_OF_IT, "csv")
    quote = exporter.until_quote(export_id)

    assert quote["new"] > 0 and ExportStore(exporter.engine, export_id).problems() == []
    assert charges(exporter.engine) == 0
