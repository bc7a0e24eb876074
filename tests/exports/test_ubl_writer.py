"""The UBL writer: Peppol BIS Billing 3.0 invoices and credit notes in one zip, read back with lxml.

Every expected figure is computed here from the batch built here (``ubl_batches``), never taken from the writer;
every file must pass both official rule sets (CEN EN16931 UBL and Peppol BIS 3.0) without a fatal failure."""

from __future__ import annotations

import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors.domain import Address, LineKind, PartyRef
from connectors.exports.records import ExportCustomer, ExportDocument
from connectors.exports.schematron import validate_peppol
from connectors.exports.writers import writer_for
from connectors.exports.writers.ubl import UblWriter
from tests.exports import ubl_batches as cases
from tests.exports.ubl_batches import (
    BE_CONTRACTOR,
    BE_CUSTOMER,
    CASES,
    DE_CUSTOMER,
    INVALID_BE_VAT,
    NL_CUSTOMER,
    SELLER,
    US_CUSTOMER,
    all_cases,
    batch_of,
)

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}

# -- writing and reading back ----------------------------------------------------------------------


def write(documents: list[ExportDocument], folder: Path, **params: object) -> Path:
    [path] = UblWriter().write(batch_of(documents, params=params), folder)
    return path


def entries(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()}


def written(doc: ExportDocument, folder: Path, **params: object) -> etree._Element:
    """The one XML written for ``doc``."""
    [root] = entries(write([doc], folder, **params)).values()
    return root


def text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, NS)
    return None if found is None else found.text


def amount(node: etree._Element, path: str) -> Decimal:
    found = node.find(path, NS)
    assert found is not None, f"no {path}"
    assert len(found.text.partition(".")[2]) == 2, f"{path} = {found.text!r} has not exactly 2 decimals"
    return D(found.text)


def lines_of(root: etree._Element) -> list[etree._Element]:
    return root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)


def quantity_of(line: etree._Element) -> Decimal:
    return D(text(line, "cbc:InvoicedQuantity") or text(line, "cbc:CreditedQuantity"))


def fatal_failures(xml: bytes) -> list[str]:
    return [f"{f.rule_set} {f.rule_id} at {f.location}: {f.message}" for f in validate_peppol(xml) if f.fatal]


def adjustments(line: etree._Element, charge_indicator: str) -> Decimal:
    """The line's allowances ("false") or charges ("true"), added up."""
    found = [
        a
        for a in line.findall("cac:AllowanceCharge", NS)
        if text(a, "cbc:ChargeIndicator") == charge_indicator
    ]
    return sum((amount(a, "cbc:Amount") for a in found), D("0.00"))


def items(doc: ExportDocument):
    return [line for line in doc.lines if line.kind is LineKind.ITEM]


# -- the zip ---------------------------------------------------------------------------------------


def test_one_zip_named_after_entity_and_period_with_one_xml_per_document(tmp_path):
    path = write(all_cases(), tmp_path)

    assert path == tmp_path / "noord_2026-03-01_2026-03-31_ubl.zip"
    assert list(tmp_path.iterdir()) == [path]
    names = list(entries(path))
    assert len(names) == len(CASES)
    assert "invoice_2026-17.xml" in names
    assert "creditnote_2026-3.xml" in names


def test_entry_names_stay_unique_when_numbers_make_the_same_file_name(tmp_path):
    first, second = cases.zero_rated(), cases.zero_rated()
    second = ExportDocument(**{**cases._fields(second), "number": "2026/18", "source_id": "other"})

    assert list(entries(write([first, second], tmp_path))) == ["invoice_2026-18.xml", "invoice_2026-18_2.xml"]


def test_the_same_export_gives_the_same_bytes(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()

    assert write(all_cases(), one).read_bytes() == write(all_cases(), two).read_bytes()


def test_documents_are_read_once_as_a_stream(tmp_path):
    pulled = []

    def stream():
        for make in CASES.values():
            pulled.append(make)
            yield make()

    assert len(entries(write(stream(), tmp_path))) == len(CASES) == len(pulled)


def test_the_registry_gives_the_ubl_writer():
    writer = writer_for("ubl")

    assert isinstance(writer, UblWriter)
    assert (writer.package, writer.title) == ("ubl", "UBL 2.1 / Peppol BIS Billing 3.0")


# -- the official rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_every_file_passes_both_official_rule_sets(case, tmp_path):
    path = write([CASES[case]()], tmp_path)
    with zipfile.ZipFile(path) as archive:
        [name] = archive.namelist()
        xml = archive.read(name)

    assert fatal_failures(xml) == []


def test_files_with_expert_m_numbers_pass_both_official_rule_sets(tmp_path):
    path = write(all_cases(), tmp_path, ubl_document_numbers="year_and_sequence_9")

    assert UblWriter().check([path]) == []


def test_check_reports_a_corrupted_total_with_its_rule_id(tmp_path):
    path = write([cases.standard_rates()], tmp_path)
    with zipfile.ZipFile(path) as archive:
        [name] = archive.namelist()
        xml = archive.read(name)
    tree = etree.fromstring(xml)
    payable = tree.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)
    payable.text = str(D(payable.text) + D("1.00"))
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr(name, etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))

    problems = UblWriter().check([broken])

    assert problems
    assert all(problem.startswith(f"{name}: ") for problem in problems)
    assert any("BR-CO-16" in problem for problem in problems)


# -- document type, numbers, references --------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_document_type_follows_the_kind(case, tmp_path):
    doc = CASES[case]()
    root = written(doc, tmp_path)

    if doc.is_credit_note:
        assert root.tag == f"{{{NS['cn']}}}CreditNote"
        assert text(root, "cbc:CreditNoteTypeCode") == "381"
        assert len(root.findall("cac:CreditNoteLine", NS)) == len(items(doc))
    else:
        assert root.tag == f"{{{NS['inv']}}}Invoice"
        assert text(root, "cbc:InvoiceTypeCode") == "380"
        assert len(root.findall("cac:InvoiceLine", NS)) == len(items(doc))
    assert text(root, "cbc:CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert text(root, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text(root, "cbc:IssueDate") == doc.date.isoformat()
    assert text(root, "cbc:DocumentCurrencyCode") == "EUR"


def test_former_negative_invoice_is_a_credit_note_with_positive_amounts(tmp_path):
    doc = cases.former_negative_invoice()
    root = written(doc, tmp_path)

    assert root.tag == f"{{{NS['cn']}}}CreditNote"
    assert text(root, "cbc:ID") == doc.number
    assert amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == doc.total_incl > 0
    assert doc.number in text(root, "cbc:Note")


def test_credit_note_refers_to_the_credited_invoice(tmp_path):
    doc = cases.credit_note()
    root = written(doc, tmp_path)

    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert text(reference, "cbc:ID") == doc.credited_number
    assert text(reference, "cbc:IssueDate") == doc.credited_date.isoformat()


def test_year_and_sequence_9_numbers_the_document_and_the_credited_invoice(tmp_path):
    root = written(cases.credit_note(), tmp_path, ubl_document_numbers="year_and_sequence_9")

    assert text(root, "cbc:ID") == "202600003"
    assert text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "202600017"


def test_year_and_sequence_9_names_the_zip_entry_after_the_exported_number(tmp_path):
    names = entries(write([cases.standard_rates()], tmp_path, ubl_document_numbers="year_and_sequence_9"))

    assert list(names) == ["invoice_202600017.xml"]


def test_an_unknown_number_style_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="ubl_document_numbers"):
        write([cases.standard_rates()], tmp_path, ubl_document_numbers="roman")
    assert list(tmp_path.iterdir()) == []


def test_the_buyer_reference_is_the_customer_number(tmp_path):
    assert text(written(cases.standard_rates(), tmp_path), "cbc:BuyerReference") == BE_CUSTOMER.number


def test_the_buyer_reference_is_the_document_number_without_a_customer_number(tmp_path):
    customer = ExportCustomer(**{**_customer_fields(BE_CUSTOMER), "number": None})
    doc = ExportDocument(**{**cases._fields(cases.standard_rates()), "customer": customer})

    assert text(written(doc, tmp_path), "cbc:BuyerReference") == doc.number


# -- amounts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_vat_breakdown_is_focus_taxable_and_tax_per_rate_to_the_cent(case, tmp_path):
    doc = CASES[case]()
    root = written(doc, tmp_path)

    exported = {}
    for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS):
        category = text(subtotal, "cac:TaxCategory/cbc:ID")
        percent = D(text(subtotal, "cac:TaxCategory/cbc:Percent") or "0")
        exported[(percent, category)] = (
            amount(subtotal, "cbc:TaxableAmount"),
            amount(subtotal, "cbc:TaxAmount"),
        )
    expected = {(v.rate * 100, v.vat_category): (v.taxable, v.tax) for v in doc.vat}
    assert exported == expected
    assert len(root.findall("cac:TaxTotal", NS)) == 1
    assert amount(root, "cac:TaxTotal/cbc:TaxAmount") == sum(v.tax for v in doc.vat)


@pytest.mark.parametrize("case", list(CASES))
def test_legal_monetary_totals_are_the_batch_totals(case, tmp_path):
    doc = CASES[case]()
    root = written(doc, tmp_path)
    totals = root.find("cac:LegalMonetaryTotal", NS)
    discounts = [line.amount for line in doc.lines if line.kind is LineKind.DISCOUNT]
    charges = [line.amount for line in doc.lines if line.kind is LineKind.CHARGE]
    payable = doc.payable if doc.payable is not None else doc.total_incl

    assert amount(totals, "cbc:LineExtensionAmount") == sum(line.amount for line in items(doc))
    assert amount(totals, "cbc:TaxExclusiveAmount") == doc.total_excl
    assert amount(totals, "cbc:TaxInclusiveAmount") == doc.total_incl == doc.total_excl + doc.total_vat
    assert amount(totals, "cbc:PayableAmount") == payable
    if discounts:
        assert amount(totals, "cbc:AllowanceTotalAmount") == -sum(discounts)
    else:
        assert totals.find("cbc:AllowanceTotalAmount", NS) is None
    if charges:
        assert amount(totals, "cbc:ChargeTotalAmount") == sum(charges)
    else:
        assert totals.find("cbc:ChargeTotalAmount", NS) is None
    if payable == doc.total_incl:
        assert totals.find("cbc:PrepaidAmount", NS) is None


@pytest.mark.parametrize("case", list(CASES))
def test_each_line_keeps_focus_amount_and_quantity_times_price_explains_it(case, tmp_path):
    doc = CASES[case]()
    root = written(doc, tmp_path)

    for line, element in zip(items(doc), lines_of(root), strict=True):
        assert text(element, "cbc:ID") == str(line.number)
        assert amount(element, "cbc:LineExtensionAmount") == line.amount
        price = D(text(element, "cac:Price/cbc:PriceAmount"))
        assert price >= 0
        allowances, charges = adjustments(element, "false"), adjustments(element, "true")
        explained = quantity_of(element) * price - allowances + charges
        assert abs(explained - line.amount) <= D("0.005"), (line, explained)  # the allowance is to the cent
        assert text(element, "cac:Item/cbc:Name")
        assert text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == line.vat_category


def test_standard_rates_21_12_and_6_are_category_s_with_their_percent(tmp_path):
    root = written(cases.standard_rates(), tmp_path)

    categories = [
        (
            text(e, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
            text(e, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        )
        for e in lines_of(root)
    ]
    assert categories == [("S", "21"), ("S", "12"), ("S", "6")]
    assert root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode", NS) is None


def test_zero_rated_is_category_z_at_0_percent_without_exemption_reason(tmp_path):
    category = written(cases.zero_rated(), tmp_path).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)

    assert (text(category, "cbc:ID"), text(category, "cbc:Percent")) == ("Z", "0")
    assert category.find("cbc:TaxExemptionReasonCode", NS) is None
    assert category.find("cbc:TaxExemptionReason", NS) is None


@pytest.mark.parametrize(
    ("case", "category", "code", "reason"),
    [
        ("reverse_charge", "AE", "VATEX-EU-AE", cases.AE_REASON),
        ("intra_community", "K", "VATEX-EU-IC", None),
        ("export_outside_eu", "G", "VATEX-EU-G", "Export outside the EU"),
        ("exempt", "E", None, cases.E_REASON),
        ("outside_scope", "O", "VATEX-EU-O", "Not subject to VAT"),
    ],
)
def test_zero_rate_categories_carry_their_exemption_reason(case, category, code, reason, tmp_path):
    element = written(CASES[case](), tmp_path).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)

    assert text(element, "cbc:ID") == category
    assert text(element, "cbc:TaxExemptionReasonCode") == code
    if reason:
        assert text(element, "cbc:TaxExemptionReason") == reason


def test_reverse_charge_carries_the_vat_numbers_of_seller_and_buyer(tmp_path):
    root = written(cases.reverse_charge(), tmp_path)

    assert (
        text(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
        == SELLER.vat_number
    )
    assert text(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") == (
        BE_CONTRACTOR.vat_number
    )


def test_intra_community_supply_states_delivery_date_and_country(tmp_path):
    doc = cases.intra_community()
    delivery = written(doc, tmp_path).find("cac:Delivery", NS)

    assert text(delivery, "cbc:ActualDeliveryDate") == doc.date.isoformat()
    assert text(delivery, "cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode") == "DE"


def test_outside_scope_documents_carry_no_vat_identifier_and_no_rate(tmp_path):
    root = written(cases.outside_scope(), tmp_path)

    assert root.findall(".//cac:PartyTaxScheme", NS) == []
    assert root.findall(".//cbc:Percent", NS) == []
    assert (
        text(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID") == "0403170701"
    )


def test_a_discount_over_two_rates_becomes_one_document_allowance_per_rate(tmp_path):
    doc = cases.discount_over_two_rates()
    root = written(doc, tmp_path)

    found = [
        (
            text(a, "cbc:ChargeIndicator"),
            text(a, "cbc:AllowanceChargeReasonCode"),
            text(a, "cbc:AllowanceChargeReason"),
            amount(a, "cbc:Amount"),
            text(a, "cac:TaxCategory/cbc:ID"),
            D(text(a, "cac:TaxCategory/cbc:Percent")),
        )
        for a in root.findall("cac:AllowanceCharge", NS)
    ]
    expected = [
        ("false", "95", line.description, -line.amount, line.vat_category, line.tax_rate * 100)
        for line in doc.lines
        if line.kind is LineKind.DISCOUNT
    ]
    assert found == expected
    assert len(expected) == 2


def test_a_charge_becomes_a_document_charge(tmp_path):
    doc = cases.with_charge()
    [charge] = written(doc, tmp_path).findall("cac:AllowanceCharge", NS)
    [source] = [line for line in doc.lines if line.kind is LineKind.CHARGE]

    assert text(charge, "cbc:ChargeIndicator") == "true"
    assert text(charge, "cbc:AllowanceChargeReason") == source.description
    assert amount(charge, "cbc:Amount") == source.amount
    assert (text(charge, "cac:TaxCategory/cbc:ID"), text(charge, "cac:TaxCategory/cbc:Percent")) == (
        "S",
        "21",
    )


def test_a_discount_percent_with_rounding_becomes_a_line_allowance_for_the_difference(tmp_path):
    doc = cases.discount_percent_rounding()
    first = lines_of(written(doc, tmp_path))[0]
    source = doc.lines[0]
    gross = source.quantity * source.unit_price

    [allowance] = first.findall("cac:AllowanceCharge", NS)
    assert text(allowance, "cbc:ChargeIndicator") == "false"
    assert text(allowance, "cbc:AllowanceChargeReason") == "Discount"
    assert amount(allowance, "cbc:Amount") == gross - source.amount == D("2.10")
    assert D(text(allowance, "cbc:MultiplierFactorNumeric")) == source.discount_percent
    assert amount(allowance, "cbc:BaseAmount") == gross
    assert D(text(first, "cac:Price/cbc:PriceAmount")) == source.unit_price
    assert amount(first, "cbc:LineExtensionAmount") == source.amount


def test_a_price_with_more_than_two_decimals_is_kept_and_the_allowance_rounded_to_the_cent(tmp_path):
    doc = cases.discount_percent_rounding()
    second = lines_of(written(doc, tmp_path))[1]

    assert text(second, "cac:Price/cbc:PriceAmount") == "33.333"
    assert amount(second, "cac:AllowanceCharge/cbc:Amount") == D("3.33")


def test_a_fractional_quantity_is_written_exactly(tmp_path):
    doc = cases.fractional_quantity()
    quantities = [quantity_of(e) for e in lines_of(written(doc, tmp_path))]

    assert quantities == [line.quantity for line in doc.lines]
    assert lines_of(written(doc, tmp_path))[0].find("cbc:InvoicedQuantity", NS).get("unitCode") == "C62"


def test_a_quantity_times_price_below_focus_amount_becomes_a_line_charge(tmp_path):
    line = lines_of(written(cases.fractional_quantity(), tmp_path))[1]  # 0.333 × 45 = 14.985, Focus 14.99

    [charge] = line.findall("cac:AllowanceCharge", NS)
    assert text(charge, "cbc:ChargeIndicator") == "true"
    assert amount(charge, "cbc:Amount") == D("0.01")


def test_a_negative_line_has_a_negative_quantity_and_a_positive_price(tmp_path):
    doc = cases.negative_line()
    returned = lines_of(written(doc, tmp_path))[1]

    assert quantity_of(returned) == -doc.lines[1].quantity
    assert D(text(returned, "cac:Price/cbc:PriceAmount")) == -doc.lines[1].unit_price
    assert amount(returned, "cbc:LineExtensionAmount") == doc.lines[1].amount


def test_a_line_without_quantity_or_price_is_one_unit_at_its_amount(tmp_path):
    doc = cases.negative_line()
    voucher = lines_of(written(doc, tmp_path))[2]

    assert quantity_of(voucher) == -1
    assert D(text(voucher, "cac:Price/cbc:PriceAmount")) == abs(doc.lines[2].amount)


def test_withheld_tax_is_the_prepaid_amount(tmp_path):
    doc = cases.withheld_tax()
    totals = written(doc, tmp_path).find("cac:LegalMonetaryTotal", NS)

    assert amount(totals, "cbc:PrepaidAmount") == doc.total_incl - doc.payable
    assert amount(totals, "cbc:PayableAmount") == doc.payable


def test_every_amount_has_the_document_currency_and_two_decimals(tmp_path):
    for root in entries(write(all_cases(), tmp_path)).values():
        for element in root.iter():
            if element.get("currencyID") is not None:
                assert element.get("currencyID") == "EUR"
                if not element.tag.endswith("PriceAmount"):
                    assert len(element.text.partition(".")[2]) == 2, etree.tostring(element)


# -- payment ---------------------------------------------------------------------------------------


def test_structured_communication_is_the_payment_id_with_the_seller_iban(tmp_path):
    doc = cases.standard_rates()
    means = written(doc, tmp_path).find("cac:PaymentMeans", NS)

    assert text(means, "cbc:PaymentMeansCode") in ("30", "58")
    assert text(means, "cbc:PaymentID") == doc.structured_communication
    assert text(means, "cac:PayeeFinancialAccount/cbc:ID") == SELLER.iban.replace(" ", "")
    assert text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID") == SELLER.bic


def test_an_invoice_with_a_due_date_states_it(tmp_path):
    doc = cases.standard_rates()

    assert text(written(doc, tmp_path), "cbc:DueDate") == doc.due_date.isoformat()


def test_an_invoice_without_due_date_states_payment_terms(tmp_path):
    doc = ExportDocument(**{**cases._fields(cases.standard_rates()), "due_date": None})
    root = written(doc, tmp_path)

    assert root.find("cbc:DueDate", NS) is None
    assert text(root, "cac:PaymentTerms/cbc:Note")


def test_no_payment_means_without_account_or_reference(tmp_path):
    doc = cases.credit_note()  # the customer has an IBAN: take it away, and there is no reference
    customer = ExportCustomer(**{**_customer_fields(doc.customer), "iban": None, "bic": None})
    doc = ExportDocument(**{**cases._fields(doc), "customer": customer})

    assert written(doc, tmp_path).find("cac:PaymentMeans", NS) is None


# -- parties ---------------------------------------------------------------------------------------


def test_a_belgian_seller_is_addressed_by_its_enterprise_number(tmp_path):
    party = written(cases.standard_rates(), tmp_path).find("cac:AccountingSupplierParty/cac:Party", NS)
    endpoint = party.find("cbc:EndpointID", NS)

    assert (endpoint.get("schemeID"), endpoint.text) == ("0208", SELLER.vat_number[2:])
    assert text(party, "cac:PartyTaxScheme/cbc:CompanyID") == SELLER.vat_number
    assert text(party, "cac:PartyLegalEntity/cbc:RegistrationName") == SELLER.name
    assert text(party, "cac:PartyLegalEntity/cbc:CompanyID") == SELLER.vat_number[2:]
    assert text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "BE"


@pytest.mark.parametrize(
    ("case", "customer", "scheme", "identifier"),
    [
        ("standard_rates", BE_CUSTOMER, "0208", BE_CUSTOMER.vat_number[2:]),
        ("withheld_tax", NL_CUSTOMER, "9944", NL_CUSTOMER.vat_number),
        ("intra_community", DE_CUSTOMER, "9930", DE_CUSTOMER.vat_number),
        ("export_outside_eu", US_CUSTOMER, "9959", US_CUSTOMER.national_id.replace("-", "")),
    ],
)
def test_the_buyer_is_addressed_by_a_scheme_of_the_peppol_list(case, customer, scheme, identifier, tmp_path):
    party = written(CASES[case](), tmp_path).find("cac:AccountingCustomerParty/cac:Party", NS)
    endpoint = party.find("cbc:EndpointID", NS)

    assert (endpoint.get("schemeID"), endpoint.text) == (scheme, identifier)
    assert text(party, "cac:PartyIdentification/cbc:ID") == customer.number
    assert text(party, "cac:PartyName/cbc:Name") == customer.name
    assert text(party, "cac:PartyLegalEntity/cbc:RegistrationName") == customer.name
    assert text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == customer.address.country
    assert text(party, "cac:PartyTaxScheme/cbc:CompanyID") == customer.vat_number


def test_the_buyer_contact_has_its_email_and_phone(tmp_path):
    party = written(cases.standard_rates(), tmp_path).find("cac:AccountingCustomerParty/cac:Party", NS)

    assert text(party, "cac:Contact/cbc:ElectronicMail") == BE_CUSTOMER.email
    assert text(party, "cac:Contact/cbc:Telephone") == BE_CUSTOMER.phone


# -- customer gaps ---------------------------------------------------------------------------------


def _customer_fields(customer: ExportCustomer) -> dict[str, object]:
    return {name: getattr(customer, name) for name in ExportCustomer.__dataclass_fields__}


def gaps(customer: ExportCustomer, *categories: str) -> dict[str, str]:
    return {gap.field: gap.message for gap in UblWriter().customer_gaps(customer, categories or ("S",))}


@pytest.mark.parametrize("customer", [BE_CUSTOMER, BE_CONTRACTOR, NL_CUSTOMER, DE_CUSTOMER, US_CUSTOMER])
def test_a_complete_customer_has_no_gaps(customer):
    assert gaps(customer, "S", "Z") == {}


def test_a_customer_without_name_is_a_gap():
    customer = ExportCustomer(**{**_customer_fields(BE_CUSTOMER), "name": " "})

    assert "name" in gaps(customer)["name"]


def test_a_customer_without_country_is_a_gap():
    customer = ExportCustomer(**{**_customer_fields(US_CUSTOMER), "address": Address(city="Springfield")})

    assert "country" in gaps(customer)["address.country"]


def test_a_customer_without_vat_or_enterprise_number_has_no_electronic_address():
    person = ExportCustomer(
        ref=PartyRef("contact", "p-1"),
        name="Jan Peeters",
        email="jan@example.be",
        address=Address(line_1="Dorp 1", postal_code="3000", city="Leuven", country="BE"),
        is_person=True,
    )

    message = gaps(person)["vat_number"]
    assert "add the customer's VAT number" in message
    assert "e-mail" in message


def test_a_belgian_enterprise_number_without_vat_number_is_enough():
    customer = ExportCustomer(
        **{**_customer_fields(BE_CUSTOMER), "vat_number": None, "national_id": BE_CUSTOMER.vat_number[2:]}
    )

    assert gaps(customer) == {}


@pytest.mark.parametrize("category", ["AE", "K"])
def test_reverse_charge_and_intra_community_need_the_buyer_vat_number(category):
    customer = ExportCustomer(
        **{**_customer_fields(BE_CUSTOMER), "vat_number": None, "national_id": BE_CUSTOMER.vat_number[2:]}
    )

    assert "add the customer's VAT number in Focus" in gaps(customer, "S", category)["vat_number"]


def test_an_invalid_belgian_vat_number_is_a_gap():
    customer = ExportCustomer(**{**_customer_fields(BE_CUSTOMER), "vat_number": INVALID_BE_VAT})

    assert INVALID_BE_VAT in gaps(customer)["vat_number"]


def test_a_complete_batch_written_after_the_gaps_check_is_valid(tmp_path):
    writer = UblWriter()
    by_customer = defaultdict(set)
    docs = all_cases()
    for doc in docs:
        by_customer[doc.customer].update(line.vat_category for line in doc.lines)

    found = {customer.name: writer.customer_gaps(customer, used) for customer, used in by_customer.items()}
    assert {name: found_gaps for name, found_gaps in found.items() if found_gaps} == {}
    assert writer.check(writer.write(batch_of(docs), tmp_path)) == []


def test_a_document_with_fractions_of_a_cent_is_refused_and_leaves_no_zip(tmp_path):
    doc = ExportDocument(**{**cases._fields(cases.zero_rated()), "total_excl": D("80.001")})

    with pytest.raises(ValueError, match="fractions of a cent"):
        write([cases.standard_rates(), doc], tmp_path)
    assert list(tmp_path.iterdir()) == []
