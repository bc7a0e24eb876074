"""Focus data in SQLite: each document's full JSON as TEXT plus indexed columns.

``.info`` returns the stored JSON as is and ``.list`` projects it, so a
document is serialised once at seed time. Filter and sort columns are
indexed; a unique ``number_key`` (year * 1e6 + sequence, drafts last) keeps
invoice-number order numeric and lets a 100-item page come straight off an
index. Seeding drops the tables, bulk-inserts in batches inside one
transaction and builds the indexes afterwards (much faster than before).
Each derived column is read off the document by its own function
(``*_COLUMNS``), so a document patched by hand (a test hook) keeps every
column it still derives and the old value of any it no longer does.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.common.store import transaction
from sandbox.focus.records import Expense, File, Record

DRAFT_NUMBER_KEY = 9_999_999_999
NO_DATE_KEY = "9999-12-31"
BATCH = 5000

TABLES = {
    "users": "id TEXT PRIMARY KEY, doc TEXT NOT NULL",
    "departments": "id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, "
                   "created_at TEXT NOT NULL, doc TEXT NOT NULL",
    "tax_rates": "id TEXT PRIMARY KEY, department_id TEXT NOT NULL, rate REAL NOT NULL, description TEXT NOT NULL, "
                 "doc TEXT NOT NULL",
    "product_categories": "id TEXT PRIMARY KEY, doc TEXT NOT NULL",
    "payment_terms": "id TEXT PRIMARY KEY, is_default INTEGER NOT NULL, doc TEXT NOT NULL",
    "companies": "id TEXT PRIMARY KEY, name TEXT NOT NULL, vat_number TEXT, status TEXT NOT NULL, "
                 "added_at TEXT NOT NULL, updated_ts REAL NOT NULL, search TEXT NOT NULL, doc TEXT NOT NULL",
    "contacts": "id TEXT PRIMARY KEY, name TEXT NOT NULL, updated_ts REAL NOT NULL, search TEXT NOT NULL, "
                "doc TEXT NOT NULL",
    "invoices": "id TEXT PRIMARY KEY, department_id TEXT NOT NULL, status TEXT NOT NULL, "
                "number_key INTEGER NOT NULL, date_key TEXT NOT NULL, invoice_number TEXT, invoice_date TEXT, "
                "updated_ts REAL NOT NULL, customer_type TEXT NOT NULL, customer_id TEXT NOT NULL, "
                "purchase_order_number TEXT, payment_reference TEXT, payable REAL NOT NULL, "
                "search TEXT NOT NULL, doc TEXT NOT NULL",
    "credit_notes": "id TEXT PRIMARY KEY, department_id TEXT NOT NULL, invoice_id TEXT, "
                    "number_key INTEGER NOT NULL, credit_note_date TEXT NOT NULL, updated_ts REAL NOT NULL, "
                    "customer_type TEXT NOT NULL, customer_id TEXT NOT NULL, doc TEXT NOT NULL",
    "expenses": "id TEXT PRIMARY KEY, department_id TEXT NOT NULL, source_type TEXT NOT NULL, "
                "origin_type TEXT NOT NULL, review_status TEXT NOT NULL, bookkeeping_status TEXT NOT NULL, "
                "payment_status TEXT NOT NULL, supplier_type TEXT, supplier_id TEXT, supplier_name TEXT, "
                "document_date TEXT, due_date TEXT, search TEXT NOT NULL, doc TEXT NOT NULL, payments TEXT NOT NULL",
    "files": "id TEXT PRIMARY KEY, media_type TEXT NOT NULL, content BLOB NOT NULL",
    "file_links": "token_hash TEXT PRIMARY KEY, file_id TEXT NOT NULL, expires_at REAL NOT NULL",
    "webhooks": "url TEXT PRIMARY KEY, types TEXT NOT NULL",
}
INDEXES = (
    "invoices (department_id, number_key)",
    "invoices (number_key)",
    "invoices (department_id, date_key, number_key)",
    "invoices (date_key, number_key)",
    "invoices (updated_ts)",
    "invoices (customer_id)",
    "credit_notes (department_id, number_key)",
    "credit_notes (number_key)",
    "credit_notes (invoice_id)",
    "credit_notes (updated_ts)",
    "expenses (department_id, document_date)",
    "companies (name)",
    "companies (updated_ts)",
    "contacts (name)",
    "contacts (updated_ts)",
    "tax_rates (department_id)",
)


def _ts(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def _dump(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _number_key(number: str | None) -> int:
    """``"2026 / 17"`` or ``"2026/17"`` -> 2026000017; drafts sort last."""
    if number is None:
        return DRAFT_NUMBER_KEY
    year, _, seq = number.partition("/")
    return int(year) * 1_000_000 + int(seq)


def _search(*parts: str | None) -> str:
    return " ".join(p for p in parts if p).lower()


#: A table's derived columns: (name, how to read it from the document), in table order.
Columns = tuple[tuple[str, Callable[[Any], Any]], ...]

INVOICE_COLUMNS: Columns = (
    ("id", lambda doc: doc["id"]),
    ("department_id", lambda doc: doc["department"]["id"]),
    ("status", lambda doc: doc["status"]),
    ("number_key", lambda doc: _number_key(doc["invoice_number"])),
    ("date_key", lambda doc: doc["invoice_date"] or NO_DATE_KEY),
    ("invoice_number", lambda doc: doc["invoice_number"]),
    ("invoice_date", lambda doc: doc["invoice_date"]),
    ("updated_ts", lambda doc: _ts(doc["updated_at"])),
    ("customer_type", lambda doc: doc["invoicee"]["customer"]["type"]),
    ("customer_id", lambda doc: doc["invoicee"]["customer"]["id"]),
    ("purchase_order_number", lambda doc: doc["purchase_order_number"]),
    ("payment_reference", lambda doc: doc["payment_reference"]),
    ("payable", lambda doc: float(doc["total"]["payable"]["amount"])),
    ("search", lambda doc: _search(doc["invoice_number"], doc["purchase_order_number"], doc["payment_reference"],
                                   doc["invoicee"]["name"])),
    ("doc", _dump),
)
CREDIT_NOTE_COLUMNS: Columns = (
    ("id", lambda doc: doc["id"]),
    ("department_id", lambda doc: doc["department"]["id"]),
    ("invoice_id", lambda doc: (doc["invoice"] or {}).get("id")),
    ("number_key", lambda doc: _number_key(doc["credit_note_number"])),
    ("credit_note_date", lambda doc: doc["credit_note_date"]),
    ("updated_ts", lambda doc: _ts(doc["updated_at"])),
    ("customer_type", lambda doc: doc["invoicee"]["customer"]["type"]),
    ("customer_id", lambda doc: doc["invoicee"]["customer"]["id"]),
    ("doc", _dump),
)
EXPENSE_COLUMNS: Columns = (
    ("id", lambda e: e.doc["source"]["id"]),
    ("department_id", lambda e: e.doc["company_entity"]["id"]),
    ("source_type", lambda e: e.doc["source"]["type"]),
    ("origin_type", lambda e: e.doc["origin"]["type"]),
    ("review_status", lambda e: e.doc["review_status"]),
    ("bookkeeping_status", lambda e: e.doc["bookkeeping_status"]),
    ("payment_status", lambda e: e.doc["payment_status"]),
    ("supplier_type", lambda e: (e.doc["supplier"] or {}).get("type")),
    ("supplier_id", lambda e: (e.doc["supplier"] or {}).get("id")),
    ("supplier_name", lambda e: e.supplier_name),
    ("document_date", lambda e: e.doc["document_date"]),
    ("due_date", lambda e: e.doc["due_date"]),
    ("search", lambda e: _search(e.doc["title"], e.doc["document_number"], e.supplier_name)),
    ("doc", lambda e: _dump(e.doc)),
    ("payments", lambda e: _dump(e.payments)),
)
#: What reading a column off a hand-edited document may raise (then the column keeps its value).
UNDERIVABLE = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def _row(columns: Columns, payload: Any) -> tuple[Any, ...]:
    return tuple(read(payload) for _, read in columns)


def tolerant_row(columns: Columns, payload: Any, current: dict[str, Any]) -> tuple[Any, ...]:
    """A row for a document edited by hand (``/_sandbox/documents/patch``): each column derived
    where the document allows it, else left as ``current`` has it."""
    values = []
    for name, read in columns:
        try:
            values.append(read(payload))
        except UNDERIVABLE:
            values.append(current[name])
    return tuple(values)


def _invoice_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    return _row(INVOICE_COLUMNS, doc)


def _credit_note_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    return _row(CREDIT_NOTE_COLUMNS, doc)


def _expense_row(expense: Expense) -> tuple[Any, ...]:
    return _row(EXPENSE_COLUMNS, expense)


def _company_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc["id"], doc["name"], doc["vat_number"], doc["status"], doc["added_at"], _ts(doc["updated_at"]),
            _search(doc["name"], doc["vat_number"], *(e["email"] for e in doc["emails"])), _dump(doc))


def _contact_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    name = f"{doc['first_name']} {doc['last_name']}"
    return (doc["id"], name, _ts(doc["updated_at"]), _search(name, *(e["email"] for e in doc["emails"])), _dump(doc))


ROW_BUILDERS: dict[str, tuple[str, Callable[[Any], tuple[Any, ...]]]] = {
    "user": ("users", lambda doc: (doc["id"], _dump(doc))),
    "department": ("departments", lambda item: (item[1]["id"], item[0], item[1]["name"], item[1]["status"],
                                                item[1]["created_at"], _dump(item[1]))),
    "tax_rate": ("tax_rates", lambda doc: (doc["id"], doc["department"]["id"], doc["rate"], doc["description"],
                                           _dump(doc))),
    "product_category": ("product_categories", lambda doc: (doc["id"], _dump(doc))),
    "payment_term": ("payment_terms", lambda item: (item[0]["id"], int(item[1]), _dump(item[0]))),
    "company": ("companies", _company_row),
    "contact": ("contacts", _contact_row),
    "invoice": ("invoices", _invoice_row),
    "credit_note": ("credit_notes", _credit_note_row),
    "expense": ("expenses", _expense_row),
    "file": ("files", lambda file: (file.id, file.media_type, file.content)),
}


@dataclass
class Where:
    """SQL conditions built up from API filters (always parameterised)."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def any_of(self, column: str, values: Iterable[Any]) -> None:
        values = list(values)
        self.add(f"{column} IN ({', '.join('?' * len(values))})" if values else "0", *values)

    @property
    def sql(self) -> str:
        return f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""


class FocusStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._create_schema()

    def _create_schema(self) -> None:
        for table, columns in TABLES.items():
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        for number, index in enumerate(INDEXES):
            self.db.execute(f"CREATE INDEX IF NOT EXISTS focus_index_{number} ON {index}")

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM departments LIMIT 1").fetchone() is None

    def load(self, records: Iterable[Record]) -> None:
        """Replace all data with ``records`` (tables dropped, indexes rebuilt at the end)."""
        with transaction(self.db):
            for table in TABLES:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
                self.db.execute(f"CREATE TABLE {table} ({TABLES[table]})")
            buffers: dict[str, list[tuple[Any, ...]]] = {}
            for record in records:
                table, build = ROW_BUILDERS[record.table]
                rows = buffers.setdefault(table, [])
                rows.append(build(record.payload))
                if len(rows) >= BATCH:
                    self._insert(table, rows)
            for table, rows in buffers.items():
                self._insert(table, rows)
            self._create_schema()
        self.db.execute("ANALYZE")

    def _insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self.db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            rows.clear()

    # -- reads ---------------------------------------------------------------------------------

    def docs(self, table: str, where: Where, order_by: str = "rowid",
             limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        sql = f"SELECT doc FROM {table}{where.sql} ORDER BY {order_by}"
        params = list(where.params)
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [json.loads(row[0]) for row in self.db.execute(sql, params)]

    def count(self, table: str, where: Where) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}{where.sql}", where.params).fetchone()[0])

    def doc(self, table: str, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute(f"SELECT doc FROM {table} WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def column(self, sql: str, *params: Any) -> list[Any]:
        return [row[0] for row in self.db.execute(sql, params)]

    # -- writes --------------------------------------------------------------------------------

    def save_invoice(self, doc: dict[str, Any]) -> None:
        self._replace("invoices", _invoice_row(doc))

    def save_expense(self, expense: Expense) -> None:
        self._replace("expenses", _expense_row(expense))

    def current_row(self, table: str, doc_id: str) -> dict[str, Any] | None:
        """A stored row by id, column name -> value."""
        cursor = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", (doc_id,))
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))

    def replace_row(self, table: str, row: tuple[Any, ...]) -> None:
        """Store a row built elsewhere (``tolerant_row``), replacing the one with its id."""
        self._replace(table, row)

    def _replace(self, table: str, row: tuple[Any, ...]) -> None:
        self.db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * len(row))})", row)

    def expense(self, expense_id: str, source_type: str) -> Expense | None:
        row = self.db.execute(
            "SELECT doc, supplier_name, payments FROM expenses WHERE id = ? AND source_type = ?",
            (expense_id, source_type),
        ).fetchone()
        return None if row is None else Expense(json.loads(row[0]), row[1], json.loads(row[2]))

    def file(self, file_id: str) -> File | None:
        row = self.db.execute("SELECT media_type, content FROM files WHERE id = ?", (file_id,)).fetchone()
        return None if row is None else File(file_id, row[0], bytes(row[1]))

    def add_file_link(self, token_hash: str, file_id: str, expires_at: float) -> None:
        self.db.execute("INSERT INTO file_links VALUES (?, ?, ?)", (token_hash, file_id, expires_at))

    def file_link(self, token_hash: str) -> tuple[str, float] | None:
        row = self.db.execute(
            "SELECT file_id, expires_at FROM file_links WHERE token_hash = ?", (token_hash,)
        ).fetchone()
        return None if row is None else (str(row[0]), float(row[1]))

    def webhooks(self) -> dict[str, list[str]]:
        rows = self.db.execute("SELECT url, types FROM webhooks ORDER BY url")
        return {url: json.loads(types) for url, types in rows}

    def set_webhook(self, url: str, types: list[str]) -> None:
        if types:
            self.db.execute("INSERT OR REPLACE INTO webhooks VALUES (?, ?)", (url, json.dumps(sorted(types))))
        else:
            self.db.execute("DELETE FROM webhooks WHERE url = ?", (url,))
