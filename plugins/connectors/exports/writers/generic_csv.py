"""Generic CSV: the export as three plain files any accounting package or spreadsheet can import.

Files (UTF-8 without a byte order mark, a header row, ``\\r\\n`` line ends and minimal quoting as RFC 4180
says), named ``<entity>_<from>_<to>_<file>.csv`` with ISO dates:

- ``documents.csv``: one row per invoice or credit note, in the export's order.
- ``lines.csv``: one row per document line (items, document-level discounts and charges), in document order.
- ``customers.csv``: one row per customer the documents reference; left out when the export does not
  export customers.

Values: amounts with a decimal point and exactly two decimals (``-12.50``), VAT rates as percent numbers
(``21``, ``6``, ``0``, ``5.5``), quantities, unit prices and discount percentages as exact decimals (never an
exponent), dates as ``YYYY-MM-DD``, an empty cell where there is no value. Credit notes carry positive
amounts, like the records they come from (``document_type`` says which is which); discount lines are
negative. The ``csv_delimiter`` parameter picks ``,`` or ``;`` (for spreadsheets in a comma-decimal locale);
the decimal mark stays a point either way.

VAT per rate, exactly as Focus states it: each line carries ``vat_amount``, its share of Focus's VAT for the
line's rate in the document, spread over the document's lines at that rate in proportion to their amounts
(largest remainder, ``connectors.money.allocate``: the same rule the connector uses everywhere). So for every
document and rate:

- Focus's taxable amount = the sum of ``amount_excl`` of the document's lines with that ``vat_rate``;
- Focus's VAT = the sum of ``vat_amount`` of the same lines (Focus's figure, never recomputed from the rate);

and, since validation lets only balanced documents through, the document's ``total_excl`` and ``total_vat``
are those sums over all its lines; ``amount_incl`` is ``amount_excl + vat_amount`` per line. A document whose lines do not add up to Focus's taxable amount at a
rate (validation refuses those before an export) is refused here too, naming the document and the rate,
rather than written in a way that would break this promise.

Spreadsheet formulas: a text value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a single quote in front (``neutralise``), so a spreadsheet shows it instead of running it.
Numbers and dates this writer formats itself are never prefixed. A structured communication is written
without its ``+++`` delimiters (``090/9337/55493``: the same twelve digits, nothing a spreadsheet would run);
other text that starts with a trigger for a good reason gets the quote, e.g. an international phone number
(``'+32 ...``); an importer strips one leading quote to get the value back.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.exports.records import ExportBatch, ExportCustomer, ExportDocument, ExportLine
from connectors.exports.writers.base import PackageParam, Writer
from connectors.money import CENT, allocate

__all__ = ["CUSTOMER_COLUMNS", "DOCUMENT_COLUMNS", "LINE_COLUMNS", "WRITER", "CsvWriter", "neutralise"]

#: What a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";")

DOCUMENT_COLUMNS = (
    "document_type",  # invoice | credit_note
    "number",
    "date",
    "due_date",
    "journal",
    "customer_number",
    "customer_name",
    "customer_vat_number",
    "currency",
    "total_excl",
    "total_vat",
    "total_incl",
    "payable",
    "structured_communication",
    "payment_reference",
    "credited_invoice",
    "credited_invoice_date",
    "from_negative_invoice",  # true | false: a Focus invoice with a negative total, exported as a credit note
    "focus_type",  # invoice | creditNote
    "focus_id",
    "customer_focus_type",  # company | contact
    "customer_focus_id",
)
LINE_COLUMNS = (
    "document_number",
    "document_type",
    "document_date",
    "line",
    "kind",  # item | discount | charge
    "description",
    "quantity",
    "unit_price",
    "discount_percent",
    "amount_excl",
    "vat_rate",
    "vat_category",  # UNCL5305: S, Z, E, AE, K, G, O
    "vat_amount",
    "amount_incl",
    "vat_exemption_code",
    "vat_exemption_reason",
    "ledger_account",
    "journal",
    "document_focus_id",
)
CUSTOMER_COLUMNS = (
    "customer_number",
    "name",
    "vat_number",
    "enterprise_number",
    "email",
    "phone",
    "address_line",
    "postal_code",
    "city",
    "country",
    "iban",
    "bic",
    "language",
    "is_person",  # true | false
    "focus_type",  # company | contact
    "focus_id",
)


def _communication(value: str | None) -> str:
    """``+++090/9337/55493+++`` → ``090/9337/55493``: checked digits, written so no spreadsheet runs them."""
    return _text(value.strip("+*")) if value else ""


def neutralise(value: str) -> str:
    """``value`` made safe for a spreadsheet: prefixed with ``'`` when it starts with a formula trigger.

    The rest is kept as it is. A value that already starts with ``'`` starts with no trigger, so it is left
    alone (never escaped twice).
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


class CsvWriter(Writer):
    package = "csv"
    title = "Generic CSV (documents, lines, customers)"
    params = (
        PackageParam(
            "csv_delimiter",
            ",",
            "Field delimiter",
            'The character between fields: "," (the CSV standard), or ";" for spreadsheets set to a locale '
            "that uses a decimal comma. Amounts keep a decimal point either way.",
            enum=DELIMITERS,
        ),
    )

    def write(self, batch: ExportBatch, folder: Path) -> list[Path]:
        delimiter = batch.params.get("csv_delimiter", ",")
        if delimiter not in DELIMITERS:
            raise ValueError(f"csv_delimiter must be one of {', '.join(map(repr, DELIMITERS))}, not {delimiter!r}")
        stem = f"{batch.entity}_{batch.period_from.isoformat()}_{batch.period_to.isoformat()}"
        documents_path = folder / f"{stem}_documents.csv"
        lines_path = folder / f"{stem}_lines.csv"
        with _open(documents_path, delimiter) as documents, _open(lines_path, delimiter) as lines:
            documents.writerow(DOCUMENT_COLUMNS)
            lines.writerow(LINE_COLUMNS)
            for doc in batch.documents:
                documents.writerow(_document_row(doc))
                lines.writerows(_line_rows(doc))
        files = [documents_path, lines_path]
        if batch.export_customers:
            customers_path = folder / f"{stem}_customers.csv"
            with _open(customers_path, delimiter) as customers:
                customers.writerow(CUSTOMER_COLUMNS)
                customers.writerows(_customer_row(c) for c in batch.customers)
            files.append(customers_path)
        return files


WRITER = CsvWriter


# -- rows ------------------------------------------------------------------------------------------


def _document_type(doc: ExportDocument) -> str:
    return "credit_note" if doc.is_credit_note else "invoice"


def _document_row(doc: ExportDocument) -> list[str]:
    customer = doc.customer
    return [
        _document_type(doc),
        _text(doc.number),
        _date(doc.date),
        _date(doc.due_date),
        _text(doc.journal),
        _text(customer.number),
        _text(customer.name),
        _text(customer.vat_number),
        _text(doc.currency),
        _amount(doc.total_excl),
        _amount(doc.total_vat),
        _amount(doc.total_incl),
        _amount(doc.payable),
        _communication(doc.structured_communication),
        _text(doc.payment_reference),
        _text(doc.credited_number),
        _date(doc.credited_date),
        _flag(doc.from_negative_invoice),
        _text(doc.source_type),
        _text(doc.source_id),
        _text(customer.ref.type),
        _text(customer.ref.id),
    ]


def _line_rows(doc: ExportDocument) -> list[list[str]]:
    shares = _vat_shares(doc)
    return [_line_row(doc, line, vat) for line, vat in zip(doc.lines, shares, strict=True)]


def _line_row(doc: ExportDocument, line: ExportLine, vat: Decimal) -> list[str]:
    return [
        _text(doc.number),
        _document_type(doc),
        _date(doc.date),
        str(line.number),
        str(line.kind.value),
        _text(line.description),
        _exact(line.quantity),
        _exact(line.unit_price),
        _exact(line.discount_percent),
        _amount(line.amount),
        _rate(line.tax_rate),
        _text(line.vat_category),
        _amount(vat),
        _amount(line.amount + vat),
        _text(line.exemption_code),
        _text(line.exemption_reason),
        _text(line.ledger_account),
        _text(doc.journal),
        _text(doc.source_id),
    ]


def _customer_row(customer: ExportCustomer) -> list[str]:
    address = customer.address
    return [
        _text(customer.number),
        _text(customer.name),
        _text(customer.vat_number),
        _text(customer.national_id),
        _text(customer.email),
        _text(customer.phone),
        _text(address.line_1 if address else None),
        _text(address.postal_code if address else None),
        _text(address.city if address else None),
        _text(address.country if address else None),
        _text(customer.iban),
        _text(customer.bic),
        _text(customer.language),
        _flag(customer.is_person),
        _text(customer.ref.type),
        _text(customer.ref.id),
    ]


def _vat_shares(doc: ExportDocument) -> list[Decimal]:
    """Focus's VAT per rate spread over the document's lines at that rate, one share per line, in line order.

    Refuses a document whose lines at a rate do not add up to Focus's taxable amount at that rate (a rate
    Focus does not state counts as zero), since the file could then not give Focus's figures back."""
    stated: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for vat in doc.vat:
        stated[vat.rate][0] += vat.taxable
        stated[vat.rate][1] += vat.tax
    at_rate: dict[Decimal, list[int]] = defaultdict(list)
    for k, line in enumerate(doc.lines):
        at_rate[line.tax_rate].append(k)
    shares = [Decimal("0.00")] * len(doc.lines)
    for rate in sorted(set(stated) | set(at_rate)):
        taxable, tax = stated.get(rate, (Decimal("0.00"), Decimal("0.00")))
        indexes = at_rate.get(rate, [])
        lines_total = sum((doc.lines[k].amount for k in indexes), Decimal("0.00"))
        if lines_total != taxable or (not indexes and tax):
            raise ValueError(
                f"{doc.label}: its {_rate(rate)}% lines add up to {lines_total}, but Focus states {taxable} "
                f"taxable and {tax} VAT at that rate; the CSV files could not give Focus's VAT back"
            )
        if indexes:
            for k, share in zip(indexes, allocate(tax, [doc.lines[k].amount for k in indexes]), strict=True):
                shares[k] = share
    return shares


# -- values ----------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return "" if value is None else neutralise(value)


def _amount(value: Decimal | None) -> str:
    """Money with exactly two decimals; refuses fractions of a cent rather than round them away."""
    if value is None:
        return ""
    cents = value.quantize(CENT)
    if cents != value:
        raise ValueError(f"{value} has fractions of a cent")
    return format(cents if cents else abs(cents), "f")  # never "-0.00"


def _exact(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value if value else abs(value), "f")  # never "-0"


def _rate(rate: Decimal) -> str:
    """0.21 → "21", 0.055 → "5.5", 0 → "0"."""
    return format((rate * 100).normalize(), "f")


def _date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


@contextmanager
def _open(path: Path, delimiter: str) -> Iterator[Any]:
    """A csv writer on a new UTF-8 file: minimal quoting, ``\\r\\n`` line ends (RFC 4180)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        yield csv.writer(file, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
