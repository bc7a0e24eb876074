"""The generic CSV writer: three files any package or spreadsheet imports, read back with the csv module.

Every expected value is computed here from the batch built here, never from the writer."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.domain import Address, LineKind, PartyRef
from connectors.exports.records import (
    ExportBatch,
    ExportCustomer,
    ExportDocument,
    ExportLine,
    ExportVat,
    Seller,
)
from connectors.exports.writers import writer_for
from connectors.exports.writers.generic_csv import CsvWriter

D = Decimal
ZERO = D("0.00")
AMOUNT = re.compile(r"-?\d+\.\d{2}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

DOCUMENT_AMOUNTS = ("total_excl", "total_vat", "total_incl", "payable")
LINE_AMOUNTS = ("amount_excl", "vat_amount", "amount_incl")

# -- building batches by hand ----------------------------------------------------------------------

SELLER = Seller(department_id="dep-1", name="Studio Noord BV", vat_number="BE0999999922", currency="EUR")

ACME = ExportCustomer(
    ref=PartyRef("company", "c-acme"),
    name="Brasserie Éléphant & Müller",
    number="C0001",
    vat_number="BE0123456749",
    national_id="0123456749",
    email="boekhouding@elephant.example",
    phone="02 123 45 67",
    address=Address(line_1="Kerkstraat 1, bus 2", postal_code="9000", city="Gent", country="BE"),
    iban="BE71096123456769",
    bic="GKCCBEBB",
    language="nl",
)
#: A private person: no VAT number, no address, no number in the package.
PERSON = ExportCustomer(ref=PartyRef("contact", "p-jurgen"), name="Jürgen Groß 🎉", is_person=True)


def line(
    number: int,
    amount: str,
    rate: str,
    *,
    kind: LineKind = LineKind.ITEM,
    category: str = "S",
    description: str | None = None,
    quantity: str | None = None,
    unit_price: str | None = None,
    discount_percent: str | None = None,
    ledger: str = "700000",
) -> ExportLine:
    return ExportLine(
        number=number,
        description=description if description is not None else f"Line {number}",
        amount=D(amount),
        tax_rate=D(rate),
        vat_category=category,
        ledger_account=ledger,
        kind=kind,
        quantity=D(quantity) if quantity is not None else None,
        unit_price=D(unit_price) if unit_price is not None else None,
        discount_percent=D(discount_percent) if discount_percent is not None else None,
    )


def vat(rate: str, taxable: str, tax: str, category: str = "S") -> ExportVat:
    return ExportVat(rate=D(rate), vat_category=category, taxable=D(taxable), tax=D(tax))


def document(
    number: str,
    lines: list[ExportLine],
    vats: list[ExportVat],
    *,
    customer: ExportCustomer = ACME,
    credit_note: bool = False,
    date: dt.date = dt.date(2026, 3, 2),
    **extra: object,
) -> ExportDocument:
    """A document whose totals are its VAT breakdown's (as Focus states them)."""
    total_excl = sum((v.taxable for v in vats), ZERO)
    total_vat = sum((v.tax for v in vats), ZERO)
    fields: dict[str, object] = {
        "source_id": f"focus-{number}",
        "source_type": "creditNote" if credit_note else "invoice",
        "is_credit_note": credit_note,
        "number": number,
        "date": date,
        "currency": "EUR",
        "customer": customer,
        "journal": "VK2" if credit_note else "VK1",
        "lines": tuple(lines),
        "vat": tuple(vats),
        "total_excl": total_excl,
        "total_vat": total_vat,
        "total_incl": total_excl + total_vat,
    }
    fields.update(extra)
    return ExportDocument(**fields)  # type: ignore[arg-type]


def invoice_one() -> ExportDocument:
    """Rates 21, 6 and 0, a document-level discount, a taxable of 123.33 at 21% that makes the VAT's cents
    interesting."""
    return document(
        "2026 / 1",
        [
            line(1, "100.00", "0.21", description="Consultancy", quantity="2", unit_price="50.00"),
            line(2, "33.33", "0.21", quantity="1", unit_price="33.333", discount_percent="10"),
            line(3, "40.00", "0.06", description="Boeken", quantity="0.5", unit_price="80", ledger="700600"),
            line(4, "15.00", "0", category="Z", description="Export service"),
            line(5, "-10.00", "0.21", kind=LineKind.DISCOUNT, description="Commercial discount: 5%"),
        ],
        [vat("0.21", "123.33", "25.90"), vat("0.06", "40.00", "2.40"), vat("0", "15.00", "0.00", "Z")],
        due_date=dt.date(2026, 4, 1),
        payable=D("206.63"),
        structured_communication="+++090/9337/55493+++",
    )


def invoice_two() -> ExportDocument:
    """A person without VAT number, a document-level charge, and no due date, payable or references."""
    return document(
        "2026 / 2",
        [
            line(1, "19.99", "0.21", description="Tickets"),
            line(2, "10.01", "0.21", description="Programma"),
            line(3, "5.00", "0.21", kind=LineKind.CHARGE, description="Verzendkosten"),
        ],
        [vat("0.21", "35.00", "7.35")],
        customer=PERSON,
        date=dt.date(2026, 3, 15),
    )


def credit_note_one() -> ExportDocument:
    """A credit note: positive amounts, and the invoice it corrects."""
    return document(
        "2026 / C1",
        [line(1, "12.50", "0.21", description="Correctie consultancy", quantity="1", unit_price="12.5")],
        [vat("0.21", "12.50", "2.63")],
        credit_note=True,
        date=dt.date(2026, 3, 20),
        due_date=dt.date(2026, 3, 20),
        credited_number="2026 / 1",
        credited_date=dt.date(2026, 3, 2),
        payment_reference="Refund 2026/1",
    )


def batch_of(
    documents: list[ExportDocument] | None = None,
    *,
    customers: list[ExportCustomer] | None = None,
    export_customers: bool = True,
    delimiter: str | None = None,
) -> ExportBatch:
    docs = documents if documents is not None else [invoice_one(), invoice_two(), credit_note_one()]
    if customers is None:
        customers = []
        for doc in docs:
            if doc.customer not in customers:
                customers.append(doc.customer)
    return ExportBatch(
        entity="noord",
        package="csv",
        period_from=dt.date(2026, 3, 1),
        period_to=dt.date(2026, 3, 31),
        seller=SELLER,
        documents=docs,
        customers=customers,
        export_customers=export_customers,
        params={} if delimiter is None else {"csv_delimiter": delimiter},
    )


# -- reading back ----------------------------------------------------------------------------------


def write(batch: ExportBatch, folder: Path) -> dict[str, Path]:
    """The written files by kind: documents, lines, customers."""
    return {path.stem.rsplit("_", 1)[1]: path for path in CsvWriter().write(batch, folder)}


def rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter=delimiter))


def header(path: Path, delimiter: str = ",") -> list[str]:
    with path.open(encoding="utf-8", newline="") as file:
        return next(csv.reader(file, delimiter=delimiter))


def doc_type(doc: ExportDocument) -> str:
    return "credit_note" if doc.is_credit_note else "invoice"


def lines_of(line_rows: list[dict[str, str]], doc: ExportDocument) -> list[dict[str, str]]:
    return [r for r in line_rows if (r["document_type"], r["document_number"]) == (doc_type(doc), doc.number)]


# -- files ---------------------------------------------------------------------------------------


def test_registry_gives_the_csv_writer_for_package_csv():
    assert isinstance(writer_for("csv"), CsvWriter)
    assert CsvWriter.title == "Generic CSV (documents, lines, customers)"
    assert [(p.name, p.default, p.enum) for p in CsvWriter.params] == [("csv_delimiter", ",", (",", ";"))]


def test_writes_three_files_named_after_entity_and_period(tmp_path):
    files = CsvWriter().write(batch_of(), tmp_path)

    assert [f.name for f in files] == [
        "noord_2026-03-01_2026-03-31_documents.csv",
        "noord_2026-03-01_2026-03-31_lines.csv",
        "noord_2026-03-01_2026-03-31_customers.csv",
    ]
    assert sorted(tmp_path.iterdir()) == sorted(files)


def test_each_file_starts_with_its_header_row(tmp_path):
    files = write(batch_of(), tmp_path)

    assert header(files["documents"])[:4] == ["document_type", "number", "date", "due_date"]
    assert {"customer_number", "customer_name", "customer_vat_number", "total_excl", "total_vat", "total_incl",
            "payable", "structured_communication", "payment_reference", "credited_invoice", "focus_id",
            "journal", "currency"} <= set(header(files["documents"]))
    assert header(files["lines"])[:2] == ["document_number", "document_type"]
    assert {"line", "kind", "description", "quantity", "unit_price", "discount_percent", "amount_excl",
            "vat_rate", "vat_category", "vat_amount", "ledger_account", "journal"} <= set(header(files["lines"]))
    assert header(files["customers"])[:2] == ["customer_number", "name"]
    assert {"vat_number", "enterprise_number", "email", "phone", "address_line", "postal_code", "city",
            "country", "iban", "bic", "language", "focus_type", "focus_id"} <= set(header(files["customers"]))


def test_customers_file_is_left_out_when_customers_are_not_exported(tmp_path):
    files = CsvWriter().write(batch_of(export_customers=False), tmp_path)

    assert [f.name.rsplit("_", 1)[1] for f in files] == ["documents.csv", "lines.csv"]
    assert not list(tmp_path.glob("*customers*"))


def test_rows_end_with_crlf_as_rfc_4180_says(tmp_path):
    batch = batch_of()
    files = write(batch, tmp_path)

    data = files["lines"].read_bytes()
    line_count = sum(len(doc.lines) for doc in batch.documents)
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 1 + line_count
    assert data.count(b"\n") == data.count(b"\r\n")


def test_documents_are_read_once_as_a_stream(tmp_path):
    docs = [invoice_one(), invoice_two(), credit_note_one()]

    class OneShot:
        iterations = 0

        def __iter__(self) -> Iterator[ExportDocument]:
            OneShot.iterations += 1
            if OneShot.iterations > 1:
                raise AssertionError("documents iterated twice")
            return iter(docs)

    batch = batch_of(docs)
    batch = ExportBatch(**{**batch.__dict__, "documents": OneShot()})
    files = write(batch, tmp_path)

    assert OneShot.iterations == 1
    assert [r["number"] for r in rows(files["documents"])] == [d.number for d in docs]


def test_output_is_deterministic(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(batch_of(), tmp_path / "a")
    second = write(batch_of(), tmp_path / "b")

    assert {k: p.name for k, p in first.items()} == {k: p.name for k, p in second.items()}
    assert {k: p.read_bytes() for k, p in first.items()} == {k: p.read_bytes() for k, p in second.items()}


def test_unknown_delimiter_is_refused(tmp_path):
    with pytest.raises(ValueError, match="csv_delimiter"):
        CsvWriter().write(batch_of(delimiter="\t"), tmp_path)


# -- documents -------------------------------------------------------------------------------------


def test_one_documents_row_per_document_in_batch_order(tmp_path):
    batch = batch_of()
    got = rows(write(batch, tmp_path)["documents"])

    assert [(r["document_type"], r["number"], r["focus_id"]) for r in got] == [
        (doc_type(d), d.number, d.source_id) for d in batch.documents
    ]


def test_totals_per_document_equal_the_batch(tmp_path):
    batch = batch_of()
    got = {r["number"]: r for r in rows(write(batch, tmp_path)["documents"])}

    for doc in batch.documents:
        row = got[doc.number]
        assert (D(row["total_excl"]), D(row["total_vat"]), D(row["total_incl"])) == (
            doc.total_excl, doc.total_vat, doc.total_incl
        )


def test_document_totals_equal_the_sums_of_its_lines(tmp_path):
    batch = batch_of()
    files = write(batch, tmp_path)
    line_rows = rows(files["lines"])

    for doc in batch.documents:
        mine = lines_of(line_rows, doc)
        assert sum((D(r["amount_excl"]) for r in mine), ZERO) == doc.total_excl
        assert sum((D(r["vat_amount"]) for r in mine), ZERO) == doc.total_vat
        assert sum((D(r["amount_incl"]) for r in mine), ZERO) == doc.total_incl


def test_document_row_carries_customer_references_and_payment_data(tmp_path):
    batch = batch_of()
    first = rows(write(batch, tmp_path)["documents"])[0]
    doc = invoice_one()

    assert first["customer_number"] == doc.customer.number
    assert first["customer_name"] == doc.customer.name
    assert first["customer_vat_number"] == doc.customer.vat_number
    assert (first["customer_focus_type"], first["customer_focus_id"]) == (doc.customer.ref.type, doc.customer.ref.id)
    # "+++" would start a formula in a spreadsheet: the communication goes without its delimiters.
    assert doc.structured_communication == "+++090/9337/55493+++"
    assert first["structured_communication"] == "090/9337/55493"
    assert D(first["payable"]) == doc.payable
    assert (first["journal"], first["currency"], first["focus_type"]) == (doc.journal, "EUR", "invoice")


def test_credit_note_is_typed_credit_note_with_positive_amounts_and_its_credited_invoice(tmp_path):
    note = credit_note_one()
    files = write(batch_of([note]), tmp_path)
    (row,) = rows(files["documents"])

    assert (row["document_type"], row["focus_type"]) == ("credit_note", "creditNote")
    assert row["credited_invoice"] == note.credited_number
    assert row["credited_invoice_date"] == note.credited_date.isoformat()
    assert row["from_negative_invoice"] == "false"
    assert D(row["total_incl"]) == note.total_incl > 0
    assert [D(r["amount_excl"]) for r in rows(files["lines"])] == [ln.amount for ln in note.lines]


def test_none_values_are_empty_cells(tmp_path):
    files = write(batch_of(), tmp_path)
    person_doc = rows(files["documents"])[1]
    person = rows(files["customers"])[1]

    assert [person_doc[c] for c in ("due_date", "payable", "customer_number", "customer_vat_number",
                                    "structured_communication", "payment_reference", "credited_invoice",
                                    "credited_invoice_date")] == [""] * 8
    assert [person[c] for c in ("customer_number", "vat_number", "enterprise_number", "email", "phone",
                                "address_line", "postal_code", "city", "country", "iban", "bic",
                                "language")] == [""] * 12
    charge = lines_of(rows(files["lines"]), invoice_two())[2]
    assert [charge[c] for c in ("quantity", "unit_price", "discount_percent", "vat_exemption_code")] == [""] * 4


# -- lines -----------------------------------------------------------------------------------------


def test_one_lines_row_per_line_with_its_kind(tmp_path):
    batch = batch_of()
    line_rows = rows(write(batch, tmp_path)["lines"])

    assert [(r["document_number"], r["line"], r["kind"], r["description"]) for r in line_rows] == [
        (doc.number, str(ln.number), ln.kind.value, ln.description) for doc in batch.documents for ln in doc.lines
    ]
    assert {r["kind"] for r in line_rows} == {"item", "discount", "charge"}


def test_line_row_carries_ledger_account_vat_category_and_journal(tmp_path):
    doc = invoice_one()
    line_rows = rows(write(batch_of([doc]), tmp_path)["lines"])

    assert [(r["ledger_account"], r["vat_category"], r["journal"], r["document_focus_id"]) for r in line_rows] == [
        (ln.ledger_account, ln.vat_category, doc.journal, doc.source_id) for ln in doc.lines
    ]


def test_sum_of_amounts_per_vat_rate_equals_focus_taxable_for_every_document(tmp_path):
    batch = batch_of()
    line_rows = rows(write(batch, tmp_path)["lines"])

    for doc in batch.documents:
        expected: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for v in doc.vat:
            expected[v.rate] += v.taxable
        got: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for r in lines_of(line_rows, doc):
            got[D(r["vat_rate"]) / 100] += D(r["amount_excl"])
        assert dict(got) == dict(expected), doc.label


def test_sum_of_vat_amounts_per_vat_rate_equals_focus_tax_for_every_document(tmp_path):
    batch = batch_of()
    line_rows = rows(write(batch, tmp_path)["lines"])

    for doc in batch.documents:
        expected: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for v in doc.vat:
            expected[v.rate] += v.tax
        got: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for r in lines_of(line_rows, doc):
            got[D(r["vat_rate"]) / 100] += D(r["vat_amount"])
        assert dict(got) == dict(expected), doc.label


def test_vat_of_a_rate_is_spread_over_its_lines_in_proportion_to_the_cent(tmp_path):
    doc = invoice_two()  # 7.35 VAT over 19.99, 10.01 and 5.00
    line_rows = rows(write(batch_of([doc]), tmp_path)["lines"])

    shares = [D(r["vat_amount"]) for r in line_rows]
    assert sum(shares, ZERO) == doc.vat[0].tax
    for share, ln in zip(shares, doc.lines, strict=True):
        assert abs(share - ln.amount * doc.vat[0].tax / doc.vat[0].taxable) < D("0.01")
    assert [D(r["amount_incl"]) for r in line_rows] == [ln.amount + s for ln, s in zip(doc.lines, shares, strict=True)]


def test_zero_rate_lines_carry_zero_vat(tmp_path):
    line_rows = rows(write(batch_of([invoice_one()]), tmp_path)["lines"])

    (zero,) = [r for r in line_rows if r["vat_rate"] == "0"]
    assert (zero["vat_category"], zero["vat_amount"], zero["amount_incl"]) == ("Z", "0.00", zero["amount_excl"])


def test_document_whose_lines_do_not_add_up_to_focus_taxable_is_refused(tmp_path):
    broken = document("2026 / 9", [line(1, "100.00", "0.21")], [vat("0.21", "90.00", "18.90")])

    with pytest.raises(ValueError, match=r"Invoice 2026 / 9: its 21% lines add up to 100.00"):
        CsvWriter().write(batch_of([broken]), tmp_path)


def test_document_stating_vat_at_a_rate_without_lines_is_refused(tmp_path):
    broken = document("2026 / 8", [line(1, "100.00", "0.21")],
                      [vat("0.21", "100.00", "21.00"), vat("0.06", "0.00", "1.00")])

    with pytest.raises(ValueError, match=r"Invoice 2026 / 8: its 6% lines"):
        CsvWriter().write(batch_of([broken]), tmp_path)


# -- values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_amounts_have_a_decimal_point_and_two_decimals_with_either_delimiter(tmp_path, delimiter):
    batch = batch_of(delimiter=delimiter)
    files = write(batch, tmp_path)

    doc_rows = rows(files["documents"], delimiter)
    line_rows = rows(files["lines"], delimiter)
    amounts = [r[c] for r in doc_rows for c in DOCUMENT_AMOUNTS if r[c]]
    amounts += [r[c] for r in line_rows for c in LINE_AMOUNTS]
    assert len(amounts) == 3 * 3 + 1 + 3 * sum(len(d.lines) for d in batch.documents)
    assert all(AMOUNT.fullmatch(a) for a in amounts), amounts
    assert [r["amount_excl"] for r in line_rows][:5] == ["100.00", "33.33", "40.00", "15.00", "-10.00"]


def test_semicolon_delimiter_separates_the_fields(tmp_path):
    files = write(batch_of(delimiter=";"), tmp_path)

    first_line = files["documents"].read_text(encoding="utf-8").split("\r\n", 1)[0]
    assert first_line.startswith("document_type;number;date;due_date;journal;")
    assert "," not in first_line
    assert rows(files["documents"], ";")[0]["total_incl"] == str(invoice_one().total_incl)


def test_rates_are_percent_numbers(tmp_path):
    doc = document(
        "2026 / 3",
        [line(1, "100.00", "0.21"), line(2, "100.00", "0.06"), line(3, "100.00", "0", category="E"),
         line(4, "100.00", "0.055"), line(5, "100.00", "0.12")],
        [vat("0.21", "100.00", "21.00"), vat("0.06", "100.00", "6.00"), vat("0", "100.00", "0.00", "E"),
         vat("0.055", "100.00", "5.50"), vat("0.12", "100.00", "12.00")],
    )
    line_rows = rows(write(batch_of([doc]), tmp_path)["lines"])

    assert [r["vat_rate"] for r in line_rows] == ["21", "6", "0", "5.5", "12"]


def test_quantities_unit_prices_and_discounts_are_exact_decimals_without_exponent(tmp_path):
    doc = document(
        "2026 / 4",
        [line(1, "100.00", "0.21", quantity="1E+1", unit_price="10.000", discount_percent="12.5"),
         line(2, "0.50", "0.21", quantity="3", unit_price="0.1666666667"),
         line(3, "0.01", "0.21", quantity="1.5E-2", unit_price="0.6666")],
        [vat("0.21", "100.51", "21.11")],
    )
    line_rows = rows(write(batch_of([doc]), tmp_path)["lines"])

    assert [(r["quantity"], r["unit_price"], r["discount_percent"]) for r in line_rows] == [
        ("10", "10.000", "12.5"), ("3", "0.1666666667", ""), ("0.015", "0.6666", "")
    ]


def test_zero_amounts_are_never_written_as_negative_zero(tmp_path):
    doc = document("2026 / 5", [line(1, "-0.00", "0", category="Z", quantity="-0")], [vat("0", "0.00", "0.00", "Z")])
    (row,) = rows(write(batch_of([doc]), tmp_path)["lines"])

    assert (row["amount_excl"], row["vat_amount"], row["amount_incl"], row["quantity"]) == ("0.00", "0.00", "0.00", "0")


def test_dates_are_iso(tmp_path):
    batch = batch_of()
    files = write(batch, tmp_path)
    doc_rows = rows(files["documents"])

    assert [(r["date"], r["due_date"], r["credited_invoice_date"]) for r in doc_rows] == [
        (d.date.isoformat(), d.due_date.isoformat() if d.due_date else "",
         d.credited_date.isoformat() if d.credited_date else "")
        for d in batch.documents
    ]
    assert all(ISO_DATE.fullmatch(r["document_date"]) for r in rows(files["lines"]))


def test_utf8_names_survive(tmp_path):
    batch = batch_of()
    files = write(batch, tmp_path)

    assert [r["name"] for r in rows(files["customers"])] == ["Brasserie Éléphant & Müller", "Jürgen Groß 🎉"]
    assert [r["customer_name"] for r in rows(files["documents"])][:2] == [ACME.name, PERSON.name]
    assert not files["customers"].read_bytes().startswith(b"\xef\xbb\xbf")  # no byte order mark


def test_customers_rows_carry_every_customer_field_in_order(tmp_path):
    got = rows(write(batch_of(), tmp_path)["customers"])

    address = ACME.address
    assert got[0] == {
        "customer_number": ACME.number, "name": ACME.name, "vat_number": ACME.vat_number,
        "enterprise_number": ACME.national_id, "email": ACME.email, "phone": ACME.phone,
        "address_line": address.line_1, "postal_code": address.postal_code, "city": address.city,
        "country": address.country, "iban": ACME.iban, "bic": ACME.bic, "language": ACME.language,
        "is_person": "false", "focus_type": "company", "focus_id": "c-acme",
    }
    assert (got[1]["is_person"], got[1]["focus_type"], got[1]["focus_id"]) == ("true", "contact", "p-jurgen")
