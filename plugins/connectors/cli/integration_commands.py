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
import datetime as dt
import secrets

from connectors import integrations
from connectors.cli.document_commands import print_problems
from connectors.cli.focus_commands import consent_code
from connectors.connections import get_connection
from connectors.focus import streams
from connectors.focus.connection import focus_client, redirect_uri
from connectors.focus.mapping import tax_rate
from connectors.setup import suggest_journals, suggest_vat_links
from connectors.state.db import make_engine, migrate
from connectors.state.ledger import DocumentLedger
from connectors.state.master_data import MasterDataStore
from connectors.state.runs import RunLog
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.targets import oauth_for
from connectors.tasks import target_for

STATUS_LABELS = {"connecting": "Connecting", "connected": "Connected", "configuration_needed": "Configuration needed"}


def _settings(args: argparse.Namespace) -> integrations.Settings:
    vat_links = {}
    for key, code in integrations.parse_pairs(args.vat_link or [], "--vat-link").items():
        direction, _, source = key.partition(":")
        vat_links[(direction, source)] = code
    ledger_by_rate = {}
    for key, account in integrations.parse_pairs(args.ledger_by_rate or [], "--ledger-by-rate").items():
        direction, _, rate = key.partition(":")
        ledger_by_rate[(direction, rate)] = account
    return integrations.Settings(
        target_connection_id=getattr(args, "connection", None),
        administration=args.administration,
        start_date=dt.date.fromisoformat(args.start_date) if args.start_date else None,
        timezone=args.timezone,
        auto_sync=args.auto_sync,
        schedule=args.schedule,
        payment_notifications=args.payment_notifications,
        sales_discount_account=args.sales_discount_account,
        purchase_discount_account=args.purchase_discount_account,
        fill_ledger_by_vat_rate=args.fill_ledger_by_vat_rate,
        journals=integrations.parse_pairs(args.journal or [], "--journal"),
        vat_links=vat_links,
        ledger_by_rate=ledger_by_rate,
    )


def _connect_tool(engine, row, code: str | None) -> None:
    conn = get_connection(row.target_connection_id)
    store = DbTokenStore(engine, row.target_connection_id, load_cipher())
    if store.load() is not None:
        return
    oauth = oauth_for(row.target, conn)
    if oauth is None:
        return  # the connection's credentials are all the tool needs (Octopus)
    state = secrets.token_urlsafe(16)
    uri = conn.extra.get("redirect_uri") or redirect_uri(conn)
    store.save(oauth.exchange_code(consent_code(oauth.authorize_url(redirect_uri=uri, state=state), state, code),
                                   redirect_uri=uri))


def _target(engine, row):
    return target_for(engine, target=row.target, connection_id=row.target_connection_id,
                      administration=row.target_administration, integration_id=row.id)


def cmd_add(args: argparse.Namespace) -> int:
    engine = make_engine()
    migrate(engine)
    with focus_client(engine) as focus:
        department = streams.department_info(focus, args.department)
        rates = [tax_rate(item) for item in streams.tax_rates(focus, args.department)]
    settings = _settings(args)
    settings.department_name = department["name"]
    settings.country = (department.get("address") or {}).get("country")
    row = integrations.add(engine, args.entity, department_id=args.department, target=args.tool, settings=settings)
    print(f"{args.entity}: {department['name']} → {args.tool} ({STATUS_LABELS[row.status]})")

    _connect_tool(engine, row, args.code)
    target = _target(engine, row)
    if not row.target_administration:
        choices = target.administrations()
        if len(choices) != 1:
            for choice in choices:
                print(f"  {choice.id}  {choice.name}")
            raise SystemExit(f"Pick the administration: focus-connector integrations edit {args.entity} "
                             "--administration ID")
        settings = integrations.Settings(administration=choices[0].id)
        row = integrations.edit(engine, args.entity, settings)
        target = _target(engine, row)
    if args.accept_suggestions:
        master = MasterDataStore(engine, row.id).refresh(target).master
        chosen = _settings(args)
        suggestions = integrations.Settings(
            journals={**suggest_journals(master), **chosen.journals},
            vat_links={**suggest_vat_links(rates, master), **chosen.vat_links},
        )
        row = integrations.edit(engine, args.entity, suggestions)
    return _print_status(engine, args.entity)


def cmd_edit(args: argparse.Namespace) -> int:
    engine = make_engine()
    integrations.edit(engine, args.entity, _settings(args))
    return _print_status(engine, args.entity)


def _print_status(engine, entity: str) -> int:
    row = integrations.get(engine, entity)
    print(f"{row.entity}: {STATUS_LABELS.get(row.status, row.status)}")
    if row.status != "connected":
        missing = [kind for kind in ("sales_invoice", "sales_credit_note", "purchase_invoice", "purchase_credit_note")
                   if kind not in {j.document_kind for j in row.journals}]
        if not row.target_administration:
            print("  - no administration chosen (--administration)")
        if not row.start_date:
            print("  - no start date (--start-date YYYY-MM-DD)")
        for kind in missing:
            print(f"  - no journal for {kind.replace('_', ' ')}s (--journal {kind}=CODE)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    row = integrations.get(make_engine(), args.entity)
    print(f"entity                 {row.entity}")
    print(f"Focus department       {row.focus_department_name} ({row.focus_department_id})")
    print(f"tool                   {row.target}  connection {row.target_connection_id}  "
          f"administration {row.target_administration or '-'}")
    print(f"status                 {STATUS_LABELS.get(row.status, row.status)}")
    print(f"start date             {row.start_date or '-'}")
    print(f"automatic sync         {'on, ' + row.schedule + ' ' + row.timezone if row.auto_sync else 'off'}")
    print(f"payment notifications  {'on' if row.payment_notifications else 'off'}")
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
    rows = integrations.all_integrations(make_engine())
    if not rows:
        print("No integrations yet: focus-connector integrations add …")
    for row in rows:
        print(f"{row.entity:<16} {row.focus_department_name:<30} {row.target:<13} "
              f"{STATUS_LABELS.get(row.status, row.status):<22} {'nightly' if row.auto_sync else 'manual'}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    integrations.delete(make_engine(), args.entity)
    print(f"Deleted {args.entity} and its DAG. Booked documents stay in the ledger, so re-adding it books nothing twice.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    engine = make_engine()
    _print_status(engine, args.entity)
    row = integrations.get(engine, args.entity)
    print_problems(DocumentLedger(engine, integration_id=row.id, department_id=row.focus_department_id,
                                  target=row.target), args.limit)
    log = RunLog(engine)
    run_id = log.latest(args.entity)
    if run_id is None:
        print("No sync run yet.")
        return 0
    errors = log.errors(run_id)
    print(f"Last run #{run_id}: {len(errors)} error(s)")
    for error in errors[: args.limit]:
        print(f"  - {error.message}")
    return 0


def _mapping_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--administration", help="division / dossier / administration / office id in the tool")
    parser.add_argument("--start-date", help="first document date to sync (YYYY-MM-DD)")
    parser.add_argument("--timezone", help="the entity's time zone, e.g. Europe/Brussels")
    parser.add_argument("--auto-sync", action=argparse.BooleanOptionalAction, default=None,
                        help="nightly automatic sync")
    parser.add_argument("--schedule", help="cron expression of the nightly run (default 0 2 * * *)")
    parser.add_argument("--payment-notifications", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--sales-discount-account")
    parser.add_argument("--purchase-discount-account")
    parser.add_argument("--fill-ledger-by-vat-rate", action=argparse.BooleanOptionalAction, default=None,
                        help="lines without a ledger account take the account of their VAT rate")
    parser.add_argument("--journal", action="append", metavar="KIND=CODE",
                        help="e.g. sales_invoice=70 (kinds: sales_invoice, sales_credit_note, purchase_invoice, "
                             "purchase_credit_note)")
    parser.add_argument("--vat-link", action="append", metavar="DIR:KEY=CODE",
                        help="sales:<Focus tax rate id>=CODE or purchase:<category>:<percent>=CODE (e.g. purchase:S:21=81)")
    parser.add_argument("--ledger-by-rate", action="append", metavar="DIR:RATE=ACCOUNT",
                        help="e.g. sales:0.21=701000 or purchase:0.06=604000")


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("integrations", help="link Focus departments to accounting tools")
    commands = group.add_subparsers(dest="integrations_command", required=True)
    add = commands.add_parser("add", help="link a Focus department to an accounting tool administration")
    add.add_argument("entity", help="short name, lower case (names the DAG: accounting_sync__<entity>)")
    add.add_argument("--department", required=True, help="Focus department id (focus-connector focus departments)")
    add.add_argument("--tool", required=True, choices=integrations.TOOLS)
    add.add_argument("--connection", help="Airflow connection id of the tool (default <tool>_<entity>)")
    add.add_argument("--code", help="OAuth authorization code from the tool's consent page (skips the prompt)")
    add.add_argument("--accept-suggestions", action="store_true", help="take the suggested journals and VAT codes")
    _mapping_options(add)
    add.set_defaults(func=cmd_add)
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
    status.add_argument("--limit", type=int, default=20)
    status.set_defaults(func=cmd_status)
    commands.add_parser("list", help="every integration with its status").set_defaults(func=cmd_list)
