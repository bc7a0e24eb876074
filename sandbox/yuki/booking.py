"""Booking one invoice request: the per-invoice rules of ``ProcessSalesInvoices`` / ``ProcessPurchaseInvoices``.

Each rule that fails raises ``Rejected`` with the message the import
response shows for that invoice; nothing of it is written. In order:

1. ``Currency`` must be EUR (or absent): "Currency USD is not supported (EUR only)";
2. the contact: a ``ContactCode`` must be a contact of the domain ("Contact
   not found"); without a code, ``FullName`` finds one by name or a contact
   is created from the invoice's ``<Contact>`` (Yuki auto-creates contacts);
   neither: "Contact not found";
3. per line the GL account: sales lines a revenue account (default: the
   scheme's first, 700000 / 8000), purchase lines a cost account; "GL
   account 709999 not found", "... is disabled", "... is not a revenue account";
4. per line the VAT type (``chart`` table): a ``VATType`` must exist in the
   administration's country and agree with a ``VATPercentage`` sent beside
   it; without a type the percentage picks one; neither: refused;
5. purchases: ``InvoiceAmount`` must equal the lines' net + VAT; a
   difference of at most 0.05 is absorbed into the VAT unless
   ``disableAutoCorrect`` (then, or when larger: refused).

Then ``Process=true`` books the invoice (status ``booked``, a balanced entry:
receivable/payable = total on the contact, revenue/cost per line, VAT per VAT
type; signs follow the amounts, so a credit note books the other way round)
and ``Process=false`` keeps a draft (no entry, never an open item). Each entry
line gets ``HID``, the administration's running line number (what
``GetTransactionDetails`` shows as ``hID``); VAT lines carry their
``VATType``. There is
no idempotency: the same ``Reference`` twice is booked twice, as on Yuki.
Without ``Reference`` the invoice is numbered ``<year>-<5 digits>`` per
administration; ``Date`` defaults to today, ``DueDate`` to ``Date`` + 30 days.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sandbox.yuki import amounts
from sandbox.yuki.chart import (
    COST,
    PAYABLE,
    RECEIVABLE,
    REVENUE,
    VAT_PAYABLE,
    VAT_RECEIVABLE,
    Ledger,
    VatType,
)
from sandbox.yuki.contactbook import ContactBook
from sandbox.yuki.invoices import ContactRef, InvoiceRequest, PurchaseLine, SalesLine
from sandbox.yuki.store import ADMINISTRATION, DOCUMENT, Doc, YukiStore

SALES, PURCHASE = "sales", "purchase"
AUTO_CORRECT_LIMIT = Decimal("0.05")
DUE_DAYS = 30
#: Invoice ``<Contact>`` element -> contact field, for contacts created from an invoice.
_NEW_CONTACT = {"FullName": "FullName", "FirstName": "FirstName", "MiddleName": "MiddleName",
                "LastName": "LastName", "CountryCode": "Country", "City": "City", "Zipcode": "PostCode",
                "AddressLine_1": "AddressLine_1", "AddressLine_2": "AddressLine_2", "EmailAddress": "EmailAddress",
                "Website": "Website", "CoCNumber": "CoCNumber", "VATNumber": "VATNumber", "ContactType": "Type",
                "BankAccount": "BankAccount", "PhoneHome": "PhoneHome", "MobileHome": "MobileHome"}


class Rejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _contact(book: ContactBook, ref: ContactRef, kind: str, now: float) -> Doc:
    if ref.code:
        found = book.by_code(ref.code)
        if found is None:
            raise Rejected("Contact not found")
        return found
    if not ref.full_name:
        raise Rejected("Contact not found")
    found = book.by_name(ref.full_name)
    if found is not None:
        return found
    fields: dict[str, Any] = {field: ref.details[name] for name, field in _NEW_CONTACT.items()
                              if ref.details.get(name)}
    fields["IsCustomer" if kind == SALES else "IsSupplier"] = True
    return book.create(fields, now)


def _account(ledger: Ledger, code: str | None, kind: str) -> str:
    code = code or ledger.default_revenue
    account = ledger.accounts.get(code)
    if account is None:
        raise Rejected(f"GL account {code} not found")
    if not account.enabled:
        raise Rejected(f"GL account {code} is disabled")
    wanted = REVENUE if kind == SALES else COST
    if account.subtype != wanted:
        raise Rejected(f"GL account {code} is not a {'revenue' if kind == SALES else 'cost'} account")
    return code


def _vat_type(ledger: Ledger, code: int | None, percentage: Decimal | None) -> VatType:
    if code is not None:
        found = ledger.vat_type(code)
        if found is None:
            raise Rejected(f"VAT type {code} does not exist in {ledger.country}")
        if percentage is not None and percentage != found.percentage:
            raise Rejected(f"VATPercentage {percentage} does not match VAT type {code} ({found.percentage} %)")
        return found
    if percentage is None:
        raise Rejected("VATType or VATPercentage is required")
    found = ledger.vat_type_for(percentage)
    if found is None:
        raise Rejected(f"No VAT type for {percentage} %")
    return found


def _lines(ledger: Ledger, kind: str, request: InvoiceRequest, totals: amounts.Totals) -> list[Doc]:
    lines = []
    for line in request.lines:
        if isinstance(line, SalesLine):
            account = _account(ledger, line.gl_account, SALES)
            vat = _vat_type(ledger, line.vat_type, line.vat_percentage)
            amounts.sales_line(totals, line.quantity, line.price, vat.code, vat.percentage, line.vat_included)
            extra: Doc = {"Quantity": line.quantity, "SalesPrice": line.price, "VATIncluded": line.vat_included}
        else:
            assert isinstance(line, PurchaseLine)
            account = _account(ledger, line.gl_account, PURCHASE)
            vat = _vat_type(ledger, line.vat_type, None)
            amounts.purchase_line(totals, line.amount, line.vat_amount, vat.code, vat.percentage)
            extra = {}
        lines.append({"Description": line.description, "GLAccountCode": account, "VATType": vat.code,
                      "VATPercentage": vat.percentage, "NetAmount": totals.nets[-1], **extra})
    return lines


def _auto_correct(request: InvoiceRequest, totals: amounts.Totals, auto_correct: bool) -> str:
    """Purchases: the invoice amount against the lines; the message of a correction ('' without one)."""
    if request.amount is None or request.amount == totals.total:
        return ""
    difference = request.amount - totals.total
    taxed = [group for group in totals.groups.values() if group.rate > 0]
    if not auto_correct or abs(difference) > AUTO_CORRECT_LIMIT or not taxed:
        raise Rejected(f"InvoiceAmount {request.amount} does not match the invoice lines ({totals.total})")
    max(taxed, key=lambda group: abs(group.vat)).fixed += difference
    return f"Rounding difference {difference} corrected in the VAT amount"


def _entry(ledger: Ledger, kind: str, lines: list[Doc], totals: amounts.Totals, subject: str) -> list[Doc]:
    """Debit positive: sales debit the receivable, purchases credit the payable (signs follow the amounts)."""
    sign = 1 if kind == SALES else -1
    control = ledger.control(RECEIVABLE if kind == SALES else PAYABLE)
    vat_account = ledger.control(VAT_PAYABLE if kind == SALES else VAT_RECEIVABLE)
    entry = [{"GLAccountCode": control, "Amount": sign * totals.total, "Description": subject}]
    entry += [{"GLAccountCode": line["GLAccountCode"], "Amount": -sign * line["NetAmount"],
               "Description": line["Description"]} for line in lines]
    entry += [{"GLAccountCode": vat_account, "Amount": -sign * group.vat, "Description": f"VAT type {group.code}",
               "VATType": group.code} for group in totals.groups.values() if group.vat != 0]
    assert sum((row["Amount"] for row in entry), amounts.ZERO) == 0
    return entry


def _number(store: YukiStore, administration: Doc, year: str, now: float) -> str:
    numbers = administration.setdefault("Numbers", {})
    numbers[year] = numbers.get(year, 0) + 1
    store.put(ADMINISTRATION, administration["DomainID"], administration["ID"], administration, now)
    return f"{year}-{numbers[year]:05d}"


def _line_numbers(store: YukiStore, administration: Doc, entry: list[Doc], now: float) -> list[Doc]:
    """Give each entry line its ``HID``: the administration's running transaction-line number."""
    last = administration.get("TransactionHID", 0)
    for offset, row in enumerate(entry, 1):
        row["HID"] = last + offset
    administration["TransactionHID"] = last + len(entry)
    store.put(ADMINISTRATION, administration["DomainID"], administration["ID"], administration, now)
    return entry


def book(store: YukiStore, administration: Doc, kind: str, request: InvoiceRequest, now: float, today: str, *,
         auto_correct: bool = True) -> Doc:
    """Check and store one invoice; raises ``Rejected``. Answers the stored document (``Message``: a
    correction note, else empty)."""
    if request.currency.upper() != "EUR":
        raise Rejected(f"Currency {request.currency} is not supported (EUR only)")
    ledger = Ledger(administration["Country"])
    contact = _contact(ContactBook(store, administration["DomainID"]), request.contact, kind, now)
    totals = amounts.Totals()
    lines = _lines(ledger, kind, request, totals)
    message = _auto_correct(request, totals, auto_correct) if kind == PURCHASE else ""
    date = request.date or today
    due = request.due_date or (dt.date.fromisoformat(date) + dt.timedelta(days=DUE_DAYS)).isoformat()
    subject = request.subject or request.reference or ""
    doc = {
        "ID": str(uuid.uuid4()), "AdministrationID": administration["ID"], "Kind": kind,
        "Status": "booked" if request.process else "draft",
        "Reference": request.reference or _number(store, administration, date[:4], now),
        "Subject": request.subject, "Date": date, "DueDate": due, "Currency": "EUR",
        "PaymentMethod": request.payment_method, "PaymentID": request.payment_id, "Remarks": request.remarks,
        "ContactID": contact["ID"], "ContactCode": contact["Code"], "ContactName": contact["FullName"],
        "Amount": totals.total, "NetAmount": totals.net, "VATAmount": totals.vat, "Lines": lines,
        "VAT": [{"VATType": g.code, "VATPercentage": g.rate, "BaseAmount": g.base, "VATAmount": g.vat}
                for g in totals.groups.values()],
        "Entry": _line_numbers(store, administration, _entry(ledger, kind, lines, totals, subject), now)
        if request.process else [],
        "EmailSent": request.email and request.process and kind == SALES, "Message": message,
    }
    store.put(DOCUMENT, administration["ID"], doc["ID"], doc, now)
    return doc
