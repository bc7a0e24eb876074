"""``focus-connector documents problems|exclude|include``: the documents that wait for a person.

The ledger, not the 7-day run log, holds what still needs attention: a
document Focus returned but the connector cannot read, one that was refused,
one the tool never confirmed, one edited after it was booked. A person may
exclude a document for good (booked by hand, a test invoice, …); who, why
and when are kept, and ``include`` undoes it.
"""

from __future__ import annotations

import argparse
import getpass

from connectors import integrations
from connectors.cli.common import positive_int, state_engine
from connectors.state.ledger import DocumentLedger, DocumentNotFound


def _ledger(entity: str) -> DocumentLedger:
    engine = state_engine()
    row = integrations.get(engine, entity)
    return DocumentLedger(engine, integration_id=row.id, department_id=row.focus_department_id, target=row.target)


def print_problems(ledger: DocumentLedger, limit: int) -> int:
    problems = ledger.open_problems()
    print(f"Open problems: {len(problems)}")
    for entry in problems[:limit]:
        message = entry.last_error or f"{entry.label}: edited in Focus after it was booked; correct it in the tool"
        print(f"  - [{entry.state.value}] {message.splitlines()[0]}")
    if len(problems) > limit:
        print(f"  (and {len(problems) - limit} more: --limit {len(problems)})")
    return len(problems)


def cmd_problems(args: argparse.Namespace) -> int:
    print_problems(_ledger(args.entity), args.limit)
    return 0


def cmd_exclude(args: argparse.Namespace) -> int:
    try:
        entry = _ledger(args.entity).exclude(args.document, by=args.by or getpass.getuser(), reason=args.reason)
    except (DocumentNotFound, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"{entry.label}: excluded; it is never booked (undo with `focus-connector documents include "
          f"{args.entity} {args.document!r}`)")
    return 0


def cmd_include(args: argparse.Namespace) -> int:
    try:
        entry = _ledger(args.entity).include(args.document)
    except (DocumentNotFound, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"{entry.label}: included again; the next run reads and books it")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("documents", help="documents that wait for a person: list, exclude, include")
    commands = group.add_subparsers(dest="documents_command", required=True)
    problems = commands.add_parser("problems", help="every document that still needs attention, with its fix")
    problems.add_argument("entity")
    problems.add_argument("--limit", type=positive_int, default=50)
    problems.set_defaults(func=cmd_problems)
    exclude = commands.add_parser("exclude", help="never book this document (records who and why)")
    exclude.add_argument("entity")
    exclude.add_argument("document", help="its number as Focus shows it (\"2026 / 17\") or its Focus id")
    exclude.add_argument("--reason", required=True, help="why it is not booked, for the accountant who reads it")
    exclude.add_argument("--by", help="who decides (default: your user name)")
    exclude.set_defaults(func=cmd_exclude)
    include = commands.add_parser("include", help="undo an exclusion")
    include.add_argument("entity")
    include.add_argument("document")
    include.set_defaults(func=cmd_include)
