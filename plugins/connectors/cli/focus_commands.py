"""``focus-connector focus …``: connect the Focus account, list departments, extract one."""

from __future__ import annotations

import argparse
import secrets
import sys
from urllib.parse import parse_qs, urlparse

from connectors.cli.common import ISO_DATE, ISO_TIMESTAMP, state_engine
from connectors.cli.output import count_records, format_table, record_json
from connectors.connections import FOCUS_CONN_ID, get_connection
from connectors.focus import streams
from connectors.focus.connection import focus_client, oauth_for, redirect_uri, token_store
from connectors.focus.errors import FocusNotFound
from connectors.focus.extract import extract


def consent_code(authorize_url: str, state: str, code: str | None) -> str:
    """The OAuth consent step: the user opens the URL and pastes where they were redirected."""
    if code:
        return code
    print("Open this URL, approve the integration, then paste the URL you were redirected to:")
    print(authorize_url)
    try:
        query = parse_qs(urlparse(input("> ").strip()).query)
    except EOFError:
        raise SystemExit("No URL was pasted; run the command again, or pass the code with --code.") from None
    if query.get("state", [""])[0] != state:
        raise SystemExit("The state in that URL does not match; start again.")
    return query.get("code", [""])[0]


def cmd_connect(args: argparse.Namespace) -> int:
    engine = state_engine()
    conn = get_connection(FOCUS_CONN_ID)
    oauth = oauth_for(conn)
    state = secrets.token_urlsafe(16)
    code = consent_code(oauth.authorize_url(redirect_uri=redirect_uri(conn), state=state), state, args.code)
    token_store(engine).save(oauth.exchange_code(code, redirect_uri=redirect_uri(conn)))
    print(f"Connected to Teamleader Focus ({conn.host}). Tokens are stored encrypted in the state database.")
    return 0


def cmd_departments(args: argparse.Namespace) -> int:
    with focus_client(state_engine()) as client:
        for item in streams.departments(client):
            print(f"{item['id']}  {item['name']}  {item.get('vat_number') or ''}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    with focus_client(state_engine()) as client:
        try:
            streams.department_info(client, args.department)
        except FocusNotFound:
            raise SystemExit(f"error: Focus has no department {args.department!r}; "
                             "`focus-connector focus departments` lists them") from None
        records = extract(client, args.department, since=args.since, start_date=args.start_date)
        if args.format == "jsonl":
            for record in records:
                print(record_json(record))
        else:
            print(format_table([(args.department, count_records(records))]))
        print(f"{sum(client.calls.values())} Focus API calls: {dict(client.calls)}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    focus = sub.add_parser("focus", help="Teamleader Focus: connect, list departments, extract")
    commands = focus.add_subparsers(dest="focus_command", required=True)
    connect = commands.add_parser("connect", help="OAuth consent for the Focus account (connection focus_default)")
    connect.add_argument("--code", help="an authorization code obtained already (skips the prompt)")
    connect.set_defaults(func=cmd_connect)
    commands.add_parser("departments", help="list the account's active departments").set_defaults(
        func=cmd_departments)
    ext = commands.add_parser("extract", help="extract one department and print counts (or JSON lines)")
    ext.add_argument("--department", required=True, help="Focus department id")
    ext.add_argument("--since", type=ISO_TIMESTAMP,
                     help="only outgoing documents updated since this ISO 8601 timestamp (e.g. 2026-01-31T08:00:00+01:00)")
    ext.add_argument("--start-date", type=ISO_DATE, help="ignore documents dated before this day (YYYY-MM-DD)")
    ext.add_argument("--format", choices=("table", "jsonl"), default="table")
    ext.set_defaults(func=cmd_extract)
