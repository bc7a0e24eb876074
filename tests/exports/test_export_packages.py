"""Acceptance: each package exports the demo data, and the files say what Focus says, to the cent.

Expected figures come from Focus itself (``FocusTruth``: a bare HTTP caller, no connector code): per document
and VAT rate, the taxable amount and the VAT, a negative invoice counted as the credit note it is exported as.
Every UBL file also passes both official Peppol BIS 3.0 Schematron rule sets without a fatal assertion.
"""

from __future__ import annotations

import csv
import zipfile
from collections import defaultdict
from decimal import Decimal

import pytest
from lxml import etree
from stdnum import vatin

from connectors.exports.schematron import validate_peppol
from tests.exports.exporting import by_number, published_files

ALL_OF_IT = ("2025-01-01", "2026-12-31")
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
QUARTERS = [(f"{y}-{m:02d}-01", f"{y}-{m + 2:02d}-{30 if m + 2 in (6, 9) else 31}")
            for y in (2025, 2026) for m in (1, 4, 7, 10)]


def per_rate_totals(documents) -> dict[Decimal, tuple[Decimal, Decimal]]:
    totals: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for doc in documents:
        for rate, (taxable, tax) in doc.per_rate.items():
            totals[rate][0] += taxable
            totals[rate][1] += tax
    return {rate: tuple(v) for rate, v in totals.items()}


# -- generic CSV ------------------------------------------------------------------------------------------


def csv_rows(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_export_of_the_demo_department_states_focus_vat_per_document_and_rate_to_the_cent(
        exporter, truth):
    exporter.setup("demo_be", 0)
    exporter.export("demo_be", ALL_OF_IT, "csv")
    expected = by_number(truth.documents(exporter.department(0)["id"], ALL_OF_IT))
    files = {p.name.rsplit("_", 1)[1]: p for p in published_files(exporter.exports_dir, "demo_be")}

    found: dict[str, dict[Decimal, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")]))
    for row in csv_rows(files["lines.csv"]):
        rate = Decimal(row["vat_rate"]) / 100
        found[row["document_number"]][rate][0] += Decimal(row["amount_excl"])
        found[row["document_number"]][rate][1] += Decimal(row["vat_amount"])
    assert set(found) == set(expected) and len(expected) > 20
    for number, doc in expected.items():
        assert {r: tuple(v) for r, v in found[number].items() if any(v)} == \
               {r: v for r, v in doc.per_rate.items() if any(v)}, number


def test_the_csv_documents_file_carries_focus_totals_and_kinds(exporter, truth):
    exporter.setup("demo_be", 0)
    exporter.export("demo_be", ALL_OF_IT, "csv")
    expected = by_number(truth.documents(exporter.department(0)["id"], ALL_OF_IT))
    documents = next(p for p in published_files(exporter.exports_dir, "demo_be") if p.name.endswith("documents.csv"))

    rows = {row["number"]: row for row in csv_rows(documents)}
    assert set(rows) == set(expected)
    for number, doc in expected.items():
        assert Decimal(rows[number]["total_incl"]) == abs(doc.total_incl), number
        assert rows[number]["document_type"] == ("credit_note" if doc.exported_as_credit_note else "invoice")


# -- UBL / Peppol BIS Billing 3.0 -------------------------------------------------------------------------


def businesses_only(truth, department_id, period):
    """The period's documents when every customer is a company with a valid VAT number (Peppol can address
    it), else None: private persons have no Peppol address, so a UBL export of their invoices is refused."""
    documents = truth.documents(department_id, period)
    customers = truth.customers({d.customer for d in documents})
    if documents and all(ref[0] == "company" and info.get("vat_number") and vatin.is_valid(info["vat_number"])
                         for ref, info in customers.items()):
        return documents
    return None


@pytest.fixture(scope="module")
def business_quarter(focus_demo, truth):
    """(department position, quarter, documents) of the demo data's busiest quarter billed only to businesses."""
    best = None
    for position, department in enumerate(focus_demo.manifest()["departments"]):
        for quarter in QUARTERS:
            documents = businesses_only(truth, department["id"], quarter)
            if documents and (best is None or len(documents) > len(best[2])):
                best = (position, quarter, documents)
    assert best is not None and len(best[2]) >= 3, "the demo data has no quarter billed only to businesses"
    return best


def ubl_documents(exporter, entity):
    (archive,) = [p for p in published_files(exporter.exports_dir, entity) if p.suffix == ".zip"]
    with zipfile.ZipFile(archive) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def test_every_ubl_file_of_the_demo_data_passes_both_official_rule_sets(exporter, business_quarter):
    position, quarter, documents = business_quarter
    exporter.setup("demo_ubl", position)
    exporter.export("demo_ubl", quarter, "ubl")

    files = ubl_documents(exporter, "demo_ubl")
    assert len(files) == len(documents)
    for name, xml in files.items():
        fatal = [f"{f.rule_id}: {f.message}" for f in validate_peppol(xml) if f.fatal]
        assert fatal == [], name


def test_the_ubl_export_states_focus_vat_per_document_and_rate_to_the_cent(exporter, business_quarter):
    position, quarter, documents = business_quarter
    exporter.setup("demo_ubl", position)
    exporter.export("demo_ubl", quarter, "ubl")

    found = {}
    for xml in ubl_documents(exporter, "demo_ubl").values():
        root = etree.fromstring(xml)
        per_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
        for subtotal in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS):
            percent = subtotal.findtext("cac:TaxCategory/cbc:Percent", default="0", namespaces=NS)
            rate = (Decimal(percent) / 100).normalize()
            per_rate[rate][0] += Decimal(subtotal.findtext("cbc:TaxableAmount", namespaces=NS))
            per_rate[rate][1] += Decimal(subtotal.findtext("cbc:TaxAmount", namespaces=NS))
        found[root.findtext("cbc:ID", namespaces=NS)] = (root.tag.endswith("CreditNote"),
                                                         {r: tuple(v) for r, v in per_rate.items()})
    expected = by_number(documents)
    assert set(found) == set(expected)
    for number, doc in expected.items():
        credit_note, per_rate = found[number]
        assert credit_note == doc.exported_as_credit_note, number
        assert per_rate == {r.normalize(): v for r, v in doc.per_rate.items()}, number
    assert per_rate_totals(documents) == {
        rate: tuple(sum(found[d.number][1].get(rate.normalize(), (Decimal(0), Decimal(0)))[i] for d in documents)
                    for i in (0, 1)) for rate in per_rate_totals(documents)}


def test_a_ubl_export_of_invoices_to_private_persons_is_refused_naming_each_and_the_way_out(exporter):
    from connectors.exports.job import ExportRefused

    exporter.setup("demo_be", 0)
    export_id = exporter.start("demo_be", ALL_OF_IT, "ubl")
    with pytest.raises(ExportRefused) as refused:
        exporter.until_quote(export_id)

    persons = [line for line in refused.value.lines if "electronic address" in line]
    assert persons and all(line.startswith("Customer ") and "generic CSV" in line for line in persons)
    assert published_files(exporter.exports_dir, "demo_be") == []
