"""``focus-connector customers …``: customer numbers per department and package.

``import-numbers`` reads the numbers an accounting package has already given (a CSV file) and stores each
for the one Focus company or contact its row names; ``set-number`` gives one customer its number by hand;
``numbers`` lists them. A number once given never changes and is never given to another customer.
"""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from connectors.cli.common import ENTITY_NAME, state_engine
from connectors.domain import PartyRef
from connectors.exports.customer_number_import import NumbersFileError, import_numbers, read_numbers_csv
from connectors.exports.customer_numbers import CustomerNumbers, NumberConflict
from connectors.exports.settings import Profile, ProfileMissing, load_profile
from connectors.exports.writers import PACKAGES
from connectors.focus.connection import focus_client
from connectors.focus.errors import FocusNotFound


def _profile_and_package(engine: Engine, args: argparse.Namespace) -> tuple[Profile, str]:
    try:
        profile = load_profile(engine, args.entity)
    except ProfileMissing as exc:
        raise SystemExit(f"error: {exc}") from None
    package = args.package or profile.settings.package
    if package not in PACKAGES:
        raise SystemExit(f"error: export profile {args.entity!r} names package {package!r}, which is not one of "
                         f"{', '.join(PACKAGES)}; pass --package")
    return profile, package


def _where(profile: Profile, package: str) -> str:
    return f"package {package} of {profile.entity} ({profile.department_name or profile.department_id})"


def cmd_import_numbers(args: argparse.Namespace) -> int:
    engine = state_engine()
    profile, package = _profile_and_package(engine, args)
    try:
        rows = read_numbers_csv(args.file)
    except NumbersFileError as exc:
        raise SystemExit(f"error: {exc}") from None
    with focus_client(engine) as client:
        report = import_numbers(engine, client, profile.department_id, package, rows)
    lines = report.lines()
    print(f"{lines[0]} — {_where(profile, package)}")
    for line in lines[1:]:
        print(line)
    return 0 if report.ok else 1


def _focus_party(engine: Engine, ref: PartyRef) -> str:
    """The name of the Focus company or contact; a one-line error when Focus has none with that id."""
    with focus_client(engine) as client:
        try:
            data = client.call(f"{'companies' if ref.type == 'company' else 'contacts'}.info", {"id": ref.id})["data"]
        except FocusNotFound:
            raise SystemExit(f"error: Focus has no {ref.type} {ref.id!r}; check the id (it is in the {ref.type}'s "
                             "web address in Focus)") from None
    if ref.type == "company":
        return (data.get("name") or "").strip()
    return " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part).strip()


def cmd_set_number(args: argparse.Namespace) -> int:
    engine = state_engine()
    profile, package = _profile_and_package(engine, args)
    ref = PartyRef("company", args.company) if args.company else PartyRef("contact", args.contact)
    name = _focus_party(engine, ref)
    try:
        stored = CustomerNumbers(engine, profile.department_id, package).set(ref, args.number, name)
    except (NumberConflict, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    who = f"{name} ({ref.type} {ref.id})" if name else f"{ref.type} {ref.id}"
    if stored:
        print(f"customer number {args.number.strip()} given to {who} in {_where(profile, package)}")
    else:
        print(f"{who} already has customer number {args.number.strip()} in {_where(profile, package)}")
    return 0


def cmd_numbers(args: argparse.Namespace) -> int:
    engine = state_engine()
    profile, package = _profile_and_package(engine, args)
    rows = CustomerNumbers(engine, profile.department_id, package).all()
    if not rows:
        print(f"no customer numbers yet in {_where(profile, package)}")
        return 0
    header = ("number", "type", "focus id", "name", "origin")
    body = [(r.number, r.party_type, r.party_id, r.party_name, r.origin) for r in rows]
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *body):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _package_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", choices=PACKAGES,
                        help="accounting package the numbers belong to (default: the export profile's package)")


def register(sub: argparse._SubParsersAction) -> None:
    customers = sub.add_parser("customers", help="customer numbers per export profile and accounting package")
    commands = customers.add_subparsers(dest="customers_command", required=True)

    imp = commands.add_parser(
        "import-numbers", help="store the customer numbers of a CSV file (number; focus_id, vat_number or name)")
    imp.add_argument("entity", type=ENTITY_NAME, help="export profile (entity name)")
    imp.add_argument("file", help="CSV file, UTF-8, `,` or `;`: a `number` column and any of focus_id, "
                                  "vat_number, name")
    _package_option(imp)
    imp.set_defaults(func=cmd_import_numbers)

    set_number = commands.add_parser("set-number", help="give one Focus company or contact its customer number")
    set_number.add_argument("entity", type=ENTITY_NAME, help="export profile (entity name)")
    party = set_number.add_mutually_exclusive_group(required=True)
    party.add_argument("--company", metavar="ID", help="Focus company id")
    party.add_argument("--contact", metavar="ID", help="Focus contact id")
    set_number.add_argument("number", help="the customer number (text: leading zeros are kept)")
    _package_option(set_number)
    set_number.set_defaults(func=cmd_set_number)

    numbers = commands.add_parser("numbers", help="list the customer numbers given")
    numbers.add_argument("entity", type=ENTITY_NAME, help="export profile (entity name)")
    _package_option(numbers)
    numbers.set_defaults(func=cmd_numbers)
