"""Sales and purchase entries: validation, VAT, totals, booking numbers and closed periods.

One ``Ledger`` describes each side, so both follow the same rules:

- lines carry ``AmountFC`` excluding VAT; the server computes ``VATAmountFC``
  = round(AmountFC x percentage, 2) (half up) unless the line overrides it;
  the header ``AmountFC`` is the sum of lines plus VAT;
- credit notes (Type 21 / 31): lines are stored as sent, positive or
  negative (header totals follow them); the Type alone makes the document a
  credit, so ``GAccountAmountFC`` (the receivable / payable) is always
  -|total|. A negative *invoice* (Type 20 / 30) keeps its negative sign;
- ``EntryNumber`` is the next number per journal and financial year
  (``yy`` + journal code + 4-digit counter, e.g. 26700001) unless given; a
  given number already used in that journal and year is refused;
- the entry date must fall in an existing, open financial period.

Amounts are ``Decimal`` from the request body (parsed exactly) to the stored
document and the response, never floats: a line of 123456789012345.67 is
booked and read back to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import (
    CLOSED,
    PURCHASE_ENTRIES,
    PURCHASE_ENTRY_LINES,
    SALES_ENTRIES,
    SALES_ENTRY_LINES,
    EntitySet,
)
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.odata.values import date_of, wire_date, wire_timestamp
from sandbox.exact_online.payload import read_body, required

#: Without DueDate or a numeric PaymentCondition, an entry is due this many days after its date.
DEFAULT_PAYMENT_DAYS = 30
#: GL account types that cannot take an entry line: receivables, payables, VAT.
CONTROL_ACCOUNT_TYPES = (20, 22, 24)
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Ledger:
    side: str
    entries: EntitySet
    lines: EntitySet
    party: str
    invoice_type: int
    credit_type: int
    journal_types: tuple[int, int]
    #: VATTransactionType values this side may use (S or P, and B for both).
    vat_sides: tuple[str, str]
    type_descriptions: dict[int, str]

    @property
    def lines_property(self) -> str:
        return next(iter(self.entries.navigation))

    @property
    def party_name(self) -> str:
        return f"{self.party}Name"


SALES = Ledger("sales", SALES_ENTRIES, SALES_ENTRY_LINES, "Customer", 20, 21, (20, 21), ("S", "B"),
               {20: "Verkoopboeking", 21: "Creditnota verkoop"})
PURCHASE = Ledger("purchase", PURCHASE_ENTRIES, PURCHASE_ENTRY_LINES, "Supplier", 30, 31, (22, 23), ("P", "B"),
                  {30: "Inkoopboeking", 31: "Creditnota inkoop"})
LEDGERS = {ledger.entries.path: ledger for ledger in (SALES, PURCHASE)}


def _open_period(books: Books, day: dt.date) -> Doc:
    period = books.period(day)
    if period is None:
        raise ODataError(f"No financial period exists for {day.isoformat()}.")
    if period.get(CLOSED):
        raise ODataError(f"Period is closed: {period['FinYear']}/{period['FinPeriod']}.")
    return period


def _party(books: Books, ledger: Ledger, account_id: str) -> Doc:
    account = books.account(account_id)
    if account is None:
        raise ODataError(f"{ledger.party}: account {account_id} could not be found.")
    if account["Blocked"]:
        raise ODataError(f"{ledger.party}: account {account['Code'].strip()} is blocked.")
    return account


def _journal(books: Books, ledger: Ledger, code: str) -> Doc:
    journal = books.journal(code)
    if journal is None:
        raise ODataError(f"Journal {code} could not be found.")
    if journal["Type"] not in ledger.journal_types or journal["IsBlocked"]:
        raise ODataError(f"Journal {code} is not a {ledger.side} journal.")
    return journal


def _line(books: Books, ledger: Ledger, raw: Any, header_description: str | None) -> Doc:
    values = read_body(raw, ledger.lines)
    gl_id = required(values, "GLAccount")
    gl = books.gl_account(gl_id)
    if gl is None:
        raise ODataError(f"GL account {gl_id} could not be found.")
    if gl["IsBlocked"] or gl["Type"] in CONTROL_ACCOUNT_TYPES:
        raise ODataError(f"GL account {gl['Code']} cannot be used in a {ledger.side} entry line.")
    amount = cents(required(values, "AmountFC"))
    code = values.get("VATCode") or gl["VATCode"]
    if not code:
        raise ODataError("VATCode: Mandatory field.")
    vat = books.vat_code(code)
    if vat is None:
        raise ODataError(f"VAT code {code} could not be found.")
    if vat["VATTransactionType"] not in ledger.vat_sides or vat["IsBlocked"]:
        raise ODataError(f"VAT code {code} is not a {ledger.side} VAT code.")
    percentage = Decimal(str(vat["Percentage"]))
    override = values.get("VATAmountFC")
    vat_amount = cents(amount * percentage) if override is None else cents(override)
    return {
        "ID": None, "EntryID": None, "LineNumber": None,
        "AmountDC": amount, "AmountFC": amount,
        "Description": values.get("Description") or header_description,
        "GLAccount": gl["ID"], "GLAccountCode": gl["Code"], "GLAccountDescription": gl["Description"],
        "Quantity": values.get("Quantity"),
        "VATAmountDC": vat_amount, "VATAmountFC": vat_amount,
        "VATBaseAmountDC": amount, "VATBaseAmountFC": amount,
        "VATCode": vat["Code"], "VATCodeDescription": vat["Description"], "VATPercentage": percentage,
        "Division": books.division,
    }


def _lines(books: Books, ledger: Ledger, raw_lines: Any, entry_id: str, description: str | None,
           new_id: Callable[[], str]) -> list[Doc]:
    if not raw_lines:
        raise ODataError(f"{ledger.lines_property}: at least one line is required.")
    lines = [_line(books, ledger, raw, description) for raw in raw_lines]
    for number, line in enumerate(lines, 1):
        line.update(ID=new_id(), EntryID=entry_id, LineNumber=number)
    return lines


def _totals(ledger: Ledger, entry_type: int, lines: list[Doc]) -> dict[str, Decimal]:
    vat = sum((Decimal(str(line["VATAmountFC"])) for line in lines), Decimal("0.00"))
    total = sum((Decimal(str(line["AmountFC"])) for line in lines), Decimal("0.00")) + vat
    receivable = -abs(total) if entry_type == ledger.credit_type else total
    return {"AmountDC": total, "AmountFC": total, "VATAmountDC": vat, "VATAmountFC": vat,
            "GAccountAmountFC": receivable}


def _used_numbers(books: Books, ledger: Ledger, journal: str, year: int, skip: str | None = None) -> set[int]:
    return {doc["EntryNumber"] for doc in books.docs(ledger.entries.path)
            if doc["Journal"] == journal and doc["ReportingYear"] == year and doc["EntryID"] != skip}


def _next_number(used: set[int], journal: str, year: int) -> int:
    if used:
        return max(used) + 1
    prefix = int(journal) if journal.isdigit() and int(journal) < 100 else 0
    return (year % 100) * 1_000_000 + prefix * 10_000 + 1


def _due_date(values: dict[str, Any], entry_date: dt.date) -> dt.date:
    if values.get("DueDate") is not None:
        return values["DueDate"].date()
    condition = values.get("PaymentCondition") or ""
    days = int(condition) if condition.isdigit() else DEFAULT_PAYMENT_DAYS
    return entry_date + dt.timedelta(days=days)


def create_entry(books: Books, ledger: Ledger, body: Any, new_id: Callable[[], str], now: float) -> Doc:
    """Validate and book a POSTed entry; returns the stored document (lines included)."""
    values = read_body(body, ledger.entries)
    account = _party(books, ledger, required(values, ledger.party))
    journal = _journal(books, ledger, required(values, "Journal"))
    entry_date = required(values, "EntryDate").date()
    period = _open_period(books, entry_date)
    default_type = ledger.credit_type if journal["Type"] == ledger.journal_types[1] else ledger.invoice_type
    entry_type = values.get("Type") or default_type
    if entry_type not in (ledger.invoice_type, ledger.credit_type):
        raise ODataError(f"Type must be {ledger.invoice_type} or {ledger.credit_type}.")
    currency = values.get("Currency") or "EUR"
    if currency != "EUR":
        raise ODataError(f"Currency {currency} is not supported by the sandbox (EUR only).")
    used = _used_numbers(books, ledger, journal["Code"], period["FinYear"])
    number = values.get("EntryNumber")
    if number in used:
        raise ODataError(f"Booking number already exists: {number}.")
    if number is None:
        number = _next_number(used, journal["Code"], period["FinYear"])
    entry_id = new_id()
    description = values.get("Description")
    lines = _lines(books, ledger, values.get(ledger.lines_property), entry_id, description, new_id)
    stamp = wire_timestamp(now)
    entry: Doc = {
        "EntryID": entry_id,
        **_totals(ledger, entry_type, lines),
        "Currency": currency, "Description": description,
        "DueDate": wire_date(_due_date(values, entry_date)), "EntryDate": wire_date(entry_date),
        "EntryNumber": number, "ExternalLinkReference": values.get("ExternalLinkReference"),
        "Journal": journal["Code"], "JournalDescription": journal["Description"],
        "PaymentCondition": values.get("PaymentCondition"), "PaymentReference": values.get("PaymentReference"),
        "Rate": Decimal("1.0"), "ReportingPeriod": period["FinPeriod"], "ReportingYear": period["FinYear"],
        "Reversal": False, "Status": 20, "StatusDescription": "Open",
        "Type": entry_type, "TypeDescription": ledger.type_descriptions[entry_type],
        "YourRef": values.get("YourRef"), "Division": books.division, "Created": stamp, "Modified": stamp,
        ledger.party: account["ID"], ledger.party_name: account["Name"],
        ledger.lines_property: lines,
    }
    if ledger is SALES:
        entry.update(InvoiceNumber=values.get("InvoiceNumber") or number, OrderNumber=values.get("OrderNumber"))
    else:
        invoice_date = values.get("InvoiceDate")
        entry["InvoiceDate"] = wire_date(invoice_date.date() if invoice_date else entry_date)
    books.store.insert(ledger.entries.path, books.division, entry_id, entry)
    return entry


#: Header fields a PUT may change; lines are replaced when the lines property is sent.
UPDATABLE = ("Description", "YourRef", "PaymentReference", "PaymentCondition", "ExternalLinkReference", "DueDate",
             "InvoiceDate", "OrderNumber")


def update_entry(books: Books, ledger: Ledger, entry: Doc, body: Any, new_id: Callable[[], str],
                 now: float) -> None:
    """PUT: change header fields and/or replace the lines; journal, type and number stay."""
    values = read_body(body, ledger.entries)
    for name in ("Journal", "Type", "EntryNumber", "Currency"):
        if name in values and values[name] != entry[name]:
            raise ODataError(f"{name} cannot be changed.")
    _open_period(books, date_of(entry["EntryDate"]))
    if "EntryDate" in values:
        period = _open_period(books, required(values, "EntryDate").date())
        if period["FinYear"] != entry["ReportingYear"]:
            raise ODataError("EntryDate cannot move an entry to another financial year.")
        entry.update(EntryDate=wire_date(values["EntryDate"].date()), ReportingPeriod=period["FinPeriod"])
    if ledger.party in values:
        account = _party(books, ledger, required(values, ledger.party))
        entry.update({ledger.party: account["ID"], ledger.party_name: account["Name"]})
    for name in UPDATABLE:
        if name in values and name in ledger.entries.properties:
            value = values[name]
            entry[name] = wire_date(value.date()) if isinstance(value, dt.datetime) else value
    if ledger.lines_property in values:
        lines = _lines(books, ledger, values[ledger.lines_property], entry["EntryID"], entry["Description"], new_id)
        entry.update(_totals(ledger, entry["Type"], lines))
        entry[ledger.lines_property] = lines
    entry["Modified"] = wire_timestamp(now)
    books.store.update(ledger.entries.path, books.division, entry["EntryID"], entry)


def delete_entry(books: Books, ledger: Ledger, entry: Doc) -> None:
    _open_period(books, date_of(entry["EntryDate"]))
    if any(r.entry_id == entry["EntryID"] and r.kind != "fee" for r in books.store.settlements(books.division)):
        raise ODataError("The entry has payments and cannot be deleted.")
    books.store.forget_entry(books.division, entry["EntryID"])
    books.store.delete(ledger.entries.path, books.division, entry["EntryID"])
