"""Validate documents against an integration's mappings and the tool's master data, with Great Expectations.

The suites are built at run time from the integration's settings (the tool's
ledger accounts, VAT codes and journals are the value sets). GX reports the
failing rows; each becomes an ``Issue`` whose message names the document, the
line or field, and the fix. Documents with an issue are not sent; the others
proceed. Documents are validated in chunks so memory stays flat.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

import pandas as pd
from stdnum import vatin

from connectors.domain import Document, DocumentKind, LineKind, Party, PartyRef
from connectors.mappings import MappingSettings, direction, rate_key
from connectors.targets.base import MasterData

log = logging.getLogger(__name__)
CHUNK = 5_000
#: GX's public-API registry (``great_expectations._docs_decorators``) logs "Skipping registering function …" at
#: INFO for every closure and free function it decorates — some 200 lines when GX is imported — and GX logs
#: more set-up chatter at INFO (metric registry, the ephemeral context's docs site and data sources): noise
#: in a task log. Its warnings and errors still show.
GX_NOISY_LOGGERS = ("great_expectations", "great_expectations._docs_decorators")


def quiet_great_expectations() -> None:
    """Keep GX's registration and set-up chatter out of the task log (its warnings and errors still show).
    Called before GX is imported (the registry logs at import) and after (some GX modules set their own
    logger's level to INFO when imported)."""
    names = [*GX_NOISY_LOGGERS, *(name for name in logging.root.manager.loggerDict
                                  if name.startswith("great_expectations."))]
    for name in names:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
def suite_builder(source_name: str):
    """(``definition(name, expectations)`` → a GX validation definition over a whole pandas DataFrame,
    ``great_expectations.expectations``), on a quiet ephemeral context: how every GX check here is built."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    quiet_great_expectations()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    quiet_great_expectations()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas(source_name)

    def definition(name: str, expectations: list):
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        return context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))

    return definition, gxe


KIND_NAMES = {
    DocumentKind.SALES_INVOICE: "sales invoices",
    DocumentKind.SALES_CREDIT_NOTE: "sales credit notes",
    DocumentKind.PURCHASE_INVOICE: "purchase invoices",
    DocumentKind.PURCHASE_CREDIT_NOTE: "purchase credit notes",
}


@dataclass(frozen=True)
class Issue:
    focus_id: str
    source_type: str
    number: str
    code: str
    field: str | None
    message: str


def _percent(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


def _line_rows(doc: Document, settings: MappingSettings, master: MasterData) -> Iterator[dict]:
    side = direction(doc.kind)
    for line in doc.lines:
        code = settings.vat_code_for(doc, line)
        info = master.vat_codes.get(code) if code else None
        yield {
            "row": f"{doc.source_id}#{line.number}",
            "focus_id": doc.source_id,
            "line": line.number,
            "line_kind": line.kind.value,
            "rate": _percent(line.tax_rate),
            "rate_key": rate_key(line.tax_rate),
            "direction": direction(doc.kind),
            "category": line.product_category_id,
            "ledger_account": settings.ledger_for(doc, line),
            "vat_source": settings.vat_source_key(doc, line),
            "vat_code": code,
            "vat_code_rate": _percent(info.rate) if info else None,
            "vat_code_rate_fits": info is None or info.rate == line.tax_rate,
            "vat_code_direction": info.direction if info else None,
            "vat_code_direction_fits": info is None or info.direction in ("both", side),
            "vat_code_excludes_vat": info is None or not info.inclusive,
        }


def _document_row(doc: Document, settings: MappingSettings, master: MasterData,
                  parties: Mapping[PartyRef, Party]) -> dict:
    journal = settings.journal_for(doc.kind)
    journal_info = master.journals.get(journal) if journal else None
    money = money_problems(doc)
    party = parties.get(doc.party)
    vat_number = party.vat_number if party else None
    return {
        "row": doc.source_id,
        "focus_id": doc.source_id,
        "kind": doc.kind.value,
        "journal": journal,
        "journal_fits": journal is None or (
            journal_info is not None and doc.kind in journal_info.kinds and not journal_info.blocked),
        "has_discount": any(line.kind is LineKind.DISCOUNT for line in doc.lines),
        "balanced": "unbalanced" not in money,
        "vat_rates_have_lines": "vat_without_lines" not in money,
        "taxable_matches_lines": "taxable_differs" not in money,
        "currency": doc.currency,
        "currency_bookable": master.currency is None or doc.currency == master.currency,
        "date": doc.date.isoformat(),
        "before_start": settings.start_date is not None and doc.date < settings.start_date,
        "period_closed": master.is_closed(doc.date),
        "has_book_year": not master.book_years or master.book_year_of(doc.date) is not None,
        "party_name": party.name if party else None,
        "vat_number": vat_number,
        "vat_number_valid": vat_number is None or valid_vat_number(vat_number),
    }


def money_problems(doc: Document) -> dict[str, str]:
    """What does not add up to the cent: lines + VAT against the total, and each stated rate against its lines.
    Keys: unbalanced, vat_without_lines, taxable_differs; values: the details for the message."""
    problems = {}
    vat_total = sum((v.tax for v in doc.vat), Decimal("0.00"))
    if doc.lines_total + vat_total != doc.total_incl:
        problems["unbalanced"] = (f"its lines ({doc.lines_total}) plus VAT ({vat_total}) make "
                                  f"{doc.lines_total + vat_total}, but Focus states a total of {doc.total_incl}")
    lines_at: dict[Decimal, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for line in doc.lines:
        lines_at[line.tax_rate] += line.amount
    stated: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for vat in doc.vat:
        stated[vat.rate][0] += vat.taxable
        stated[vat.rate][1] += vat.tax
    for rate, (taxable, tax) in sorted(stated.items()):
        if rate not in lines_at and (taxable or tax):
            problems.setdefault("vat_without_lines", f"it states {tax} VAT on {taxable} at {_percent(rate)}, but no "
                                                     "line has that rate")
        elif rate in lines_at and lines_at[rate] != taxable:
            problems.setdefault("taxable_differs", f"its {_percent(rate)} lines add up to {lines_at[rate]}, but it "
                                                   f"states {taxable} taxable at that rate")
    return problems


def valid_vat_number(number: str) -> bool:
    try:
        return bool(vatin.is_valid(number))
    except Exception:  # noqa: BLE001 - stdnum raises for unknown country prefixes
        return False


class Validator:
    """Builds the GX suites once per run and validates documents chunk by chunk."""

    def __init__(self, settings: MappingSettings, master: MasterData, tool: str):
        self.settings = settings
        self.master = master
        self.tool = tool
        self._lines, self._documents = self._build()

    def _build(self):
        definition, gxe = suite_builder("focus_documents")

        accounts = sorted(code for code, a in self.master.ledger_accounts.items() if not a.blocked)
        vat_codes = sorted(code for code, v in self.master.vat_codes.items() if not v.blocked)
        lines = definition("lines", [
            gxe.ExpectColumnValuesToNotBeNull(column="ledger_account", meta={"code": "missing_ledger_account"}),
            gxe.ExpectColumnValuesToBeInSet(column="ledger_account", value_set=accounts,
                                            meta={"code": "unknown_ledger_account"}),
            gxe.ExpectColumnValuesToNotBeNull(column="vat_code", meta={"code": "missing_vat_code"}),
            gxe.ExpectColumnValuesToBeInSet(column="vat_code", value_set=vat_codes,
                                            meta={"code": "unknown_vat_code"}),
            gxe.ExpectColumnValuesToBeInSet(column="vat_code_rate_fits", value_set=[True],
                                            meta={"code": "vat_code_rate_differs"}),
            gxe.ExpectColumnValuesToBeInSet(column="vat_code_direction_fits", value_set=[True],
                                            meta={"code": "vat_code_wrong_direction"}),
            gxe.ExpectColumnValuesToBeInSet(column="vat_code_excludes_vat", value_set=[True],
                                            meta={"code": "vat_code_inclusive"}),
        ])
        documents = definition("documents", [
            gxe.ExpectColumnValuesToNotBeNull(column="journal", meta={"code": "missing_journal"}),
            gxe.ExpectColumnValuesToBeInSet(column="journal_fits", value_set=[True], meta={"code": "wrong_journal"}),
            gxe.ExpectColumnValuesToBeInSet(column="balanced", value_set=[True], meta={"code": "unbalanced"}),
            gxe.ExpectColumnValuesToBeInSet(column="vat_rates_have_lines", value_set=[True],
                                            meta={"code": "vat_without_lines"}),
            gxe.ExpectColumnValuesToBeInSet(column="taxable_matches_lines", value_set=[True],
                                            meta={"code": "taxable_differs"}),
            gxe.ExpectColumnValuesToBeInSet(column="currency_bookable", value_set=[True],
                                            meta={"code": "currency_not_bookable"}),
            gxe.ExpectColumnValuesToBeInSet(column="before_start", value_set=[False],
                                            meta={"code": "before_start_date"}),
            gxe.ExpectColumnValuesToBeInSet(column="period_closed", value_set=[False], meta={"code": "period_closed"}),
            gxe.ExpectColumnValuesToBeInSet(column="has_book_year", value_set=[True], meta={"code": "no_book_year"}),
            gxe.ExpectColumnValuesToBeInSet(column="vat_number_valid", value_set=[True],
                                            meta={"code": "invalid_vat_number"}),
        ])
        log.info("validation suites ready: %d checks per document, %d per line (%d ledger accounts, %d VAT codes "
                 "and %d journals of %s)", len(documents.suite.expectations), len(lines.suite.expectations),
                 len(accounts), len(vat_codes), len(self.master.journals), self.tool)
        return lines, documents

    def validate(self, documents: Iterable[Document], parties: Mapping[PartyRef, Party],
                 validated: Callable[[int], None] = lambda count: None) -> Iterator[Issue]:
        """Issues for every failing document; documents without issues may be booked. ``validated`` is told
        how many documents each chunk held, once its issues are out."""
        iterator = iter(documents)
        while chunk := list(islice(iterator, CHUNK)):
            yield from self._validate_chunk(chunk, parties)
            validated(len(chunk))

    def _validate_chunk(self, chunk: list[Document], parties: Mapping[PartyRef, Party]) -> Iterator[Issue]:
        by_id = {doc.source_id: doc for doc in chunk}
        line_frame = pd.DataFrame([row for doc in chunk for row in _line_rows(doc, self.settings, self.master)])
        doc_frame = pd.DataFrame([_document_row(doc, self.settings, self.master, parties) for doc in chunk])
        seen: set[tuple[str, str, str]] = set()
        for frame, definition in ((doc_frame, self._documents), (line_frame, self._lines)):
            if frame.empty:
                continue
            result = definition.run(
                batch_parameters={"dataframe": frame},
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row"]},
            )
            rows = frame.set_index("row")
            for outcome in result.results:
                if outcome.success:
                    continue
                code = outcome.expectation_config.meta["code"]
                for hit in outcome.result.get("unexpected_index_list") or []:
                    row = rows.loc[hit["row"]]
                    doc = by_id[row["focus_id"]]
                    message, field = self._explain(code, doc, row)
                    key = (doc.source_id, code, message)
                    if key not in seen:  # one message per document and cause
                        seen.add(key)
                        yield Issue(doc.source_id, doc.source_type, doc.number, code, field, message)

    def _explain(self, code: str, doc: Document, row: pd.Series) -> tuple[str, str | None]:
        s = self.settings
        label = doc.label
        at = f"{label}, line {row.get('line')}" if "line" in row.index else label
        kinds = KIND_NAMES[doc.kind]
        if code == "missing_ledger_account":
            if row["line_kind"] == LineKind.DISCOUNT.value:
                return (f"{at}: the commercial discount has no ledger account; set the {row['direction']} "
                        "discount account of the integration (focus-connector integrations edit)", "discount_account")
            if row["direction"] == "purchase":
                return (f"{at}: no ledger account for {row['rate']} purchases; set the ledger account per VAT rate "
                        "for purchases in the integration", "ledger_by_vat_rate")
            hint = (f"link product category {row['category']} to a ledger account in Focus" if row["category"]
                    else "give the line a product category linked to a ledger account in Focus")
            return f"{at}: the line has no ledger account; {hint}, or set a ledger account for {row['rate']} " \
                   "and turn on 'fill lines by VAT rate'", "ledger_account"
        if code == "unknown_ledger_account":
            return (f"{at}: ledger account {row['ledger_account']} does not exist in {self.tool} (or is blocked); "
                    "create it there or correct the mapping", "ledger_account")
        if code == "missing_vat_code":
            return (f"{at}: tax rate {row['rate']} has no VAT code linked; link it to a VAT code of {self.tool} "
                    "in the integration's VAT code links", "vat_code")
        if code == "unknown_vat_code":
            return (f"{at}: VAT code {row['vat_code']} linked to tax rate {row['rate']} does not exist in "
                    f"{self.tool}; pick an existing VAT code", "vat_code")
        if code == "missing_journal":
            return f"{label}: no journal is set for {kinds}; choose one in the integration", "journal"
        if code == "wrong_journal":
            return (f"{label}: journal {row['journal']} cannot hold {kinds} in {self.tool} (wrong type, blocked or "
                    "missing); choose another journal", "journal")
        if code in ("unbalanced", "vat_without_lines", "taxable_differs"):
            return (f"{label}: {money_problems(doc)[code]}; the connector books every document to the cent, so "
                    "correct the document in Focus", "total")
        if code == "currency_not_bookable":
            return (f"{label}: it is in {doc.currency}, but the {self.tool} administration books in "
                    f"{self.master.currency}; the connector does not convert currencies: book it by hand in "
                    f"{self.tool}, then `focus-connector documents exclude` it", "currency")
        if code == "vat_code_rate_differs":
            return (f"{at}: VAT code {row['vat_code']} is {row['vat_code_rate']} in {self.tool}, but the line is "
                    f"taxed at {row['rate']}; link the {row['rate']} tax rate to a {row['rate']} VAT code",
                    "vat_code")
        if code == "vat_code_inclusive":
            return (f"{at}: VAT code {row['vat_code']} reads amounts as VAT included in {self.tool}, but Focus "
                    "states them excluding VAT; link a VAT code that excludes VAT", "vat_code")
        if code == "vat_code_wrong_direction":
            return (f"{at}: VAT code {row['vat_code']} is a {row['vat_code_direction']} code in {self.tool}, but "
                    f"this is a {row['direction']} document; link a {row['direction']} VAT code", "vat_code")
        if code == "before_start_date":
            return (f"{label}: dated {doc.date}, before the integration's start date {s.start_date}; "
                    "it is not synced (move the start date to include it)", "date")
        if code == "period_closed":
            return (f"{label}: dated {doc.date}, in a period that is closed in {self.tool}; reopen the period or "
                    "book it by hand", "date")
        if code == "no_book_year":
            return (f"{label}: dated {doc.date}, but {self.tool} has no book year for that date; open the book "
                    "year in the tool (the next run picks the document up)", "date")
        if code == "invalid_vat_number":
            return (f"{label}: the VAT number {row['vat_number']} of {row['party_name']} is not valid; "
                    "correct it on the company in Focus", "vat_number")
        return f"{label}: {code}", None
