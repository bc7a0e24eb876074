"""UBL 2.1 / Peppol BIS Billing 3.0: one XML per invoice or credit note, all in one zip file.

The zip is ``<entity>_<from>_<to>_ubl.zip`` (ISO dates); its entries are ``invoice_<number>.xml`` and
``creditnote_<number>.xml`` (the exported document number made file-name safe, ``_2``, ``_3`` … on a clash).
Entries are written one document at a time as the batch streams, with a fixed timestamp and mode, so the same
export gives the same bytes (and checksum) every time.

What the official rules (CEN EN16931 UBL + Peppol BIS Billing 3.0 Schematron) shaped:

* Electronic addresses (BT-34/BT-49, PEPPOL-EN16931-R010/R020, CL008: the Peppol EAS list, no e-mail ``EM``):
  a Belgian party is addressed by its enterprise number, scheme ``0208`` (10 digits, mod 97: PEPPOL-COMMON-R043),
  taken from its enterprise number or derived from its BE VAT number; others by their VAT number in their
  country's EAS VAT scheme (NL 9944, DE 9930, FR 9957 …, DK 0184, SE 0007, NO 0192, IT 0211, FI 0213), or a
  national id where the list has one (NL KvK 0106, US EIN 9959). No usable id: ``customer_gaps`` says so.
* VAT identifiers carry their country prefix (BR-CO-09); a document with category O carries none (BR-O-02), the
  seller is then identified by its enterprise number (BR-CO-26).
* Lines: Peppol checks quantity × price + line charges − line allowances = line net amount (PEPPOL-EN16931-R120,
  0.02 slack) and a price is never negative (BR-27). The price is Focus's unit price without its sign (the sign
  goes on the quantity); whatever quantity × price does not explain of Focus's line amount (its discount percent,
  its rounding) becomes one line allowance "Discount" (code 95) rounded to the cent (with the percent and base
  when they reproduce it), or a line charge "Rounding" when the amount is larger. The line amount is never changed.
* Document-level discounts / charges → ``AllowanceCharge`` with their VAT category and rate (BR-32/BR-37).
* VAT breakdown: Focus's taxable and tax amounts per (rate, category) as given; E, AE, K, G and O carry an
  exemption reason code or text (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10), S and Z none (BR-S-10, BR-Z-10);
  O has no rate (BR-O-05 … BR-48).
* Intra-community supply (K) needs a delivery date and country (BR-IC-11/12): the document date and the
  customer's country are used (Focus holds no separate delivery data).
* BR-CO-25: an amount due needs a due date or payment terms: the due date when Focus has one (invoices), else a
  payment terms note. Withheld tax (payable < total incl.) is the paid amount (``PrepaidAmount``, BR-CO-16).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree
from stdnum.be import vat as be_vat
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from connectors.domain import Address, LineKind
from connectors.exports.records import (
    ExportBatch,
    ExportCustomer,
    ExportDocument,
    ExportLine,
    ExportVat,
    Seller,
)
from connectors.exports.writers.base import Gap, PackageParam, Writer

__all__ = ["CUSTOMIZATION_ID", "PROFILE_ID", "WRITER", "UblWriter", "electronic_address", "export_number"]

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

NUMBER_STYLES = ("as_in_focus", "year_and_sequence_9")
#: A fixed zip entry timestamp (the earliest a zip can hold): the same export always gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CENT = Decimal("0.01")

#: EAS scheme of a VAT number, by its prefix (Peppol EAS code list, only codes the Schematron accepts).
VAT_SCHEMES = {
    "AD": "9922", "AL": "9923", "AT": "9914", "BA": "9924", "BE": "9925", "BG": "9926", "CH": "9927",
    "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "EL": "9933", "ES": "9920", "FR": "9957",
    "GB": "9932", "HR": "9934", "HU": "9910", "IE": "9935", "LI": "9936", "LT": "9937", "LU": "9938",
    "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943", "NL": "9944", "PL": "9945",
    "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951", "TR": "9952",
    "VA": "9953",
}  # fmt: skip
#: Exemption reason codes (CEF VATEX) a category gets when Focus states none.
DEFAULT_EXEMPTION = {
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Intra-community supply"),
    "G": ("VATEX-EU-G", "Export outside the EU"),
    "O": ("VATEX-EU-O", "Not subject to VAT"),
    "E": (None, "Exempt from VAT"),
}
#: Countries whose IBANs take a SEPA credit transfer (UNCL4461 58) for a payment in euro.
SEPA = frozenset(
    {
        "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR",
        "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI",
        "SK", "SM", "VA",
    }
)  # fmt: skip


def export_number(number: str, style: str) -> str:
    """A Focus document number as exported: ``as_in_focus``, or ``year_and_sequence_9`` (Expert/M: 9 digits
    starting with the year, "2026 / 17" → "202600017"). A number that does not read as year + sequence (or
    whose sequence has more than 5 digits) stays as it is."""
    if style not in NUMBER_STYLES:
        raise ValueError(f"ubl_document_numbers must be one of {', '.join(NUMBER_STYLES)}, not {style!r}")
    if style == "year_and_sequence_9":
        found = re.fullmatch(r"\s*(\d{4})\s*[/\-. ]?\s*(\d{1,5})\s*", number)
        if found:
            return f"{found[1]}{int(found[2]):05d}"
    return number.strip()


def _compact(value: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", value or "").upper()


def vat_id(number: str | None, country: str | None) -> str | None:
    """A VAT number with its country prefix (BR-CO-09; Greece as EL), compacted; None when there is none."""
    compact = _compact(number)
    if not compact:
        return None
    if compact[:2].isalpha():
        return "EL" + compact[2:] if compact[:2] == "GR" else compact
    prefix = (country or "").upper()
    return ("EL" if prefix == "GR" else prefix) + compact


def _country(address: Address | None, vat: str | None) -> str | None:
    """The party's ISO country: its address's, else its VAT number's prefix."""
    if address and address.country and address.country.strip():
        return address.country.strip().upper()
    if vat and vat[:2].isalpha():
        return "GR" if vat[:2] == "EL" else vat[:2]
    return None


def enterprise_number(vat: str | None, national_id: str | None, country: str | None) -> str | None:
    """The Belgian enterprise number (10 digits, valid mod 97) from the national id or a BE VAT number."""
    candidates = []
    if national_id and (country in (None, "BE")):
        candidates.append(_compact(national_id).removeprefix("BE"))
    if vat and vat.startswith("BE"):
        candidates.append(vat[2:])
    for candidate in candidates:
        digits = candidate.zfill(10) if len(candidate) == 9 else candidate
        if re.fullmatch(r"\d{10}", digits) and be_vat.is_valid(digits):
            return digits
    return None


def electronic_address(
    vat_number: str | None, national_id: str | None, country: str | None
) -> tuple[str, str] | None:
    """(EAS scheme, identifier) of a party in the Peppol network, or None when nothing it has qualifies."""
    vat = vat_id(vat_number, country)
    country = country or _country(None, vat)
    enterprise = enterprise_number(vat, national_id, country)
    if enterprise:
        return "0208", enterprise
    if vat and not vat.startswith("BE"):  # an invalid BE number is no address (0208 is mod 97 checked)
        prefix, rest = vat[:2], vat[2:]
        if prefix == "DK" and re.fullmatch(r"\d{8}", rest):
            return "0184", vat
        if prefix == "SE" and re.fullmatch(r"\d{12}", rest) and se_orgnr.is_valid(rest[:10]):
            return "0007", rest[:10]
        if prefix == "NO" and re.fullmatch(r"\d{9}(MVA)?", rest) and no_orgnr.is_valid(rest[:9]):
            return "0192", rest[:9]
        if prefix == "IT" and re.fullmatch(r"\d{11}", rest):
            return "0211", vat
        if prefix == "FI" and re.fullmatch(r"\d{8}", rest):
            return "0213", vat
        if prefix in VAT_SCHEMES:
            return VAT_SCHEMES[prefix], vat
    national = _compact(national_id)
    if national and country == "NL" and re.fullmatch(r"\d{8}", national):
        return "0106", national
    if national and country == "US" and re.fullmatch(r"\d{9}", national):
        return "9959", national
    return None


class UblWriter(Writer):
    package = "ubl"
    title = "UBL 2.1 / Peppol BIS Billing 3.0"
    params = (
        PackageParam(
            "ubl_document_numbers",
            "as_in_focus",
            "Document numbers",
            'The invoice and credit note numbers in the files (cbc:ID and credited invoice numbers): "as_in_focus", '
            'or "year_and_sequence_9" for packages that want 9 digits starting with the year, like Expert/M '
            '("2026 / 17" becomes "202600017").',
            enum=NUMBER_STYLES,
        ),
    )

    def customer_gaps(self, customer: ExportCustomer, vat_categories: Iterable[str]) -> list[Gap]:
        gaps = []
        categories = set(vat_categories)
        vat = vat_id(customer.vat_number, customer.address.country if customer.address else None)
        country = _country(customer.address, vat)
        if not (customer.name or "").strip():
            gaps.append(Gap("name", "add the customer's name in Focus (Peppol requires the buyer's name)"))
        if not country:
            gaps.append(Gap("address.country", "add the customer's country to its address in Focus"))
        needs_vat = sorted(categories & {"AE", "K"})
        if needs_vat and not vat:
            what = " and ".join(
                {"AE": "reverse charge (AE)", "K": "intra-community supply (K)"}[c] for c in needs_vat
            )
            gaps.append(Gap("vat_number", f"add the customer's VAT number in Focus: {what} requires it"))
        elif electronic_address(customer.vat_number, customer.national_id, country) is None:
            if vat and vat.startswith("BE"):
                message = (
                    f"correct the customer's VAT number in Focus: {vat} is not a valid Belgian VAT number"
                )
            else:
                message = (
                    "add the customer's VAT number (or Belgian enterprise number) in Focus: Peppol needs an "
                    "electronic address for the buyer and accepts no e-mail address (a private person has none: "
                    "export that period with the generic CSV package instead)"
                )
            gaps.append(Gap("vat_number", message))
        return gaps

    def write(self, batch: ExportBatch, folder: Path) -> list[Path]:
        style = batch.params.get("ubl_document_numbers", "as_in_focus")
        export_number("", style)  # refuses an unknown style before anything is written
        path = (
            folder / f"{batch.entity}_{batch.period_from.isoformat()}_{batch.period_to.isoformat()}_ubl.zip"
        )
        names: set[str] = set()
        try:
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for doc in batch.documents:  # one entry at a time: the batch is a stream
                    number = export_number(doc.number, style)
                    info = zipfile.ZipInfo(_entry_name(doc, number, names), date_time=ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.create_system = 3
                    info.external_attr = 0o100644 << 16
                    archive.writestr(info, document_xml(doc, batch.seller, number, style))
        except BaseException:
            path.unlink(missing_ok=True)  # no half-written zip left in the staging folder
            raise
        return [path]

    def check(self, files: list[Path]) -> list[str]:
        from connectors.exports.schematron import validate_peppol

        problems = []
        for path in files:
            for entry, xml in _entries(Path(path)):
                try:
                    failures = validate_peppol(xml)
                except ValueError as exc:
                    problems.append(f"{entry}: {exc}")
                    continue
                problems.extend(f"{entry}: {f.rule_id} {f.message}" for f in failures if f.fatal)
        return problems


WRITER = UblWriter


def _entries(path: Path) -> Iterable[tuple[str, bytes]]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.lower().endswith(".xml"):
                    yield name, archive.read(name)
    elif path.suffix.lower() == ".xml":
        yield path.name, path.read_bytes()


def _entry_name(doc: ExportDocument, number: str, taken: set[str]) -> str:
    stem = ("creditnote_" if doc.is_credit_note else "invoice_") + (
        re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-.") or "document"
    )
    name, n = f"{stem}.xml", 1
    while name in taken:
        n += 1
        name = f"{stem}_{n}.xml"
    taken.add(name)
    return name


# -- the document ----------------------------------------------------------------------------------


def document_xml(
    doc: ExportDocument, seller: Seller, number: str | None = None, style: str = "as_in_focus"
) -> bytes:
    """One document as Peppol BIS Billing 3.0 UBL (UTF-8 bytes with an XML declaration)."""
    credit = doc.is_credit_note
    root = etree.Element(
        f"{{{NS_CREDIT_NOTE if credit else NS_INVOICE}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: NS_CREDIT_NOTE if credit else NS_INVOICE, "cac": CAC, "cbc": CBC},
    )
    cur = doc.currency
    categories = {line.vat_category for line in doc.lines} | {vat.vat_category for vat in doc.vat}
    outside_scope = "O" in categories
    number = number if number is not None else export_number(doc.number, style)
    payable = doc.payable if doc.payable is not None else doc.total_incl

    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", number)
    _cbc(root, "IssueDate", doc.date.isoformat())
    if not credit and doc.due_date:
        _cbc(root, "DueDate", doc.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", "381" if credit else "380")
    notes = []
    if doc.from_negative_invoice:
        notes.append(f"Teamleader Focus invoice {doc.number} with a negative total, issued as a credit note.")
    if payable < doc.total_incl:
        notes.append(
            f"Withheld tax of {_money(doc.total_incl - payable)} {cur} deducted from the amount due."
        )
    _cbc(root, "Note", " ".join(notes) or None)
    _cbc(root, "DocumentCurrencyCode", cur)
    _cbc(root, "BuyerReference", (doc.customer.number or "").strip() or number)
    if credit and doc.credited_number:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", export_number(doc.credited_number, style))
        _cbc(reference, "IssueDate", doc.credited_date.isoformat() if doc.credited_date else None)

    seller_vat = vat_id(seller.vat_number, seller.address.country if seller.address else None)
    _seller(_cac(_cac(root, "AccountingSupplierParty"), "Party"), seller, seller_vat, outside_scope)
    customer = doc.customer
    buyer_vat = vat_id(customer.vat_number, customer.address.country if customer.address else None)
    buyer_country = _country(customer.address, buyer_vat)
    _buyer(
        _cac(_cac(root, "AccountingCustomerParty"), "Party"),
        customer,
        buyer_vat,
        buyer_country,
        outside_scope,
    )

    if "K" in categories and buyer_country:
        delivery = _cac(root, "Delivery")
        _cbc(delivery, "ActualDeliveryDate", doc.date.isoformat())
        address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
        _cbc(_cac(address, "Country"), "IdentificationCode", buyer_country)

    _payment_means(root, doc, seller, credit)
    if payable > 0 and (credit or not doc.due_date):
        if credit:
            due = f" by {doc.due_date.isoformat()}" if doc.due_date else ""
            _cbc(_cac(root, "PaymentTerms"), "Note", f"Credit note: to be refunded or set off{due}.")
        else:
            _cbc(_cac(root, "PaymentTerms"), "Note", "Payment terms as agreed (no due date stated).")

    allowances = charges = Decimal("0.00")
    for line in doc.lines:
        if line.kind is LineKind.DISCOUNT:
            allowances += -line.amount
            _document_allowance(root, line, cur, charge=False)
        elif line.kind is LineKind.CHARGE:
            charges += line.amount
            _document_allowance(root, line, cur, charge=True)

    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", doc.total_vat, cur)
    for vat in doc.vat:
        _tax_subtotal(tax_total, vat, doc.lines, cur)

    items = [line for line in doc.lines if line.kind is LineKind.ITEM]
    totals = _cac(root, "LegalMonetaryTotal")
    _amount(totals, "LineExtensionAmount", sum((line.amount for line in items), Decimal("0.00")), cur)
    _amount(totals, "TaxExclusiveAmount", doc.total_excl, cur)
    _amount(totals, "TaxInclusiveAmount", doc.total_incl, cur)
    if any(line.kind is LineKind.DISCOUNT for line in doc.lines):
        _amount(totals, "AllowanceTotalAmount", allowances, cur)
    if any(line.kind is LineKind.CHARGE for line in doc.lines):
        _amount(totals, "ChargeTotalAmount", charges, cur)
    if payable < doc.total_incl:
        _amount(totals, "PrepaidAmount", doc.total_incl - payable, cur)
    elif payable > doc.total_incl:
        _amount(totals, "PayableRoundingAmount", payable - doc.total_incl, cur)
    _amount(totals, "PayableAmount", payable, cur)

    for line in items:
        _item_line(root, line, cur, credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _seller(party: etree._Element, seller: Seller, vat: str | None, outside_scope: bool) -> None:
    country = _country(seller.address, vat)
    endpoint = electronic_address(seller.vat_number, None, country)
    if endpoint:
        _cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    _cbc(_cac(party, "PartyName"), "Name", seller.name)
    _postal_address(party, seller.address, country)
    if vat and not outside_scope:
        _tax_scheme(party, vat)
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", seller.name)
    enterprise = enterprise_number(vat, None, country)
    if enterprise:
        _cbc(legal, "CompanyID", enterprise, schemeID="0208")
    _contact(party, seller.phone, seller.email)


def _buyer(party: etree._Element, customer: ExportCustomer, vat: str | None, country: str | None,
           outside_scope: bool) -> None:  # fmt: skip
    endpoint = electronic_address(customer.vat_number, customer.national_id, country)
    if endpoint:
        _cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    if customer.number and customer.number.strip():
        _cbc(_cac(party, "PartyIdentification"), "ID", customer.number.strip())
    _cbc(_cac(party, "PartyName"), "Name", customer.name)
    _postal_address(party, customer.address, country)
    if vat and not outside_scope:
        _tax_scheme(party, vat)
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", customer.name)
    enterprise = enterprise_number(vat, customer.national_id, country)
    if enterprise:
        _cbc(legal, "CompanyID", enterprise, schemeID="0208")
    _contact(party, customer.phone, customer.email)


def _postal_address(party: etree._Element, address: Address | None, country: str | None) -> None:
    postal = _cac(party, "PostalAddress")
    if address:
        _cbc(postal, "StreetName", address.line_1)
        _cbc(postal, "CityName", address.city)
        _cbc(postal, "PostalZone", address.postal_code)
    if country:
        _cbc(_cac(postal, "Country"), "IdentificationCode", country)


def _tax_scheme(party: etree._Element, vat: str) -> None:
    scheme = _cac(party, "PartyTaxScheme")
    _cbc(scheme, "CompanyID", vat)
    _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")


def _contact(party: etree._Element, phone: str | None, email: str | None) -> None:
    if (phone and phone.strip()) or (email and email.strip()):
        contact = _cac(party, "Contact")
        _cbc(contact, "Telephone", phone)
        _cbc(contact, "ElectronicMail", email)


def _payment_means(root: etree._Element, doc: ExportDocument, seller: Seller, credit: bool) -> None:
    """Credit transfer to the seller's account (a credit note: to the customer's, who is paid), with the
    structured communication (or Focus's payment reference) as PaymentID; left out when there is neither."""
    iban = _compact(doc.customer.iban if credit else seller.iban)
    bic = _compact(doc.customer.bic if credit else seller.bic)
    reference = (doc.structured_communication or doc.payment_reference or "").strip()
    if not iban and not reference:
        return
    means = _cac(root, "PaymentMeans")
    if iban:
        sepa = doc.currency == "EUR" and iban[:2] in SEPA
        _cbc(
            means,
            "PaymentMeansCode",
            "58" if sepa else "30",
            name="SEPA credit transfer" if sepa else "Credit transfer",
        )
    else:
        _cbc(means, "PaymentMeansCode", "1")  # instrument not defined: a reference but no account (BR-61)
    _cbc(means, "PaymentID", reference or None)
    if iban:
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", iban)
        _cbc(account, "Name", doc.customer.name if credit else seller.name)
        if bic:
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", bic)


def _document_allowance(root: etree._Element, line: ExportLine, cur: str, charge: bool) -> None:
    element = _cac(root, "AllowanceCharge")
    _cbc(element, "ChargeIndicator", "true" if charge else "false")
    if not charge:
        _cbc(element, "AllowanceChargeReasonCode", "95")
    _cbc(
        element,
        "AllowanceChargeReason",
        (line.description or "").strip() or ("Charge" if charge else "Discount"),
    )
    _amount(element, "Amount", line.amount if charge else -line.amount, cur)
    _tax_category(element, "TaxCategory", line.vat_category, line.tax_rate)


def _tax_subtotal(tax_total: etree._Element, vat: ExportVat, lines: tuple[ExportLine, ...], cur: str) -> None:
    subtotal = _cac(tax_total, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", vat.taxable, cur)
    _amount(subtotal, "TaxAmount", vat.tax, cur)
    code, reason = vat.exemption_code, vat.exemption_reason
    if vat.vat_category in DEFAULT_EXEMPTION:
        if not code and not reason:  # Focus may state it on the lines only
            same = [
                line for line in lines if line.vat_category == vat.vat_category and line.tax_rate == vat.rate
            ]
            code = next((line.exemption_code for line in same if line.exemption_code), None)
            reason = next((line.exemption_reason for line in same if line.exemption_reason), None)
        default_code, default_reason = DEFAULT_EXEMPTION[vat.vat_category]
        code = code or default_code
        reason = reason or default_reason
    else:
        code = reason = None  # S, Z: no exemption reason (BR-S-10, BR-Z-10)
    _tax_category(subtotal, "TaxCategory", vat.vat_category, vat.rate, code, reason)


def _tax_category(parent: etree._Element, tag: str, category: str, rate: Decimal, code: str | None = None,
                  reason: str | None = None) -> None:  # fmt: skip
    element = _cac(parent, tag)
    _cbc(element, "ID", category)
    if category != "O":  # BR-O-05/06/07: "not subject to VAT" has no rate
        _cbc(element, "Percent", _percent(rate))
    _cbc(element, "TaxExemptionReasonCode", code)
    _cbc(element, "TaxExemptionReason", reason)
    _cbc(_cac(element, "TaxScheme"), "ID", "VAT")


def _item_line(root: etree._Element, line: ExportLine, cur: str, credit: bool) -> None:
    """One item line whose quantity × price ± one line allowance/charge is Focus's amount (PEPPOL-EN16931-R120)."""
    if line.quantity is None or line.unit_price is None or line.quantity == 0:
        quantity = Decimal(-1 if line.amount < 0 else 1)
        price = abs(line.amount)
    else:
        quantity = line.quantity if line.unit_price >= 0 else -line.quantity
        price = abs(line.unit_price)
    base = quantity * price
    difference = (base - line.amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = -1 if base < 0 else 1

    element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", str(line.number))
    _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity", _exact(quantity), unitCode="C62")
    _amount(element, "LineExtensionAmount", line.amount, cur)
    if difference:
        adjust = _cac(element, "AllowanceCharge")
        if difference * sign > 0:  # less than quantity × price: a discount (signed like the line)
            _cbc(adjust, "ChargeIndicator", "false")
            _cbc(adjust, "AllowanceChargeReasonCode", "95")
            _cbc(adjust, "AllowanceChargeReason", "Discount")
            percent = line.discount_percent
            with_base = (
                percent and base == base.quantize(CENT) and abs(base * percent / 100 - difference) <= CENT
            )
            if with_base:
                _cbc(adjust, "MultiplierFactorNumeric", _exact(percent))
            _amount(adjust, "Amount", difference, cur)
            if with_base:
                _amount(adjust, "BaseAmount", base, cur)
        else:  # more than quantity × price: Focus's rounding
            _cbc(adjust, "ChargeIndicator", "true")
            _cbc(adjust, "AllowanceChargeReason", "Rounding")
            _amount(adjust, "Amount", -difference, cur)
    item = _cac(element, "Item")
    description = (line.description or "").strip()
    name = (
        next((part.strip() for part in description.splitlines() if part.strip()), "") or f"Line {line.number}"
    )
    if description and description != name:
        _cbc(item, "Description", description)
    _cbc(item, "Name", name)
    _tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.tax_rate)
    _cbc(_cac(element, "Price"), "PriceAmount", _price(price), currencyID=cur)


# -- values ----------------------------------------------------------------------------------------


def _cac(parent: etree._Element, local: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{local}")


def _cbc(parent: etree._Element, local: str, text: str | None, **attrs: str) -> etree._Element | None:
    """A basic element, or nothing when the value is empty (Peppol refuses empty elements, R008)."""
    if text is None or not str(text).strip():
        return None
    element = etree.SubElement(parent, f"{{{CBC}}}{local}", attrs)
    element.text = str(text).strip()
    return element


def _amount(parent: etree._Element, local: str, value: Decimal, cur: str) -> None:
    _cbc(parent, local, _money(value), currencyID=cur)


def _money(value: Decimal) -> str:
    """Exactly two decimals (UBL-DT-01); refuses fractions of a cent rather than round them away."""
    cents = value.quantize(CENT)
    if cents != value:
        raise ValueError(f"{value} has fractions of a cent")
    return format(cents if cents else abs(cents), "f")  # never "-0.00"


def _price(value: Decimal) -> str:
    """A unit price: at least two decimals, more when Focus has them (prices are not limited to cents)."""
    return _money(value) if value == value.quantize(CENT) else _exact(value)


def _exact(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _percent(rate: Decimal) -> str:
    """0.21 → "21", 0.055 → "5.5", 0 → "0"."""
    return _exact(rate * 100)
