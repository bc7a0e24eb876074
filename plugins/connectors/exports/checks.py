"""Validate an export before anything is written or charged, with Great Expectations (like the sync).

Three frames per chunk — lines, documents, customers — each checked by a GX suite built once per export from
the department's settings and the package's needs. Every failing row becomes a ``Problem`` naming the
document or customer, the field and the fix. One problem anywhere means no file is written and nothing is
charged; all problems are listed at once, so one round of fixes is enough.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice

import pandas as pd

from connectors.domain import Document, LineKind, Party, PartyRef
from connectors.exports.resolve import ledger_account, structured_communication
from connectors.exports.settings import ExportSettings
from connectors.exports.store import Problem
from connectors.exports.writers import Writer
from connectors.validation import money_problems, suite_builder

log = logging.getLogger(__name__)
CHUNK = 5_000
#: The VAT rates a department of these countries can invoice at; elsewhere any rate is accepted.
LEGAL_RATES = {
    "BE": {Decimal("0"), Decimal("0.06"), Decimal("0.12"), Decimal("0.21")},
    "NL": {Decimal("0"), Decimal("0.09"), Decimal("0.21")},
}
COUNTRY_NAMES = {"BE": "Belgian", "NL": "Dutch"}


def _percent(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')} %"


class ExportChecks:
    """The suites of one export; ``problems`` validates documents chunk by chunk, then the customers."""

    def __init__(self, *, entity: str, settings: ExportSettings, writer: Writer, country: str | None,
                 number_mode: str, numbers: Mapping[PartyRef, str], tax_rates: Mapping[str, str],
                 categories: Mapping[str, str] | None = None):
        self.entity = entity
        self.settings = settings
        self.writer = writer
        self.country = (country or "").upper() or None
        self.number_mode = number_mode
        self.numbers = numbers
        self.tax_rates = tax_rates
        #: Focus product category id → its name, for messages people can act on.
        self.categories = categories or {}
        self._lines, self._documents, self._customers = self._build()

    def _build(self):
        definition, gxe = suite_builder("offline_export")

        def true(column: str, code: str):
            return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], meta={"code": code})

        lines = definition("export_lines", [
            gxe.ExpectColumnValuesToNotBeNull(column="ledger_account", meta={"code": "missing_ledger_account"}),
            true("rate_known", "unknown_vat_rate"),
            true("tax_rate_of_department", "foreign_tax_rate"),
        ])
        documents = definition("export_documents", [
            gxe.ExpectColumnValuesToNotBeNull(column="journal", meta={"code": "missing_journal"}),
            true("adds_up", "does_not_add_up"),
            true("communication_valid", "invalid_structured_communication"),
            true("has_customer", "customer_missing"),
        ])
        customers = definition("export_customers", [
            true("number_known", "missing_customer_number"),
            gxe.ExpectColumnValuesToBeInSet(column="gaps", value_set=[""], meta={"code": "package_needs"}),
        ])
        return lines, documents, customers

    # -- frames ----------------------------------------------------------------------------------

    def _line_rows(self, doc: Document) -> Iterator[dict]:
        legal = LEGAL_RATES.get(self.country or "")
        for line in doc.lines:
            yield {
                "row": f"{doc.source_id}#{line.number}", "focus_id": doc.source_id, "line": line.number,
                "line_kind": line.kind.value, "rate": line.tax_rate,
                "ledger_account": ledger_account(line.kind, line.ledger_account, line.tax_rate, self.settings),
                "category_name": self.categories.get(line.product_category_id or "") or line.product_category_id
                or "",
                "rate_known": legal is None or line.tax_rate in legal,
                "tax_rate_of_department": line.tax_rate_id is None or line.tax_rate_id in self.tax_rates,
            }

    def _document_row(self, doc: Document, customers: Mapping[PartyRef, Party]) -> dict:
        communication, valid = structured_communication(doc.payment_reference)
        journal = self.settings.credit_note_journal if doc.kind.is_credit_note else self.settings.invoice_journal
        return {
            "row": doc.source_id, "focus_id": doc.source_id, "journal": journal or None,
            "adds_up": not money_problems(doc), "communication_valid": valid,
            "has_customer": doc.party in customers,
        }

    # -- validation ------------------------------------------------------------------------------

    def problems(self, documents: Iterable[Document], customers: Mapping[PartyRef, Party]) -> Iterator[Problem]:
        categories: dict[PartyRef, set[str]] = {}
        iterator = iter(documents)
        while chunk := list(islice(iterator, CHUNK)):
            for doc in chunk:
                categories.setdefault(doc.party, set()).update(
                    self.settings.category_for(line.tax_rate, self.tax_rates.get(line.tax_rate_id or ""))
                    for line in doc.lines)
            yield from self._document_problems(chunk, customers)
        yield from self._customer_problems(customers, categories)

    def _run(self, frame: pd.DataFrame, definition) -> Iterator[tuple[str, pd.Series]]:
        if frame.empty:
            return
        result = definition.run(batch_parameters={"dataframe": frame},
                                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row"]})
        rows = frame.set_index("row")
        for outcome in result.results:
            if outcome.success:
                continue
            code = outcome.expectation_config.meta["code"]
            for hit in outcome.result.get("unexpected_index_list") or []:
                yield code, rows.loc[hit["row"]]

    def _document_problems(self, chunk: list[Document], customers: Mapping[PartyRef, Party]) -> Iterator[Problem]:
        by_id = {doc.source_id: doc for doc in chunk}
        line_frame = pd.DataFrame([row for doc in chunk for row in self._line_rows(doc)])
        doc_frame = pd.DataFrame([self._document_row(doc, customers) for doc in chunk])
        seen: set[tuple[str, str]] = set()
        for frame, definition in ((doc_frame, self._documents), (line_frame, self._lines)):
            for code, row in self._run(frame, definition):
                doc = by_id[row["focus_id"]]
                field, message = self._explain_document(code, doc, row)
                if (doc.source_id, message) not in seen:
                    seen.add((doc.source_id, message))
                    yield Problem("document", doc.source_id, doc.label, code, field, message)

    def _explain_document(self, code: str, doc: Document, row: pd.Series) -> tuple[str, str]:
        label, entity, s = doc.label, self.entity, self.settings
        at = f"{label}, line {row['line']}" if "line" in row.index else label
        if code == "missing_ledger_account":
            if row["line_kind"] == LineKind.DISCOUNT.value:
                return "sales_discount_account", (
                    f"{at}: the commercial discount has no ledger account; set the sales discount account "
                    f"(`focus-connector exports setup {entity} --discount-account 708000`)")
            hint = (f"link product category '{row['category_name']}' to a ledger account in Focus"
                    if row["category_name"] else "give the line a product category linked to a ledger account in Focus")
            fill = "" if s.fill_lines_by_rate else " --fill-lines-by-rate"
            rate = format(Decimal(row["rate"]).normalize(), "f")
            return "ledger_account", (
                f"{at}: the line has no ledger account; {hint}, or fill lines by VAT rate "
                f"(`focus-connector exports setup {entity} --ledger-by-rate {rate}=700000{fill}`)")
        if code == "unknown_vat_rate":
            country = COUNTRY_NAMES.get(self.country or "", self.country or "")
            return "tax_rate", (f"{at}: tax rate {_percent(row['rate'])} is not a {country} VAT rate of the "
                                "department; correct the line's tax rate in Focus (credit the invoice and invoice "
                                "again)")
        if code == "foreign_tax_rate":
            return "tax_rate", (f"{at}: its Focus tax rate ({_percent(row['rate'])}) is not one of this "
                                "department's tax rates; correct the line's tax rate in Focus (credit the invoice and "
                                "invoice again)")
        if code == "missing_journal":
            which = "credit-note" if doc.kind.is_credit_note else "invoice"
            return "journal", (f"{label}: no {which} journal is set; set it with `focus-connector exports setup "
                               f"{entity} --{which}-journal CODE` or on the trigger form")
        if code == "does_not_add_up":
            problems = money_problems(doc)
            return "total", (f"{label}: {next(iter(problems.values()))}; exports are exact to the cent, so correct "
                             "the document in Focus")
        if code == "invalid_structured_communication":
            return "payment_reference", (
                f"{label}: payment reference {doc.payment_reference!r} looks like a structured communication but "
                "its check digits are wrong (mod 97); correct it in Focus")
        if code == "customer_missing":
            return "invoicee", (f"{label}: Focus did not return its customer ({doc.party.type} {doc.party.id}); "
                                "check the invoicee in Focus")
        return code, f"{label}: {code}"

    def _customer_problems(self, customers: Mapping[PartyRef, Party],
                           categories: Mapping[PartyRef, set[str]]) -> Iterator[Problem]:
        from connectors.exports.resolve import customer as export_customer

        rows, gaps_of = [], {}
        for ref, party in customers.items():
            gaps = self.writer.customer_gaps(export_customer(party, ref, self.numbers.get(ref)),
                                             sorted(categories.get(ref, set())))
            key = f"{ref.type}:{ref.id}"
            gaps_of[key] = gaps
            rows.append({"row": key, "name": party.name,
                         "number_known": self.number_mode != "manual" or ref in self.numbers,
                         "gaps": "; ".join(g.field for g in gaps)})
        by_key = {f"{ref.type}:{ref.id}": (ref, party) for ref, party in customers.items()}
        for code, row in self._run(pd.DataFrame(rows), self._customers):
            ref, party = by_key[row.name]
            label = f"Customer {party.name or ref.id}"
            if code == "missing_customer_number":
                yield Problem("customer", ref.id, label, code, "customer_number", (
                    f"{label}: has no customer number for {self.writer.title} and numbers are managed by hand; "
                    f"import them (`focus-connector customers import-numbers {self.entity} FILE`) or set one "
                    f"(`focus-connector customers set-number {self.entity} --{ref.type} {ref.id} NUMBER`)"))
            else:
                for gap in gaps_of[row.name]:
                    yield Problem("customer", ref.id, label, code, gap.field,
                                  f"{label}: {gap.message} (needed for {self.writer.title})")
