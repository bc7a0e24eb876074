"""``focus-connector notifications on|off|list|feed``: who hears of new invoice payments, and the feed.

A user opts in per integration; after each run the payment back-fill mails every subscriber one digest
of the new payments on outgoing invoices and credit notes (never expenses), through the integration's
SMTP connection (``smtp_default`` unless ``on --smtp-connection`` names another). ``feed`` shows the
same entries from the state database, for whoever does not read mail.
"""

from __future__ import annotations

import argparse

from connectors import integrations
from connectors.cli.common import positive_int, state_engine
from connectors.payments import notifications


def _conn_id(engine, entity: str) -> str:
    return integrations.get(engine, entity).smtp_conn_id or notifications.DEFAULT_SMTP_CONN_ID


def cmd_on(args: argparse.Namespace) -> int:
    engine = state_engine()
    subscriber = notifications.subscribe(engine, args.integration, args.email, smtp_conn_id=args.smtp_connection)
    via = f"Airflow connection {_conn_id(engine, args.integration)}"
    if subscriber.new:
        print(f"{subscriber.email} gets a digest of {args.integration}'s new invoice payments after each run "
              f"(mail through {via})")
    else:
        print(f"{subscriber.email} gets {args.integration}'s payment digests already (since "
              f"{subscriber.since:%Y-%m-%d %H:%M} UTC; mail through {via})")
    return 0


def cmd_off(args: argparse.Namespace) -> int:
    engine = state_engine()
    remaining = notifications.unsubscribe(engine, args.integration, args.email)
    print(f"{notifications.email_address(args.email)} no longer gets {args.integration}'s payment digests"
          + ("" if remaining else f"; nobody does now, so payment notifications of {args.integration} are off"))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    engine = state_engine()
    rows = notifications.subscribers(engine, args.integration)
    if not rows:
        print(f"{args.integration}: nobody gets payment digests (`focus-connector notifications on "
              f"--integration {args.integration} --email ADDRESS` subscribes someone)")
        return 0
    print(f"{args.integration}: payment notifications on, mail through Airflow connection "
          f"{_conn_id(engine, args.integration)}")
    width = max(len(row.email) for row in rows)
    for row in rows:
        waiting = f"{row.waiting} payment(s) wait for the next digest" if row.waiting else "nothing waiting"
        print(f"  {row.email:<{width}}  since {row.since:%Y-%m-%d %H:%M} UTC  {waiting}")
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    items = notifications.feed(state_engine(), args.integration, args.limit)
    if not items:
        print(f"{args.integration}: no invoice payments in the feed yet")
        return 0
    print(f"{args.integration}: the newest {len(items)} invoice payment(s)")
    for item in items:
        print(f"  {item.created_at:%Y-%m-%d %H:%M} UTC  {item.line()}")
    if len(items) == args.limit:
        print(f"  (older ones: --limit {args.limit * 2})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("notifications", help="mail about new invoice payments: subscribe, list, the feed")
    commands = group.add_subparsers(dest="notifications_command", required=True)
    on = commands.add_parser("on", help="mail ADDRESS a digest of the integration's new invoice payments after "
                                        "each run")
    off = commands.add_parser("off", help="stop the digests to ADDRESS")
    for parser in (on, off):
        parser.add_argument("--integration", required=True, metavar="ENTITY",
                            help="the integration (focus-connector integrations list)")
        parser.add_argument("--email", required=True, metavar="ADDRESS")
    on.add_argument("--smtp-connection", metavar="CONN_ID",
                    help="the Airflow SMTP connection this integration's digests go through (default "
                         f"{notifications.DEFAULT_SMTP_CONN_ID})")
    on.set_defaults(func=cmd_on)
    off.set_defaults(func=cmd_off)
    listing = commands.add_parser("list", help="who gets the integration's payment digests")
    listing.add_argument("--integration", required=True, metavar="ENTITY")
    listing.set_defaults(func=cmd_list)
    feed = commands.add_parser("feed", help="the integration's invoice payments, newest first")
    feed.add_argument("--integration", required=True, metavar="ENTITY")
    feed.add_argument("--limit", type=positive_int, default=20)
    feed.set_defaults(func=cmd_feed)
