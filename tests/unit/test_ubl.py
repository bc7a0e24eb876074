"""connectors.focus.ubl against the official Peppol BIS Billing 3.0 examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.domain import Address, LineKind, VatAmount
from connectors.focus.ubl import UblError, parse_ubl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "peppol"
EXAMPLES = sorted(p.name for p in FIXTURES.glob("*.xml"))


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def tampered(name: str, old: str, new: str) -> bytes:
    xml = load(name)
    assert xml.count(old.encode()) == 1, f"{old!r} is not unique in {name}"
    return xml.replace(old.encode(), new.encode())


def test_all_nine_official_examples_are_present():
    assert len(EXAMPLES) == 9


# -- every official example -------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_lines_and_allowances_charges_add_up_to_total_excl(name):
    doc = parse_ubl(load(name))
    assert sum(line.amount for line in doc.lines) == doc.total_excl


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_vat_breakdown_taxable_adds_up_to_total_excl(name):
    doc = parse_ubl(load(name))
    assert sum(v.taxable for v in doc.vat) == doc.total_excl
    assert sum(v.tax for v in doc.vat) == doc.total_vat


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_total_excl_plus_vat_is_total_incl(name):
    doc = parse_ubl(load(name))
    assert doc.total_excl + doc.total_vat == doc.total_incl


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_money_is_in_cents(name):
    doc = parse_ubl(load(name))
    amounts = [doc.total_excl, doc.total_vat, doc.total_incl, doc.payable, doc.prepaid, doc.rounding]
    amounts += [line.amount for line in doc.lines]
    amounts += [v.taxable for v in doc.vat] + [v.tax for v in doc.vat]
    assert all(a.as_tuple().exponent == -2 for a in amounts)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_lines_are_numbered_from_one(name):
    doc = parse_ubl(load(name))
    assert [line.number for line in doc.lines] == list(range(1, len(doc.lines) + 1))


# -- base-example.xml --------------------------------------------------------


def test_base_example_header():
    doc = parse_ubl(load("base-example.xml"))
    assert doc.document_type == "invoice"
    assert doc.number == "Snippet1"
    assert doc.issue_date == date(2017, 11, 13)
    assert doc.due_date == date(2017, 12, 1)
    assert doc.currency == "EUR"
    assert doc.buyer_reference == "0150abc"
    assert doc.payment_reference == "Snippet1"
    assert doc.invoiced_object_reference is None


def test_base_example_supplier():
    supplier = parse_ubl(load("base-example.xml")).supplier
    assert supplier.name == "SupplierOfficialName Ltd"
    assert supplier.vat_number == "GB1232434"
    assert supplier.iban == "IBAN32423940"
    assert supplier.address == Address("Main street 1", "GB 123 EW", "London", "GB")


def test_base_example_customer_has_no_iban_but_an_email():
    customer = parse_ubl(load("base-example.xml")).customer
    assert customer.name == "Buyer Official Name"
    assert customer.vat_number == "SE4598375937"
    assert customer.iban is None
    assert customer.email == "lj@buyer.se"


def test_base_example_item_lines():
    doc = parse_ubl(load("base-example.xml"))
    items = [line for line in doc.lines if line.kind is LineKind.ITEM]
    assert len(items) == 2
    first = items[0]
    assert first.description == "item name"
    assert first.amount == Decimal("2800.00")
    assert first.quantity == Decimal("7")
    assert first.unit_price == Decimal("400")
    assert first.tax_rate == Decimal("0.25")
    assert first.vat_category == "S"


def test_base_example_negative_line_keeps_its_sign():
    line = parse_ubl(load("base-example.xml")).lines[1]
    assert line.amount == Decimal("-1500.00")
    assert line.quantity == Decimal("-3")


def test_base_example_document_charge_becomes_a_charge_line():
    charge = parse_ubl(load("base-example.xml")).lines[2]
    assert charge.kind is LineKind.CHARGE
    assert charge.description == "Insurance"
    assert charge.amount == Decimal("25.00")
    assert charge.tax_rate == Decimal("0.25")
    assert charge.vat_category == "S"


def test_base_example_vat_breakdown_and_totals():
    doc = parse_ubl(load("base-example.xml"))
    assert doc.vat == (VatAmount(Decimal("0.25"), Decimal("1325.00"), Decimal("331.25"), vat_category="S"),)
    assert (doc.total_excl, doc.total_vat, doc.total_incl) == (
        Decimal("1325.00"),
        Decimal("331.25"),
        Decimal("1656.25"),
    )
    assert (doc.payable, doc.prepaid, doc.rounding) == (Decimal("1656.25"), Decimal("0.00"), Decimal("0.00"))


# -- Allowance-example.xml ---------------------------------------------------


def test_allowance_example_document_allowance_and_charge_follow_the_items():
    doc = parse_ubl(load("Allowance-example.xml"))
    assert [line.kind for line in doc.lines] == [LineKind.ITEM] * 3 + [LineKind.CHARGE, LineKind.DISCOUNT]
    charge, discount = doc.lines[3:]
    assert (charge.number, charge.description, charge.amount) == (4, "Cleaning", Decimal("200.00"))
    assert (discount.number, discount.description, discount.amount) == (5, "Discount", Decimal("-200.00"))
    assert discount.tax_rate == Decimal("0.25") and discount.vat_category == "S"


def test_allowance_example_line_level_allowances_are_already_in_the_line_amount():
    doc = parse_ubl(load("Allowance-example.xml"))
    assert doc.lines[2].amount == Decimal("900.00")  # 10 x 100, +1 charge, -101 allowance
    assert len(doc.lines) == 5


def test_allowance_example_unit_price_is_divided_by_base_quantity():
    doc = parse_ubl(load("Allowance-example.xml"))
    assert doc.lines[1].unit_price == Decimal("100")  # 200 per 2


def test_allowance_example_prepaid_amount_reduces_payable():
    doc = parse_ubl(load("Allowance-example.xml"))
    assert doc.total_incl == Decimal("7125.00")
    assert doc.prepaid == Decimal("1000.00")
    assert doc.payable == Decimal("6125.00")


def test_allowance_example_ignores_the_tax_total_in_the_tax_currency():
    doc = parse_ubl(load("Allowance-example.xml"))
    assert doc.total_vat == Decimal("1225.00")  # not the SEK 9324.00
    assert [(v.vat_category, v.rate, v.taxable) for v in doc.vat] == [
        ("S", Decimal("0.25"), Decimal("4900.00")),
        ("E", Decimal("0"), Decimal("1000.00")),
    ]


def test_vat_category_s_example_has_two_rates():
    doc = parse_ubl(load("Vat-category-S.xml"))
    assert [(v.rate, v.taxable, v.tax) for v in doc.vat] == [
        (Decimal("0.25"), Decimal("5000.00"), Decimal("1250.00")),
        (Decimal("0.15"), Decimal("2000.00"), Decimal("300.00")),
    ]


# -- corrections --------------------------------------------------------------


def test_credit_note_correction_is_a_credit_note_that_names_the_invoice():
    doc = parse_ubl(load("base-creditnote-correction.xml"))
    assert doc.document_type == "credit_note"
    assert doc.invoiced_object_reference == "Snippet1"
    assert doc.total_incl == Decimal("1656.25")


def test_credit_note_reads_credited_quantity():
    doc = parse_ubl(load("base-creditnote-correction.xml"))
    assert [line.quantity for line in doc.lines[:2]] == [Decimal("7"), Decimal("-3")]


def test_negative_invoice_correction_keeps_negative_amounts():
    doc = parse_ubl(load("base-negative-inv-correction.xml"))
    assert doc.document_type == "invoice"
    assert doc.number == "Correction1"
    assert doc.invoiced_object_reference == "Snippet1"
    assert (doc.total_excl, doc.total_vat, doc.total_incl, doc.payable) == (
        Decimal("-1325.00"),
        Decimal("-331.25"),
        Decimal("-1656.25"),
        Decimal("-1656.25"),
    )
    assert [line.amount for line in doc.lines] == [Decimal("-2800.00"), Decimal("1500.00"), Decimal("-25.00")]
    assert doc.vat[0].taxable == Decimal("-1325.00")


def test_negative_charge_stays_a_negative_charge_line():
    charge = parse_ubl(load("base-negative-inv-correction.xml")).lines[-1]
    assert charge.kind is LineKind.CHARGE
    assert charge.amount == Decimal("-25.00")


# -- VAT categories -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "category"),
    [("vat-category-E.xml", "E"), ("vat-category-Z.xml", "Z"), ("vat-category-O.xml", "O")],
)
def test_zero_vat_category_is_kept_with_a_zero_rate(name, category):
    doc = parse_ubl(load(name))
    assert [(line.vat_category, line.tax_rate) for line in doc.lines] == [(category, Decimal(0))]
    assert [(v.vat_category, v.rate, v.tax) for v in doc.vat] == [(category, Decimal(0), Decimal("0.00"))]
    assert doc.total_vat == Decimal("0.00")


def test_category_o_without_percent_has_rate_zero_and_no_due_date():
    doc = parse_ubl(load("vat-category-O.xml"))
    assert doc.lines[0].tax_rate == 0
    assert doc.due_date is None
    assert doc.currency == "SEK"


# -- parties ------------------------------------------------------------------


def test_party_without_tax_scheme_has_no_vat_number():
    doc = parse_ubl(load("vat-category-O.xml"))
    assert doc.supplier.vat_number is None
    assert doc.supplier.name == "The Sellercompany Incorporated"


def test_party_name_falls_back_to_trading_name():
    xml = tampered(
        "base-example.xml",
        "<cbc:RegistrationName>SupplierOfficialName Ltd</cbc:RegistrationName>",
        "",
    )
    assert parse_ubl(xml).supplier.name == "SupplierTradingName Ltd."


def test_belgian_enterprise_number_endpoint_is_used_as_vat_number():
    xml = tampered(
        "vat-category-O.xml",
        '<cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>',
        '<cbc:EndpointID schemeID="0208">0403.170.701</cbc:EndpointID>',
    )
    assert parse_ubl(xml).supplier.vat_number == "BE0403170701"


def test_belgian_endpoint_with_bad_check_digits_is_no_vat_number():
    xml = tampered(
        "vat-category-O.xml",
        '<cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>',
        '<cbc:EndpointID schemeID="9925">BE0403170702</cbc:EndpointID>',
    )
    assert parse_ubl(xml).supplier.vat_number is None


def test_gln_endpoint_is_no_vat_number():
    doc = parse_ubl(load("vat-category-O.xml"))  # EndpointID schemeID 0088 (GLN)
    assert doc.supplier.vat_number is None


def test_iban_spaces_are_removed():
    xml = tampered(
        "vat-category-O.xml", "<cbc:ID>SE1212341234123412</cbc:ID>", "<cbc:ID>SE12 1234 1234 1234 12</cbc:ID>"
    )
    assert parse_ubl(xml).supplier.iban == "SE1212341234123412"


def test_credit_note_due_date_comes_from_payment_means():
    xml = tampered(
        "base-creditnote-correction.xml",
        "<cbc:PaymentID>Snippet1</cbc:PaymentID>",
        "<cbc:PaymentDueDate>2017-12-24</cbc:PaymentDueDate><cbc:PaymentID>Snippet1</cbc:PaymentID>",
    )
    assert parse_ubl(xml).due_date == date(2017, 12, 24)


# -- refused documents ---------------------------------------------------------


def test_malformed_xml_is_refused():
    with pytest.raises(UblError, match="not well-formed XML"):
        parse_ubl(load("base-example.xml")[:-20])


def test_empty_input_is_refused():
    with pytest.raises(UblError, match="not well-formed XML"):
        parse_ubl(b"")


def test_unknown_root_is_refused():
    xml = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>'
    with pytest.raises(UblError, match="not a UBL Invoice or CreditNote"):
        parse_ubl(xml)


def test_invoice_without_ubl_namespace_is_refused():
    with pytest.raises(UblError, match="not a UBL Invoice or CreditNote"):
        parse_ubl(b"<Invoice><ID>1</ID></Invoice>")


def test_external_entity_payload_is_refused_without_reading_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = load("base-example.xml").replace(
        b"<Invoice ", f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<Invoice '.encode(), 1
    )
    xml = xml.replace(b"<cbc:ID>Snippet1</cbc:ID>", b"<cbc:ID>&xxe;</cbc:ID>", 1)
    with pytest.raises(UblError, match="DTD") as excinfo:
        parse_ubl(xml)
    assert "TOP-SECRET" not in str(excinfo.value)


def test_entity_expansion_bomb_is_refused():
    """libxml2 may stop it as not well-formed (amplification) before our DTD check: refused either way."""
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY l0 "lol">{lol}]><Invoice>&l9;</Invoice>'
    with pytest.raises(UblError, match="DTD|not well-formed"):
        parse_ubl(xml.encode())


def test_plain_doctype_is_refused():
    xml = load("base-example.xml").replace(b"<Invoice ", b"<!DOCTYPE Invoice>\n<Invoice ", 1)
    with pytest.raises(UblError, match="DTD"):
        parse_ubl(xml)


def test_tampered_tax_exclusive_amount_is_refused_with_a_clear_message():
    xml = tampered(
        "base-example.xml",
        '<cbc:TaxExclusiveAmount currencyID="EUR">1325</cbc:TaxExclusiveAmount>',
        '<cbc:TaxExclusiveAmount currencyID="EUR">1335</cbc:TaxExclusiveAmount>',
    )
    with pytest.raises(UblError) as excinfo:
        parse_ubl(xml)
    assert str(excinfo.value) == (
        "UBL invoice Snippet1: LegalMonetaryTotal/TaxExclusiveAmount 1335.00 differs from the lines (1300.00)"
        " minus allowances (0.00) plus charges (25.00); the supplier's document is inconsistent"
        " — ask the supplier for a corrected invoice"
    )


def test_line_amounts_that_do_not_add_up_are_refused():
    xml = tampered(
        "base-example.xml",
        '<cbc:LineExtensionAmount currencyID="EUR">-1500</cbc:LineExtensionAmount>',
        '<cbc:LineExtensionAmount currencyID="EUR">-1400</cbc:LineExtensionAmount>',
    )
    with pytest.raises(
        UblError, match=r"LineExtensionAmount 1300\.00 differs from the sum of the lines \(1400\.00\)"
    ):
        parse_ubl(xml)


def test_vat_breakdown_taxable_that_differs_from_total_excl_is_refused():
    xml = tampered(
        "base-example.xml",
        '<cbc:TaxableAmount currencyID="EUR">1325</cbc:TaxableAmount>',
        '<cbc:TaxableAmount currencyID="EUR">1300</cbc:TaxableAmount>',
    )
    with pytest.raises(
        UblError, match=r"TaxExclusiveAmount 1325\.00 differs from the VAT breakdown \(1300\.00\)"
    ):
        parse_ubl(xml)


def test_vat_subtotals_that_differ_from_tax_total_are_refused():
    xml = tampered(
        "vat-category-Z.xml",
        '<cbc:TaxAmount currencyID="GBP">0.00</cbc:TaxAmount>\n        <cac:TaxSubtotal>',
        '<cbc:TaxAmount currencyID="GBP">0.01</cbc:TaxAmount>\n        <cac:TaxSubtotal>',
    )
    with pytest.raises(
        UblError,
        match=r"UBL invoice Vat-Z: TaxTotal/TaxAmount 0\.01 differs from the VAT breakdown \(0\.00\)",
    ):
        parse_ubl(xml)


def test_tax_inclusive_that_is_not_excl_plus_vat_is_refused():
    xml = tampered(
        "base-example.xml",
        '<cbc:TaxInclusiveAmount currencyID="EUR">1656.25</cbc:TaxInclusiveAmount>',
        '<cbc:TaxInclusiveAmount currencyID="EUR">1656.26</cbc:TaxInclusiveAmount>',
    )
    with pytest.raises(UblError, match=r"TaxInclusiveAmount 1656\.26 differs"):
        parse_ubl(xml)


def test_payable_that_ignores_prepaid_is_refused():
    xml = tampered(
        "Allowance-example.xml",
        '<cbc:PayableAmount currencyID="EUR">6125.00</cbc:PayableAmount>',
        '<cbc:PayableAmount currencyID="EUR">7125.00</cbc:PayableAmount>',
    )
    with pytest.raises(UblError, match=r"PayableAmount 7125\.00 differs .* minus PrepaidAmount \(1000\.00\)"):
        parse_ubl(xml)


def test_inconsistent_credit_note_asks_for_a_corrected_credit_note():
    xml = tampered(
        "base-creditnote-correction.xml",
        '<cbc:TaxInclusiveAmount currencyID="EUR">1656.25</cbc:TaxInclusiveAmount>',
        '<cbc:TaxInclusiveAmount currencyID="EUR">1600.00</cbc:TaxInclusiveAmount>',
    )
    with pytest.raises(UblError, match=r"^UBL credit note Snippet1: .*corrected credit note$"):
        parse_ubl(xml)


@pytest.mark.parametrize(
    ("old", "field"),
    [
        ("<cbc:IssueDate>2018-08-30</cbc:IssueDate>", "cbc:IssueDate"),
        ("<cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>", "cbc:DocumentCurrencyCode"),
    ],
)
def test_missing_required_header_field_is_named(old, field):
    with pytest.raises(UblError, match=f"^UBL invoice Vat-O: {field} is missing$"):
        parse_ubl(tampered("vat-category-O.xml", old, ""))


def test_missing_document_number_is_named():
    xml = tampered("vat-category-O.xml", "<cbc:ID>Vat-O</cbc:ID>", "")
    with pytest.raises(UblError, match=r"^UBL invoice \(without cbc:ID\): cbc:ID is missing$"):
        parse_ubl(xml)


def test_missing_legal_monetary_total_is_refused():
    xml = load("vat-category-O.xml")
    start, end = xml.index(b"<cac:LegalMonetaryTotal>"), xml.index(b"</cac:LegalMonetaryTotal>")
    xml = xml[:start] + xml[end + len(b"</cac:LegalMonetaryTotal>") :]
    with pytest.raises(UblError, match="cac:LegalMonetaryTotal is missing"):
        parse_ubl(xml)


def test_document_without_lines_is_refused():
    xml = load("vat-category-O.xml")
    start, end = xml.index(b"<cac:InvoiceLine>"), xml.index(b"</cac:InvoiceLine>")
    xml = xml[:start] + xml[end + len(b"</cac:InvoiceLine>") :]
    with pytest.raises(UblError, match="cac:InvoiceLine is missing: the document has no lines"):
        parse_ubl(xml)


def test_missing_line_amount_names_the_line():
    xml = tampered(
        "base-example.xml",
        '<cbc:LineExtensionAmount currencyID="EUR">-1500</cbc:LineExtensionAmount>',
        "",
    )
    with pytest.raises(UblError, match=r"cac:InvoiceLine\[2\]/cbc:LineExtensionAmount is missing"):
        parse_ubl(xml)


def test_amount_that_is_not_a_number_is_refused():
    xml = tampered(
        "vat-category-O.xml",
        '<cbc:PayableAmount currencyID="SEK">3200.00</cbc:PayableAmount>',
        '<cbc:PayableAmount currencyID="SEK">3.200,00</cbc:PayableAmount>',
    )
    with pytest.raises(UblError, match=r"LegalMonetaryTotal/cbc:PayableAmount '3\.200,00' is not a number"):
        parse_ubl(xml)


def test_invalid_issue_date_is_refused():
    xml = tampered(
        "vat-category-O.xml",
        "<cbc:IssueDate>2018-08-30</cbc:IssueDate>",
        "<cbc:IssueDate>2018-02-30</cbc:IssueDate>",
    )
    with pytest.raises(UblError, match=r"cbc:IssueDate '2018-02-30' is not a date"):
        parse_ubl(xml)


def test_tax_total_only_in_another_currency_is_refused():
    xml = load("vat-category-O.xml").replace(
        b'currencyID="SEK">0.00</cbc:TaxAmount>', b'currencyID="EUR">0.00</cbc:TaxAmount>', 1
    )
    with pytest.raises(UblError, match="cac:TaxTotal in the document currency SEK is missing"):
        parse_ubl(xml)


def test_ubl_error_is_a_value_error():
    assert issubclass(UblError, ValueError)
