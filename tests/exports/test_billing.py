"""Billing of the offline export: €0.10 per Focus invoice, charged once, when its first export is published.

Re-exports (same period, an overlapping one, another package) and credit notes are free; an export that is
rejected, invalid, crashes while writing or fails to publish charges nothing and publishes nothing; two
exports of overlapping periods published at the same moment never charge one invoice twice.

Expected values come from Focus (``FocusTruth``: the invoices of a period, read over bare HTTP) or are counted
here; what was charged and published is read straight from ``billing_charges``, ``exports``,
``export_files`` and the exports folder. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import cli
from connectors.exports import billing, job, storage, summaries
from connectors.exports.settings import ExportSettings
from connectors.exports.writers.generic_csv import CsvWriter
from connectors.state.db import make_engine, sessions
from connectors.state.export_models import BillingCharge, Export, ExportFile, ExportStatus
from tests.exports.exporting import published_files

ALL_OF_IT = ("2025-01-01", "2026-12-31")
YEAR_2025 = ("2025-01-01", "2025-12-31")
JULY_25_TO_JUNE_26 = ("2025-07-01", "2026-06-30")
FIRST_HALF_2025 = ("2025-01-01", "2025-06-30")
SECOND_HALF_2025 = ("2025-07-01", "2025-12-31")
QUARTERS = [(f"{y}-{m:02d}-01", f"{y}-{m + 2:02d}-{30 if m + 2 in (6, 9) else 31}")
            for y in (2025, 2026) for m in (1, 4, 7, 10)]
TEN_CENTS = Decimal("0.10")


# -- helpers: what Focus says, what the state database and the exports folder hold ------------------------


def focus_invoices(exporter, truth, position: int, period: tuple[str, str]) -> dict[str, str]:
    """Focus id → number of the department's booked Focus invoices in the period (not its credit notes)."""
    return {d.focus_id: d.number for d in truth.documents(exporter.department(position)["id"], period)
            if d.source_type == "invoice"}


def focus_credit_notes(exporter, truth, position: int, period: tuple[str, str]) -> set[str]:
    return {d.focus_id for d in truth.documents(exporter.department(position)["id"], period)
            if d.source_type == "creditNote"}


def charges(engine, export_id: int | None = None) -> list[BillingCharge]:
    query = select(BillingCharge).order_by(BillingCharge.id)
    if export_id is not None:
        query = query.where(BillingCharge.export_id == export_id)
    with sessions(engine)() as session:
        return list(session.scalars(query))


def charged_ids(engine, export_id: int | None = None) -> set[str]:
    return {c.focus_id for c in charges(engine, export_id)}


def export_row(engine, export_id: int) -> Export:
    with sessions(engine)() as session:
        return session.get(Export, export_id)


def file_rows(engine, export_id: int) -> list[ExportFile]:
    with sessions(engine)() as session:
        return list(session.scalars(select(ExportFile).where(ExportFile.export_id == export_id)))


def folder_files(export: Export) -> list[str]:
    """Names of the files in an export's published folder (its ``location``)."""
    folder = Path(export.location.removeprefix("file://"))
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def cents(count: int, price: Decimal = TEN_CENTS) -> str:
    return str((price * count).quantize(Decimal("0.01")))


def until_written(exporter, entity: str, period: tuple[str, str], package: str = "csv") -> int:
    """An approved export whose files are written and staged: the next step is ``publish_and_bill``."""
    export_id = exporter.start(entity, period, package)
    exporter.until_quote(export_id)
    job.approve(exporter.engine, export_id, "test")
    job.write(exporter.engine, export_id)
    return export_id


# -- what is charged --------------------------------------------------------------------------------------


def test_the_first_export_charges_each_focus_invoice_once_at_ten_cents_and_credit_notes_nothing(exporter, truth):
    exporter.setup("demo_be", 0)
    invoices = focus_invoices(exporter, truth, 0, ALL_OF_IT)
    credit_notes = focus_credit_notes(exporter, truth, 0, ALL_OF_IT)
    assert len(invoices) > 20 and credit_notes

    export_id = exporter.export("demo_be", ALL_OF_IT, "csv")

    rows = charges(exporter.engine)
    assert sorted(r.focus_id for r in rows) == sorted(invoices)  # each invoice once
    assert not credit_notes & {r.focus_id for r in rows}
    assert {r.focus_id: r.invoice_number for r in rows} == invoices
    assert {(r.amount, r.currency, r.export_id, r.entity) for r in rows} == {("0.10", "EUR", export_id, "demo_be")}
    export = export_row(exporter.engine, export_id)
    assert export.status == ExportStatus.PUBLISHED
    assert (export.charged_invoices, export.charge) == (len(invoices), cents(len(invoices)))
    assert (export.quoted_new, export.quoted_free, export.quoted_amount) == (len(invoices), 0,
                                                                             cents(len(invoices)))


def test_exporting_the_same_period_twice_charges_once_and_publishes_both(exporter, truth):
    exporter.setup("demo_be", 0)
    invoices = focus_invoices(exporter, truth, 0, ALL_OF_IT)
    first = exporter.export("demo_be", ALL_OF_IT, "csv")

    second = exporter.start("demo_be", ALL_OF_IT, "csv")
    quote = exporter.until_quote(second)
    assert (quote["new"], quote["free"], quote["amount"]) == (0, len(invoices), "0.00")
    job.approve(exporter.engine, second, "test")
    job.write(exporter.engine, second)
    published = job.publish_and_bill(exporter.engine, second)

    assert (published["charged_invoices"], published["charge"], published["free"]) == (0, "0.00", len(invoices))
    assert len(charges(exporter.engine)) == len(invoices)
    assert charged_ids(exporter.engine, first) == set(invoices) and charged_ids(exporter.engine, second) == set()
    for export_id in (first, second):
        export = export_row(exporter.engine, export_id)
        assert export.status == ExportStatus.PUBLISHED
        names = sorted(f.name for f in file_rows(exporter.engine, export_id))
        assert len(names) == 3 and folder_files(export) == names
    assert export_row(exporter.engine, first).location != export_row(exporter.engine, second).location


def test_an_overlapping_period_charges_only_the_invoices_not_charged_before(exporter, truth):
    exporter.setup("demo_be", 0)
    earlier = focus_invoices(exporter, truth, 0, YEAR_2025)
    later = focus_invoices(exporter, truth, 0, JULY_25_TO_JUNE_26)
    new = set(later) - set(earlier)
    assert new and set(later) & set(earlier)
    exporter.export("demo_be", YEAR_2025, "csv")

    export_id = exporter.start("demo_be", JULY_25_TO_JUNE_26, "csv")
    quote = exporter.until_quote(export_id)
    job.approve(exporter.engine, export_id, "test")
    job.write(exporter.engine, export_id)
    job.publish_and_bill(exporter.engine, export_id)

    assert (quote["new"], quote["free"], quote["amount"]) == (len(new), len(later) - len(new), cents(len(new)))
    assert charged_ids(exporter.engine, export_id) == new
    export = export_row(exporter.engine, export_id)
    assert (export.charged_invoices, export.charge) == (len(new), cents(len(new)))
    assert len(charges(exporter.engine)) == len(set(earlier) | set(later))


def businesses_only_quarter(exporter, truth) -> tuple[int, tuple[str, str]]:
    """A (department position, quarter) whose invoices all go to companies with a VAT number (UBL can export
    it: private persons have no Peppol address)."""
    from stdnum import vatin

    for position, _ in enumerate(exporter.focus.manifest()["departments"]):
        for quarter in QUARTERS:
            documents = truth.documents(exporter.department(position)["id"], quarter)
            customers = truth.customers({d.customer for d in documents})
            if len([d for d in documents if d.source_type == "invoice"]) >= 2 and all(
                    ref[0] == "company" and info.get("vat_number") and vatin.is_valid(info["vat_number"])
                    for ref, info in customers.items()):
                return position, quarter
    raise AssertionError("the demo data has no quarter billed only to businesses")


def test_a_re_export_in_another_package_is_free(exporter, truth):
    position, quarter = businesses_only_quarter(exporter, truth)
    exporter.setup("demo_ubl", position)
    invoices = focus_invoices(exporter, truth, position, quarter)
    as_csv = exporter.export("demo_ubl", quarter, "csv")

    as_ubl = exporter.start("demo_ubl", quarter, "ubl")
    quote = exporter.until_quote(as_ubl)
    job.approve(exporter.engine, as_ubl, "test")
    job.write(exporter.engine, as_ubl)
    job.publish_and_bill(exporter.engine, as_ubl)

    assert (quote["new"], quote["free"], quote["amount"]) == (0, len(invoices), "0.00")
    export = export_row(exporter.engine, as_ubl)
    assert (export.status, export.package, export.charged_invoices, export.charge) == (
        ExportStatus.PUBLISHED, "ubl", 0, "0.00")
    assert charged_ids(exporter.engine, as_csv) == set(invoices)
    assert len(charges(exporter.engine)) == len(invoices)


def test_the_price_per_invoice_is_a_setting(exporter, truth, monkeypatch):
    monkeypatch.setenv("CONNECTOR_EXPORT_PRICE_PER_INVOICE", "0.25")
    exporter.setup("demo_be", 0)
    invoices = focus_invoices(exporter, truth, 0, YEAR_2025)

    export_id = exporter.start("demo_be", YEAR_2025, "csv")
    quote = exporter.until_quote(export_id)
    job.approve(exporter.engine, export_id, "test")
    job.write(exporter.engine, export_id)
    job.publish_and_bill(exporter.engine, export_id)

    price = Decimal("0.25")
    assert quote["amount"] == cents(len(invoices), price)
    assert export_row(exporter.engine, export_id).charge == cents(len(invoices), price)
    assert {r.amount for r in charges(exporter.engine)} == {"0.25"}
    assert len(charges(exporter.engine)) == len(invoices)


# -- what charges nothing ---------------------------------------------------------------------------------


def test_a_rejected_export_writes_and_charges_nothing(exporter):
    exporter.setup("demo_be", 0)
    export_id = exporter.start("demo_be", ALL_OF_IT, "csv")
    exporter.until_quote(export_id)

    job.reject(exporter.engine, export_id, "the accountant")

    with pytest.raises(job.ExportRefused, match="only an approved export is written"):
        job.write(exporter.engine, export_id)
    with pytest.raises(job.ExportRefused):
        job.publish_and_bill(exporter.engine, export_id)
    assert export_row(exporter.engine, export_id).status == ExportStatus.REJECTED
    assert published_files(exporter.exports_dir, "demo_be") == []
    assert not (exporter.exports_dir / ".staging" / f"export-{export_id}").exists()
    assert charges(exporter.engine) == []


def test_an_export_with_a_validation_error_publishes_and_charges_nothing_and_reports_the_problems(exporter):
    # No ledger account per VAT rate and lines not filled by rate: Focus lines without a product-category
    # account have no ledger account, which every package needs.
    exporter.setup("demo_be", 0, ExportSettings(fill_lines_by_rate=False, invoice_journal="VF",
                                                credit_note_journal="VC"))
    export_id = exporter.start("demo_be", ALL_OF_IT, "csv")

    with pytest.raises(job.ExportRefused, match="problem"):
        exporter.until_quote(export_id)

    assert export_row(exporter.engine, export_id).status == ExportStatus.INVALID
    assert published_files(exporter.exports_dir, "demo_be") == []
    assert charges(exporter.engine) == []
    report = exporter.exports_dir / "demo_be" / "reports" / f"export-{export_id}-problems.txt"
    text = report.read_text()
    assert "Nothing was written or charged" in text and "ledger account" in text
    with pytest.raises(job.ExportRefused):
        job.write(exporter.engine, export_id)


def test_a_crash_while_writing_publishes_and_charges_nothing(exporter, monkeypatch):
    exporter.setup("demo_be", 0)
    export_id = exporter.start("demo_be", ALL_OF_IT, "csv")
    exporter.until_quote(export_id)
    job.approve(exporter.engine, export_id, "test")

    def one_file_then_crash(self, batch, folder):
        (folder / "demo_be_documents.csv").write_text("document_type,number\r\n")
        raise OSError("No space left on device")

    monkeypatch.setattr(CsvWriter, "write", one_file_then_crash)
    with pytest.raises(OSError, match="No space left"):
        job.write(exporter.engine, export_id)

    assert published_files(exporter.exports_dir, "demo_be") == []
    assert charges(exporter.engine) == []
    assert export_row(exporter.engine, export_id).status != ExportStatus.PUBLISHED
    with pytest.raises(job.ExportRefused, match="only written files are published"):
        job.publish_and_bill(exporter.engine, export_id)
    assert charges(exporter.engine) == []


def test_writing_again_after_a_crash_while_writing_publishes_and_charges_once(exporter, truth, monkeypatch):
    exporter.setup("demo_be", 0)
    invoices = focus_invoices(exporter, truth, 0, ALL_OF_IT)
    export_id = exporter.start("demo_be", ALL_OF_IT, "csv")
    exporter.until_quote(export_id)
    job.approve(exporter.engine, export_id, "test")
    real_write = CsvWriter.write

    def one_file_then_crash(self, batch, folder):
        (folder / "demo_be_documents.csv").write_text("document_type,number\r\n")
        raise OSError("No space left on device")

    monkeypatch.setattr(CsvWriter, "write", one_file_then_crash)
    with pytest.raises(OSError):
        job.write(exporter.engine, export_id)
    monkeypatch.setattr(CsvWriter, "write", real_write)

    job.write(exporter.engine, export_id)
    job.publish_and_bill(exporter.engine, export_id)

    export = export_row(exporter.engine, export_id)
    assert export.status == ExportStatus.PUBLISHED
    assert (export.charged_invoices, export.charge) == (len(invoices), cents(len(invoices)))
    assert sorted(c.focus_id for c in charges(exporter.engine)) == sorted(invoices)
    assert len(published_files(exporter.exports_dir, "demo_be")) == 3


def copy_failing_on_the_second_file(monkeypatch):
    """Make the exports location fail (a lost connection) on the second file copied from now on."""
    real_copy = storage._copy
    copied = []

    def flaky(source, target):
        copied.append(target)
        if len(copied) == 2:
            raise OSError("Connection reset by peer")
        return real_copy(source, target)

    monkeypatch.setattr(storage, "_copy", flaky)
    return real_copy


def test_a_failed_publication_charges_nothing_and_leaves_the_export_unpublished(exporter, monkeypatch):
    exporter.setup("demo_be", 0)
    export_id = until_written(exporter, "demo_be", ALL_OF_IT)
    copy_failing_on_the_second_file(monkeypatch)

    with pytest.raises(OSError, match="Connection reset"):
        job.publish_and_bill(exporter.engine, export_id)

    export = export_row(exporter.engine, export_id)
    assert export.status == ExportStatus.WRITTEN and export.location is None and export.charge is None
    assert charges(exporter.engine) == []
    assert file_rows(exporter.engine, export_id) == []


def test_a_failed_publication_leaves_nothing_in_the_published_folder(exporter, monkeypatch):
    exporter.setup("demo_be", 0)
    export_id = until_written(exporter, "demo_be", ALL_OF_IT)
    copy_failing_on_the_second_file(monkeypatch)

    with pytest.raises(OSError, match="Connection reset"):
        job.publish_and_bill(exporter.engine, export_id)

    assert published_files(exporter.exports_dir, "demo_be") == []


def test_publishing_again_after_a_failed_publication_publishes_and_charges_once(exporter, truth, monkeypatch):
    exporter.setup("demo_be", 0)
    invoices = focus_invoices(exporter, truth, 0, ALL_OF_IT)
    export_id = until_written(exporter, "demo_be", ALL_OF_IT)
    real_copy = copy_failing_on_the_second_file(monkeypatch)
    with pytest.raises(OSError):
        job.publish_and_bill(exporter.engine, export_id)
    monkeypatch.setattr(storage, "_copy", real_copy)

    job.publish_and_bill(exporter.engine, export_id)

    export = export_row(exporter.engine, export_id)
    assert export.status == ExportStatus.PUBLISHED
    assert (export.charged_invoices, export.charge) == (len(invoices), cents(len(invoices)))
    assert sorted(c.focus_id for c in charges(exporter.engine)) == sorted(invoices)
    names = sorted(f.name for f in file_rows(exporter.engine, export_id))
    assert len(names) == 3 and folder_files(export) == names
    assert sorted(p.name for p in published_files(exporter.exports_dir, "demo_be")) == names


def test_a_crash_after_charging_inside_the_publishing_transaction_rolls_the_charges_and_the_files_back(
        exporter, monkeypatch):
    exporter.setup("demo_be", 0)
    export_id = until_written(exporter, "demo_be", ALL_OF_IT)
    real_charge = billing.charge
    inserted = []

    def charge_then_crash(connection, **arguments):
        inserted.extend(real_charge(connection, **arguments))
        raise RuntimeError("worker lost")

    monkeypatch.setattr(billing, "charge", charge_then_crash)
    with pytest.raises(RuntimeError, match="worker lost"):
        job.publish_and_bill(exporter.engine, export_id)

    assert inserted  # the charges were inserted before the crash ...
    assert charges(exporter.engine) == []  # ... and rolled back with it
    assert published_files(exporter.exports_dir, "demo_be") == []
    export = export_row(exporter.engine, export_id)
    assert export.status == ExportStatus.WRITTEN and export.location is None
    assert file_rows(exporter.engine, export_id) == []


def test_publishing_one_export_twice_charges_once(exporter, truth):
    exporter.setup("demo_be", 0)
    invoices = focus_invoices(exporter, truth, 0, ALL_OF_IT)
    export_id = until_written(exporter, "demo_be", ALL_OF_IT)

    first = job.publish_and_bill(exporter.engine, export_id)
    again = job.publish_and_bill(exporter.engine, export_id)

    assert again == first
    assert (first["charged_invoices"], first["charge"]) == (len(invoices), cents(len(invoices)))
    assert sorted(c.focus_id for c in charges(exporter.engine)) == sorted(invoices)
    assert len(published_files(exporter.exports_dir, "demo_be")) == 3


# -- exports publishing at the same moment ------------------------------------------------------------------

RACE_PERIODS = (("2025-01-01", "2026-06-30"), ("2025-07-01", "2026-12-31"))


def publish_together(url: str, export_ids: list[int]) -> list[dict]:
    """``publish_and_bill`` of each export in a thread of its own, with an engine of its own, released together."""
    barrier = threading.Barrier(len(export_ids))

    def publish(export_id: int) -> dict:
        engine = make_engine(url)
        try:
            barrier.wait(timeout=60)
            return job.publish_and_bill(engine, export_id)
        finally:
            engine.dispose()

    with ThreadPoolExecutor(len(export_ids)) as pool:
        return list(pool.map(publish, export_ids))


def test_two_exports_of_overlapping_periods_published_at_the_same_moment_charge_every_invoice_once(
        exporter, truth, state_url):
    for position in (0, 1, 2):  # three races, each between two fresh exports of invoices never charged before
        entity = f"race_{position}"
        department_id = exporter.department(position)["id"]
        exporter.setup(entity, position)
        periods = [focus_invoices(exporter, truth, position, period) for period in RACE_PERIODS]
        expected = periods[0] | periods[1]
        assert set(periods[0]) & set(periods[1]), "the race needs invoices in both periods"
        ids = [until_written(exporter, entity, period) for period in RACE_PERIODS]

        results = publish_together(state_url, ids)

        first, second = (charged_ids(exporter.engine, export_id) for export_id in ids)
        assert first.isdisjoint(second), entity
        assert first | second == set(expected), entity
        rows = [c for c in charges(exporter.engine) if c.department_id == department_id]
        assert len(rows) == len(expected), entity
        assert sum(Decimal(r["charge"]) for r in results) == TEN_CENTS * len(expected), entity
        assert sum(Decimal(export_row(exporter.engine, i).charge) for i in ids) == TEN_CENTS * len(expected)
        assert [export_row(exporter.engine, i).status for i in ids] == [ExportStatus.PUBLISHED] * 2


def test_a_quote_made_before_another_export_published_is_never_exceeded(exporter, truth):
    exporter.setup("demo_be", 0)
    quoted_period = focus_invoices(exporter, truth, 0, YEAR_2025)
    meanwhile_period = focus_invoices(exporter, truth, 0, JULY_25_TO_JUNE_26)
    taken = set(quoted_period) & set(meanwhile_period)
    assert taken and set(quoted_period) - taken
    quoted = exporter.start("demo_be", YEAR_2025, "csv")
    quote = exporter.until_quote(quoted)
    assert (quote["new"], quote["amount"]) == (len(quoted_period), cents(len(quoted_period)))

    meanwhile = exporter.export("demo_be", JULY_25_TO_JUNE_26, "csv")  # published while the quote waits
    job.approve(exporter.engine, quoted, "test")
    job.write(exporter.engine, quoted)
    job.publish_and_bill(exporter.engine, quoted)

    left = set(quoted_period) - taken
    assert charged_ids(exporter.engine, quoted) == left
    assert charged_ids(exporter.engine, meanwhile) == set(meanwhile_period)
    export = export_row(exporter.engine, quoted)
    assert (export.charged_invoices, export.charge) == (len(left), cents(len(left)))
    assert Decimal(export.charge) <= Decimal(export.quoted_amount)
    said = [line for line in summaries.report(exporter.engine, quoted) if "another export" in line]
    assert len(said) == 1 and str(len(taken)) in said[0]


# -- the monthly report -----------------------------------------------------------------------------------

#: A charge's line in ``billing report``: "  <invoice number>  0.10 EUR  export #<id>  <when> UTC".
CHARGE_LINE = re.compile(r"^  (.+?)\s+\d+\.\d\d EUR  export #\d+  ")
MARCH_FIRST = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
MARCH_LAST = dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=dt.UTC)
APRIL_FIRST = dt.datetime(2026, 4, 1, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def billed_march_and_april(exporter, truth) -> dict[str, dict[str, dict[str, str]]]:
    """Charges made on the first and last second of March 2026 (two entities) and the first of April:
    month → entity → Focus id → invoice number, as Focus numbers them."""
    exporter.setup("demo_be", 0)
    exporter.setup("demo_b2", 2)
    for entity, period, moment in (("demo_be", FIRST_HALF_2025, MARCH_FIRST), ("demo_b2", ALL_OF_IT, MARCH_LAST),
                                   ("demo_be", SECOND_HALF_2025, APRIL_FIRST)):
        export_id = until_written(exporter, entity, period)
        job.publish_and_bill(exporter.engine, export_id, now=lambda moment=moment: moment)
    return {"2026-03": {"demo_be": focus_invoices(exporter, truth, 0, FIRST_HALF_2025),
                        "demo_b2": focus_invoices(exporter, truth, 2, ALL_OF_IT)},
            "2026-04": {"demo_be": focus_invoices(exporter, truth, 0, SECOND_HALF_2025)}}


def test_the_month_report_lists_per_entity_the_invoices_charged_that_month(exporter, billed_march_and_april):
    for month, expected in billed_march_and_april.items():
        report = billing.month_report(exporter.engine, month)

        assert set(report) == set(expected), month
        for entity, invoices in expected.items():
            found = report[entity]
            assert {c.focus_id: c.invoice_number for c in found} == invoices
            assert len(found) == len(invoices)
            assert sum(c.amount for c in found) == TEN_CENTS * len(invoices)


def test_the_billing_report_command_prints_count_amount_and_invoice_numbers_per_entity(
        exporter, billed_march_and_april, state_url, monkeypatch, capsys):
    monkeypatch.setenv("CONNECTOR_STATE_URL", state_url)
    expected = billed_march_and_april["2026-03"]

    assert cli.main(["billing", "report", "--month", "2026-03"]) == 0

    lines = capsys.readouterr().out.splitlines()
    for entity, invoices in expected.items():
        assert f"{entity}: {len(invoices)} invoice(s), {cents(len(invoices))} EUR" in lines
    listed: dict[str, list[str]] = {}  # entity → the invoice numbers listed under its heading
    for line in lines:
        if match := CHARGE_LINE.match(line):
            listed[entity].append(match.group(1))
        elif ": " in line and not line.startswith("Total"):
            entity = line.split(":")[0]
            listed[entity] = []
    assert {entity: sorted(numbers) for entity, numbers in listed.items()} == {
        entity: sorted(invoices.values()) for entity, invoices in expected.items()}
    count = sum(len(invoices) for invoices in expected.values())
    assert lines[-1] == f"Total 2026-03: {count} invoice(s), {cents(count)} EUR"


@pytest.mark.parametrize("month", ["2026-13", "March 2026", "2026/03", ""])
def test_the_billing_report_command_refuses_an_invalid_month_in_one_line(exporter, state_url, monkeypatch, capsys,
                                                                        month):
    monkeypatch.setenv("CONNECTOR_STATE_URL", state_url)

    assert cli.main(["billing", "report", "--month", month]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error:") and "2026-11" in captured.err
    assert "Traceback" not in captured.err


def test_the_billing_report_command_says_when_a_month_has_no_charges(exporter, billed_march_and_april, state_url,
                                                                    monkeypatch, capsys):
    monkeypatch.setenv("CONNECTOR_STATE_URL", state_url)

    assert cli.main(["billing", "report", "--month", "2026-02"]) == 0

    out = capsys.readouterr().out
    assert out.strip() == "No invoice was charged in 2026-02."
