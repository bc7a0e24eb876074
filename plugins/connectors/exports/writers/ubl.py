"""UBL 2.1 / Peppol BIS Billing 3.0: one XML per invoice or credit note, all in one zip file.

The zip is ``<entity>_<from>_<to>_ubl.zip`` (ISO dates); its entries are ``invoice_<number>.xml`` and
``creditnote_<number>.xml`` (the exported document number made file-name safe, ``_2``, ``_3`` … on a clash).
Entries are written one document at a time as the batch streams, with a fixed timestamp and mode, so the same
export gives the same bytes (and checksum) every time.

This module is the writer and the document's assembly; the parties (electronic addresses, VAT and enterprise
numbers) are in ``ubl_parties``, the lines, allowances and VAT breakdown in ``ubl_amounts``, and how values
become elements in ``ubl_values``. What the official rules (CEN EN16931 UBL + Peppol BIS Billing 3.0
Schematron) shaped here:

* Intra-community supply (K) needs a delivery date and country (BR-IC-11/12): the document date and the
  customer's country are used (Focus holds no separate delivery data).
* BR-CO-25: an amount due needs a due date or payment terms: the due date when Focus has one (invoices), else a
  payment terms note. Withheld tax (payable < total incl.) is the paid amount (``PrepaidAmount``, BR-CO-16).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from lxml import etree

from connectors.domain import LineKind
from connectors.exports.records import ExportBatch, ExportCustomer, ExportDocument, Seller
from connectors.exports.writers.base import Gap, PackageParam, Writer
from connectors.exports.writers.ubl_amounts import _document_allowance, _item_line, _tax_subtotal
from connectors.exports.writers.ubl_parties import (
    _buyer,
    _compact,
    _country,
    _seller,
    electronic_address,
    enterprise_number,  # noqa: F401 (importable from here, as before the split)
    vat_id,
)
from connectors.exports.writers.ubl_values import CAC, CBC, _amount, _cac, _cbc, _money

__all__ = ["CUSTOMIZATION_ID", "PROFILE_ID", "WRITER", "UblWriter", "electronic_address", "export_number"]

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

NUMBER_STYLES = ("as_in_focus", "year_and_sequence_9")
#: A fixed zip entry timestamp (the earliest a zip can hold): the same export always gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
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
