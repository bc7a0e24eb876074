"""``focus-connector``: the operator's command line.

For now it connects to Teamleader Focus and extracts a department; the
integration setup commands join it with the state database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import secrets
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from connectors.domain import Document, LedgerAccount, Party, PartyRole, SourceIssue, TaxRate
from connectors.focus import streams
from connectors.focus.connection import FocusSettings, build_client, oauth_for
from connectors.focus.errors import FocusError
from connectors.focus.extract import Record, extract
from connectors.oauth import AuthError, FileTokenStore

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


# -- commands --------------------------------------------------------------------------


def cmd_connect(args: argparse.Namespace) -> int:
    settings = FocusSettings.from_env()
    oauth = oauth_for(settings)
    code = args.code
    if not code:
        state = secrets.token_urlsafe(16)
        print("Open this URL, approve the integration, then paste the URL you were redirected to:")
        print(oauth.authorize_url(redirect_uri=settings.redirect_uri, state=state))
        redirected = input("> ").strip()
        query = parse_qs(urlparse(redirected).query)
        if query.get("state", [""])[0] != state:
            print("The state in that URL does not match; start again.", file=sys.stderr)
            return 2
        code = query.get("code", [""])[0]
    token = oauth.exchange_code(code, redirect_uri=settings.redirect_uri)
    FileTokenStore(settings.token_file).save(token)
    print(f"Connected. Tokens stored in {settings.token_file} (readable by you only).")
    return 0


def cmd_departments(args: argparse.Namespace) -> int:
    with build_client(FocusSettings.from_env()) as client:
        for item in streams.departments(client):
            print(f"{item['id']}  {item['name']}  {item.get('vat_number') or ''}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    since = dt.datetime.fromisoformat(args.since) if args.since else None
    start = dt.date.fromisoformat(args.start_date) if args.start_date else None
    with build_client(FocusSettings.from_env()) as client:
        records = extract(client, args.department, since=since, start_date=start)
        if args.format == "jsonl":
            for record in records:
                print(record_json(record))
        else:
            print(format_table([(args.department, count_records(records))]))
        print(f"{sum(client.calls.values())} Focus API calls: {dict(client.calls)}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="focus-connector", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    focus = sub.add_parser("focus", help="Teamleader Focus: connect, list departments, extract")
    focus_sub = focus.add_subparsers(dest="focus_command", required=True)
    connect = focus_sub.add_parser("connect", help="OAuth consent: store a token pair for the Focus account")
    connect.add_argument("--code", help="an authorization code obtained already (skips the prompt)")
    connect.set_defaults(func=cmd_connect)
    departments = focus_sub.add_parser("departments", help="list the account's active departments")
    departments.set_defaults(func=cmd_departments)
    ext = focus_sub.add_parser("extract", help="extract one department and print counts (or JSON lines)")
    ext.add_argument("--department", required=True, help="Focus department id")
    ext.add_argument("--since", help="only outgoing documents updated since this ISO timestamp")
    ext.add_argument("--start-date", help="ignore documents dated before this day (YYYY-MM-DD)")
    ext.add_argument("--format", choices=("table", "jsonl"), default="table")
    ext.set_defaults(func=cmd_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (FocusError, AuthError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
