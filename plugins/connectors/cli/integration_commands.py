"""``focus-connector integrations add|edit|show|list|delete|status``: the setup flow.

``add`` follows the flow users know from peer connectors: connect (OAuth
consent with the tool), pick the administration, the start date, journals
(offered from the tool, filtered by type), discount accounts, VAT code
links, the ledger account per VAT rate, automatic nightly sync and payment
notifications. ``--accept-suggestions`` takes the obvious journal and VAT code
choices; anything still missing leaves the status at "Configuration needed".
"""

from __future__ import annotations

import argparse
import secrets
import sys

from connectors import integrations
from connectors.cli.common import (
    CRON,
    ENTITY_NAME,
    ISO_DATE,
    JOURNAL,
    LEDGER_BY_RATE,
    TIME_ZONE,
    VAT_LINK,
    positive_int,
    state_engine,
)
from connectors.cli.document_commands import print_problems
from connectors.cli.focus_commands import consent_code
from connectors.connections import get_connection
from connectors.entities import TOOL_NAMES
from connectors.focus import streams
from connectors.focus.connection import focus_client, redirect_uri
from connectors.focus.errors import FocusNotFound
from connectors.focus.mapping import tax_rate
from connectors.integrations import IntegrationError
from connectors.oauth import AuthError
from connectors.payments.registry import PaymentRegistry
from connectors.setup import suggest_journals, suggest_vat_links
from connectors.state.ledger import DocumentLedger
from connectors.state.master_data import MasterDataStore
from connectors.state.models import DocumentState
from connectors.state.runs import RunLog
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.targets import oauth_for
from connectors.tasks import target_for

STATUS_LABELS = {"connecting": "Connecting", "connected": "Connected", "configuration_needed": "Configuration needed"}


def _settings(args: argparse.Namespace) -> integrations.Settings:
    return integrations.Settings(
        target_connection_id=getattr(args, "connection", None),
        start_date=args.start_date,
        timezone=args.timezone,
        auto_sync=args.auto_sync,
        schedule=args.schedule,
        sales_discount_account=args.sales_discount_account,
        purchase_discount_account=args.purchase_discount_account,
        fill_ledger_by_vat_rate=args.fill_ledger_by_vat_rate,
        journals=dict(args.journal or []),
        vat_links=dict(args.vat_link or []),
        ledger_by_rate=dict(args.ledger_by_rate or []),
    )


def _target(engine, row):
    return target_for(engine, target=row.target, connection_id=row.target_connection_id,
                      administration=row.target_administration, integration_id=row.id)


def _consent(engine, row, code: str | None) -> None:
    """The tool's OAuth consent (Exact Online): the code given, or the consent page and a pasted URL."""
    conn = get_connection(row.target_connection_id)
    oauth = oauth_for(row.target, conn)
    state = secrets.token_urlsafe(16)
    uri = conn.extra.get("redirect_uri") or redirect_uri(conn)
    url = oauth.authorize_url(redirect_uri=uri, state=state)
    if code is None and not sys.stdin.isatty():
        raise IntegrationError(f"{row.entity}: {TOOL_NAMES[row.target]} needs your consent: open {url} , approve, "
                               f"and run `{integrations.connect_command(row.entity)} --code CODE` with the code "
                               "from the URL you were sent back to")
    try:
        DbTokenStore(engine, row.target_connection_id, load_cipher()).save(
            oauth.exchange_code(consent_code(url, state, code), redirect_uri=uri))
    except AuthError as exc:
        raise IntegrationError(f"{row.entity}: {TOOL_NAMES[row.target]} did not accept the consent ({exc}); the "
                               "integration stays Connecting: get a new code from the consent page and run "
                               f"`{integrations.connect_command(row.entity)} --code NEW_CODE`") from None


def _uses_consent(row) -> bool:
    return oauth_for(row.target, get_connection(row.target_connection_id)) is not None


def _has_tokens(engine, row) -> bool:
    return DbTokenStore(engine, row.target_connection_id, load_cipher()).load() is not None


def _administration(row, target, wanted: str | None) -> str:
    """The administration the tool really offers: the one asked for, or the only one there is."""
    choices = target.administrations()
    ids = {choice.id for choice in choices}
    if wanted is not None and wanted in ids:
        return wanted
    if wanted is None and len(choices) == 1:
        return choices[0].id
    listing = "; ".join(f"{choice.id} {choice.name}" for choice in choices) or "none"
    problem = (f"{TOOL_NAMES[row.target]} has no administration {wanted!r} for this connection" if wanted
               else f"{TOOL_NAMES[row.target]} offers {len(choices)} administrations")
    raise IntegrationError(f"{row.entity}: {problem} (available: {listing}); the integration stays Connecting: run "
                           f"`{integrations.connect_command(row.entity)} --administration ID`")


def connect(engine, entity: str, *, code: str | None, administration: str | None,
            accept_suggestions: bool = False, choices: integrations.Settings | None = None) -> None:
    """Consent, administration, suggestions: the tool side of the setup, resumable until it succeeds."""
    row = integrations.get(engine, entity)
    consent = _uses_consent(row)
    consented = consent and (code is not None or not _has_tokens(engine, row))
    if consented:
        _consent(engine, row, code)
    wanted = administration or row.target_administration
    try:
        chosen = _administration(row, _target(engine, row), wanted)
    except AuthError:
        if not consent or consented:  # consent given in this command: asking again would not help
            raise
        _consent(engine, row, None)  # the stored tokens were refused: consent again
        chosen = _administration(row, _target(engine, row), wanted)
    row = integrations.edit(engine, entity, integrations.Settings(administration=chosen))
    if accept_suggestions:
        target = _target(engine, row)
        master = MasterDataStore(engine, row.id).refresh(target).master
        with focus_client(engine) as focus:
            rates = [tax_rate(item) for item in streams.tax_rates(focus, row.focus_department_id)]
        chosen_settings = choices or integrations.Settings()
        integrations.edit(engine, entity, integrations.Settings(
            journals={**suggest_journals(master), **chosen_settings.journals},
            vat_links={**suggest_vat_links(rates, master), **chosen_settings.vat_links},
        ))


def cmd_add(args: argparse.Namespace) -> int:
    engine = state_engine()
    existing = {row.entity: row for row in integrations.all_integrations(engine)}.get(args.entity)
    if existing is not None and existing.status == "connecting" and \
            (existing.focus_department_id, existing.target) == (args.department, args.tool):
        print(f"{args.entity}: setup was not finished; resuming it")
        integrations.edit(engine, args.entity, _settings(args))
    else:
        with focus_client(engine) as focus:
            try:
                department = streams.department_info(focus, args.department)
            except FocusNotFound:
                raise IntegrationError(f"Focus has no department {args.department!r}; "
                                       "`focus-connector focus departments` lists them") from None
        settings = _settings(args)
        settings.department_name = department["name"]
        settings.country = (department.get("address") or {}).get("country")
        row = integrations.add(engine, args.entity, department_id=args.department, target=args.tool,
                               settings=settings)
        print(f"{args.entity}: {department['name']} → {TOOL_NAMES[args.tool]} ({STATUS_LABELS[row.status]})")
    connect(engine, args.entity, code=args.code, administration=args.administration,
            accept_suggestions=args.accept_suggestions, choices=_settings(args))
    return _print_status(engine, args.entity)


def cmd_connect(args: argparse.Namespace) -> int:
    engine = state_engine()
    connect(engine, args.entity, code=args.code, administration=args.administration,
            accept_suggestions=args.accept_suggestions)
    return _print_status(engine, args.entity)


def cmd_edit(args: argparse.Namespace) -> int:
    engine = state_engine()
    integrations.edit(engine, args.entity, _settings(args))
    if args.administration is not None:
        connect(engine, args.entity, code=None, administration=args.administration)
    return _print_status(engine, args.entity)


def _print_status(engine, entity: str) -> int:
    row = integrations.get(engine, entity)
    print(f"{row.entity}: {STATUS_LABELS.get(row.status, row.status)}")
    if row.status != "connected":
        missing = [kind for kind in ("sales_invoice", "sales_credit_note", "purchase_invoice", "purchase_credit_note")
                   if kind not in {j.document_kind for j in row.journals}]
        if row.status == "connecting":
            print(f"  - the tool is not connected yet: {integrations.connect_command(row.entity)}")
        if not row.start_date:
            print("  - no start date (--start-date YYYY-MM-DD)")
        for kind in missing:
            print(f"  - no journal for {kind.replace('_', ' ')}s (--journal {kind}=CODE)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    row = integrations.get(state_engine(), args.entity)
    print(f"entity                 {row.entity}")
    print(f"Focus department       {row.focus_department_name} ({row.focus_department_id})")
    print(f"tool                   {row.target}  connection {row.target_connection_id}  "
          f"administration {row.target_administration or '-'}")
    print(f"status                 {STATUS_LABELS.get(row.status, row.status)}")
    print(f"start date             {row.start_date or '-'}")
    print(f"automatic sync         {'on, ' + row.schedule + ' ' + row.timezone if row.auto_sync else 'off'}")
    print(f"payment notifications  {'on' if row.payment_notifications else 'off'}"
          f"  (`focus-connector notifications list --integration {row.entity}`)")
    print(f"discount accounts      sales {row.sales_discount_account or '-'}, "
          f"purchase {row.purchase_discount_account or '-'}")
    print(f"fill lines by VAT rate {'on' if row.fill_ledger_by_vat_rate else 'off'}")
    for j in sorted(row.journals, key=lambda j: j.document_kind):
        print(f"journal                {j.document_kind} → {j.journal_code}")
    for v in sorted(row.vat_links, key=lambda v: (v.direction, v.source_key)):
        print(f"VAT code link          {v.direction}:{v.source_key} → {v.target_vat_code}")
    for r in sorted(row.ledger_by_rate, key=lambda r: (r.direction, r.rate)):
        print(f"ledger per VAT rate    {r.direction}:{r.rate} → {r.ledger_account}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = integrations.all_integrations(state_engine())
    if not rows:
        print("No integrations yet: focus-connector integrations add …")
    for row in rows:
        print(f"{row.entity:<16} {row.focus_department_name:<30} {row.target:<13} "
              f"{STATUS_LABELS.get(row.status, row.status):<22} {'nightly' if row.auto_sync else 'manual'}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    integrations.delete(state_engine(), args.entity)
    print(f"Deleted {args.entity} and its DAG. Booked documents stay in the ledger, so re-adding it books nothing twice.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    engine = state_engine()
    _print_status(engine, args.entity)
    row = integrations.get(engine, args.entity)
    ledger = DocumentLedger(engine, integration_id=row.id, department_id=row.focus_department_id,
                            target=row.target)
    print_problems(ledger, args.limit)
    _print_missing_from_tool(engine, row, ledger, args.limit)
    log = RunLog(engine)
    run_id = log.latest(args.entity)
    if run_id is None:
        print("No sync run yet.")
        return 0
    errors = log.errors(run_id)
    print(f"Last run #{run_id}: {len(errors)} error(s)")
    for error in errors[: args.limit]:
        print(f"  - {error.message}")
    planned = log.would_book(run_id)
    if planned is not None:
        print(f"Dry run #{run_id} would book {len(planned)} document(s):")
        for row in planned[: args.limit]:
            print(f"  - {row['number']} · {row['party']} · {row['amount']} {row['currency']} · "
                  f"journal {row['journal'] or '-'}")
        if len(planned) > args.limit:
            print(f"  (and {len(planned) - args.limit} more: --limit {len(planned)})")
    return 0


def _print_missing_from_tool(engine, row, ledger: DocumentLedger, limit: int) -> None:
    """Booked documents whose booking the tool no longer has: Focus is never told they were paid."""
    missing = PaymentRegistry(engine, row.id).missing_from_tool()
    if not missing:
        return
    labels = sorted(e.label for e in ledger.entries(DocumentState.BOOKED) if (e.source_type, e.focus_id) in missing)
    tool = TOOL_NAMES.get(row.target, row.target)
    print(f"Booked but missing from {tool} ({len(labels)}): not taken for paid; book them again in {tool} by hand "
          "if they were deleted by mistake")
    for label in labels[:limit]:
        print(f"  - {label}")
    if len(labels) > limit:
        print(f"  (and {len(labels) - limit} more: --limit {len(labels)})")


def _mapping_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--administration", help="division / dossier / administration / office id in the tool")
    parser.add_argument("--start-date", type=ISO_DATE, help="first document date to sync (YYYY-MM-DD)")
    parser.add_argument("--timezone", type=TIME_ZONE, help="the entity's time zone, e.g. Europe/Brussels")
    parser.add_argument("--auto-sync", action=argparse.BooleanOptionalAction, default=None,
                        help="nightly automatic sync")
    parser.add_argument("--schedule", type=CRON, help="cron expression of the nightly run (default 0 2 * * *)")
    parser.add_argument("--sales-discount-account")
    parser.add_argument("--purchase-discount-account")
    parser.add_argument("--fill-ledger-by-vat-rate", action=argparse.BooleanOptionalAction, default=None,
                        help="lines without a ledger account take the account of their VAT rate")
    parser.add_argument("--journal", action="append", type=JOURNAL, metavar="KIND=CODE",
                        help="e.g. sales_invoice=70 (kinds: sales_invoice, sales_credit_note, purchase_invoice, "
                             "purchase_credit_note)")
    parser.add_argument("--vat-link", action="append", type=VAT_LINK, metavar="DIR:KEY=CODE",
                        help="sales:<Focus tax rate id>=CODE or purchase:<category>:<percent>=CODE (e.g. purchase:S:21=81)")
    parser.add_argument("--ledger-by-rate", action="append", type=LEDGER_BY_RATE, metavar="DIR:RATE=ACCOUNT",
                        help="e.g. sales:0.21=701000 or purchase:0.06=604000")


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("integrations", help="link Focus departments to accounting tools")
    commands = group.add_subparsers(dest="integrations_command", required=True)
    add = commands.add_parser("add", help="link a Focus department to an accounting tool administration "
                                          "(run again to resume an unfinished one)")
    add.add_argument("entity", type=ENTITY_NAME,
                     help="short name, lower case (names the DAG: accounting_sync__<entity>)")
    add.add_argument("--department", required=True, help="Focus department id (focus-connector focus departments)")
    add.add_argument("--tool", required=True, choices=integrations.TOOLS)
    add.add_argument("--connection", help="Airflow connection id of the tool (default <tool>_<entity>)")
    add.add_argument("--code", help="OAuth authorization code from the tool's consent page (skips the prompt)")
    add.add_argument("--accept-suggestions", action="store_true", help="take the suggested journals and VAT codes")
    _mapping_options(add)
    add.set_defaults(func=cmd_add)
    connect = commands.add_parser("connect", help="finish or repeat the tool side: consent, administration")
    connect.add_argument("entity")
    connect.add_argument("--code", help="OAuth authorization code from the tool's consent page (skips the prompt)")
    connect.add_argument("--administration", help="division / dossier / administration id in the tool")
    connect.add_argument("--accept-suggestions", action="store_true",
                         help="take the suggested journals and VAT codes")
    connect.set_defaults(func=cmd_connect)
    edit = commands.add_parser("edit", help="change an integration's settings")
    edit.add_argument("entity")
    _mapping_options(edit)
    edit.set_defaults(func=cmd_edit)
    for name, func, text in (("show", cmd_show, "all settings of one integration"),
                             ("delete", cmd_delete, "remove an integration and its DAG (keeps the booked ledger)")):
        parser = commands.add_parser(name, help=text)
        parser.add_argument("entity")
        parser.set_defaults(func=func)
    status = commands.add_parser("status", help="status, the documents that wait for a person, the last run's errors")
    status.add_argument("entity")
    status.add_argument("--limit", type=positive_int, default=20)
    status.set_defaults(func=cmd_status)
    commands.add_parser("list", help="every integration with its status").set_defaults(func=cmd_list)
