"""What the command line prints: record counts, tables, JSON lines."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from decimal import Decimal

from connectors.domain import Document, LedgerAccount, Party, PartyRole, SourceIssue, TaxRate
from connectors.focus.extract import Record

#: Column order of the count table (document kinds, then parties and reference data).
COUNT_COLUMNS = (
    "sales_invoice",
    "sales_credit_note",
    "purchase_invoice",
    "purchase_credit_note",
    "customers",
    "suppliers",
    "issues",
    "tax_rates",
    "ledger_accounts",
)


def count_records(records: Iterable[Record]) -> Counter[str]:
    """Counts per document kind, parties per role, issues and reference data."""
    counts: Counter[str] = Counter()
    for record in records:
        if isinstance(record, Document):
            counts[record.kind.value] += 1
        elif isinstance(record, Party):
            for role in record.roles:
                counts["customers" if role is PartyRole.CUSTOMER else "suppliers"] += 1
        elif isinstance(record, SourceIssue):
            counts["issues"] += 1
        elif isinstance(record, TaxRate):
            counts["tax_rates"] += 1
        elif isinstance(record, LedgerAccount):
            counts["ledger_accounts"] += 1
    return counts


def format_table(rows: Sequence[tuple[str, Counter[str]]], columns: Sequence[str] = COUNT_COLUMNS) -> str:
    header = ("department", *columns)
    body = [(name, *(str(counts.get(c, 0)) for c in columns)) for name, counts in rows]
    widths = [max(len(r[i]) for r in (header, *body)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = (v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True)))
        return "  ".join(cells)

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in body)])


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(type(value).__name__)


def record_json(record: Record) -> str:
    payload = asdict(record) if is_dataclass(record) else record
    return json.dumps({"record": type(record).__name__, **payload}, default=_json_default)
