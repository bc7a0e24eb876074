"""``focus-connector exports setup|list``, ``export`` and ``billing report``: the offline export by hand.

``export`` runs the same steps as the ``offline_export`` DAG (collect, validate, quote, write, publish and
bill) in this process. Without ``--approve`` it stops after the quote: nothing is written, nothing charged.
"""

from __future__ import annotations

import argparse
import getpass
import uuid
from decimal import Decimal
from typing import Any

from connectors import input_values
from connectors.cli.common import ENTITY_NAME, ISO_DATE, arg_type, positive_int, state_engine
from connectors.exports import billing, job, storage, summaries
from connectors.exports.settings import (
    CUSTOMER_NUMBER_MODES,
    ZERO_RATE_CATEGORIES,
    ExportSettings,
    Profile,
    ProfileMissing,
    list_profiles,
    load_profile,
    save_profile,
)
from connectors.exports.writers import PACKAGES, writers
from connectors.focus import streams
from connectors.focus.connection import focus_client


def _vat_category(text: str) -> tuple[str, str]:
    example = "TAX_RATE=CATEGORY (a Focus tax rate's description or a rate: '0% Export=G', 0=Z)"
    key, sep, category = text.rpartition("=")
    if not sep or not key.strip() or category.strip().upper() not in ZERO_RATE_CATEGORIES:
        raise input_values.InvalidValue(f"--vat-category must look like {example} with a category among "
                                        f"{', '.join(ZERO_RATE_CATEGORIES)}, got {text!r}")
    try:
        above_zero = Decimal(key) > 0
    except ArithmeticError:
        above_zero = False
    if above_zero:
        raise input_values.InvalidValue("--vat-category: only a 0 % rate has a category to choose; rates above "
                                        "zero are standard-rated (S)")
    return key.strip(), category.strip().upper()


def _ledger_by_rate(text: str) -> tuple[str, str]:
    rate, account = input_values.key_value(text, "--ledger-by-rate", "RATE=ACCOUNT (e.g. 0.21=700000)")
    return input_values.vat_rate(rate, "--ledger-by-rate"), account


def _param(text: str) -> tuple[str, str]:
    return input_values.key_value(text, "--param", "NAME=VALUE (e.g. csv_delimiter=;)")


VAT_CATEGORY = arg_type(_vat_category, "VAT category")
LEDGER_BY_RATE = arg_type(_ledger_by_rate, "ledger account per VAT rate")
PARAM = arg_type(_param, "package parameter")


def package_params(package: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``--param`` values checked against the package's own parameters (name, choices, type)."""
    known = {p.name: p for p in writers()[package].params}
    out: dict[str, Any] = {}
    for name, text in pairs:
        param = known.get(name)
        if param is None:
            choices = ", ".join(known) or "none"
            raise SystemExit(f"error: --param: {package} has no parameter {name!r} (its parameters: {choices})")
        value: Any = text
        if param.type == "boolean":
            value = text.lower() in ("1", "true", "yes", "on")
        elif param.type == "integer":
            value = int(text) if text.isdigit() else None
        if value is None or (param.enum and value not in param.enum):
            choices = ", ".join(map(repr, param.enum or ())) or f"a {param.type}"
            raise SystemExit(f"error: --param {name}: {text!r} is not one of {choices}")
        out[name] = value
    return out


# -- exports setup / list ------------------------------------------------------------------------------


def _department(engine, wanted: str) -> tuple[str, str, str | None]:
    with focus_client(engine) as client:
        for item in streams.departments(client):
            if wanted in (item["id"], item["name"]):
                info = streams.department_info(client, item["id"])
                return item["id"], item["name"], ((info.get("address") or {}).get("country") or None)
    raise SystemExit(f"error: Focus has no active department {wanted!r}; `focus-connector focus departments` "
                     "lists them")


def cmd_setup(args: argparse.Namespace) -> int:
    engine = state_engine()
    try:
        profile = load_profile(engine, args.entity)
    except ProfileMissing:
        if not args.department:
            raise SystemExit(f"error: {args.entity!r} is not set up yet; give its Focus department with "
                             "--department NAME_OR_ID") from None
        profile = Profile(args.entity, "", "", None, ExportSettings())
    if args.department:
        department_id, name, country = _department(engine, args.department)
        profile = Profile(profile.entity, department_id, name, country, profile.settings)
    package = args.package or profile.settings.package
    params = package_params(package, args.param or [])
    settings = profile.settings.updated(
        ledger_by_rate=dict(args.ledger_by_rate or []) or None,
        fill_lines_by_rate=args.fill_lines_by_rate, sales_discount_account=args.discount_account,
        invoice_journal=args.invoice_journal, credit_note_journal=args.credit_note_journal,
        customer_numbers=args.customer_numbers, number_start=args.number_start,
        vat_categories=dict(args.vat_category or []) or None, package=args.package,
        export_customers=args.export_customers, package_params={package: params} if params else None)
    save_profile(engine, Profile(profile.entity, profile.department_id, profile.department_name, profile.country,
                                 settings))
    print(f"Export settings of {profile.entity} ({profile.department_name}) saved:")
    _print_settings(settings)
    return 0


def _print_settings(s: ExportSettings) -> None:
    ledger = ", ".join(f"{format((Decimal(rate) * 100).normalize(), 'f')} % → {account}"
                       for rate, account in sorted(s.ledger_by_rate.items(), key=lambda item: Decimal(item[0])))
    print(f"  package                 {s.package}")
    print(f"  journals                invoices {s.invoice_journal}, credit notes {s.credit_note_journal}")
    print(f"  ledger account per rate {ledger or 'none'} (fill lines without one: "
          f"{'on' if s.fill_lines_by_rate else 'off'})")
    print(f"  sales discount account  {s.sales_discount_account or 'none'}")
    print(f"  customer numbers        {s.customer_numbers}" +
          (f" (from {s.number_start})" if s.customer_numbers == "generate" else ""))
    categories = ", ".join(f"{key!r} = {c}" for key, c in sorted(s.vat_categories.items()))
    print(f"  0 % VAT categories      {categories or 'from the tax rates descriptions (else Z, zero-rated)'}")
    print(f"  export customers too    {'yes' if s.export_customers else 'no'}")
    for package, params in sorted(s.package_params.items()):
        print(f"  {package} parameters     " + ", ".join(f"{k}={v}" for k, v in sorted(params.items())))


def cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from connectors.state.db import sessions
    from connectors.state.export_models import Export

    engine = state_engine()
    profiles = list_profiles(engine)
    if not profiles:
        print("No department is set up for export yet: `focus-connector exports setup ENTITY --department …`.")
        return 0
    with sessions(engine)() as session:
        for profile in profiles:
            print(f"{profile.entity}  ({profile.department_name}, {profile.settings.package})")
            exports = session.scalars(select(Export).where(Export.entity == profile.entity)
                                      .order_by(Export.id.desc()).limit(args.last)).all()
            for e in exports:
                charge = f"charged {e.charge} EUR" if e.charge is not None else ""
                print(f"  #{e.id}  {e.period_from} – {e.period_to}  {e.package:4}  {e.status:9}  {charge}  "
                      f"{e.location or e.error or ''}".rstrip())
    return 0


# -- export ------------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    with storage.location(args.out):
        return _export(args)


def _export(args: argparse.Namespace) -> int:
    engine = state_engine()
    try:
        profile = load_profile(engine, args.entity)
    except ProfileMissing as exc:
        raise SystemExit(f"error: {exc}") from None
    package = args.package or profile.settings.package
    request = job.ExportRequest(
        entity=args.entity, period_from=args.date_from, period_to=args.date_to, package=package,
        export_customers=args.export_customers, invoice_journal=args.invoice_journal,
        credit_note_journal=args.credit_note_journal, customer_numbers=args.customer_numbers,
        params=package_params(package, args.param or []))
    export_id = None
    try:
        export_id = job.start(engine, request, f"cli:{uuid.uuid4().hex}")
        job.collect(engine, lambda: focus_client(engine), export_id)
        job.validate(engine, export_id)
        quote = job.quote(engine, export_id)
        print(f"Export #{export_id} of {args.entity}, {args.date_from} to {args.date_to} ({package}): "
              f"{quote['sentence']}.")
        if not args.approve:
            job.reject(engine, export_id, "the command line (no --approve)")
            print("Nothing was written or charged. Run again with --approve to write the files and charge "
                  f"{quote['amount']} {quote['currency']}.")
            return 0
        job.approve(engine, export_id, f"{getpass.getuser()} (command line --approve)")
        job.write(engine, export_id)
        job.publish_and_bill(engine, export_id)
    except job.ExportRefused as refused:
        for line in refused.lines:
            print(f"- {line}")
        raise SystemExit(f"error: {refused.summary}") from None
    except BaseException as exc:
        if export_id is not None:
            job.fail(engine, export_id, f"{type(exc).__name__}: {exc}")
        raise
    print("\n".join(summaries.report(engine, export_id)))
    return 0


def cmd_billing_report(args: argparse.Namespace) -> int:
    try:
        report = billing.month_report(state_engine(), args.month)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    if not report:
        print(f"No invoice was charged in {args.month}.")
        return 0
    total = Decimal("0.00")
    for entity, charges in sorted(report.items()):
        amount = sum((c.amount for c in charges), Decimal("0.00"))
        total += amount
        print(f"{entity}: {len(charges)} invoice(s), {amount} {billing.CURRENCY}")
        for c in charges:
            print(f"  {c.invoice_number:<16} {c.amount} {billing.CURRENCY}  export #{c.export_id}  "
                  f"{c.charged_at:%Y-%m-%d %H:%M} UTC")
    print(f"Total {args.month}: {sum(len(c) for c in report.values())} invoice(s), {total} {billing.CURRENCY}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    exports = sub.add_parser("exports", help="offline export: per-department settings and past exports")
    commands = exports.add_subparsers(dest="exports_command", required=True)
    setup = commands.add_parser("setup", help="create or change a department's export settings")
    setup.add_argument("entity", type=ENTITY_NAME)
    setup.add_argument("--department", help="Focus department (name or id); needed the first time")
    setup.add_argument("--ledger-by-rate", action="append", type=LEDGER_BY_RATE, metavar="RATE=ACCOUNT",
        help="ledger account for lines without one, per VAT rate as a fraction (0.21=700000); repeat")
    setup.add_argument("--fill-lines-by-rate", action=argparse.BooleanOptionalAction, default=None,
                       help="fill lines without a ledger account with their rate's account")
    setup.add_argument("--discount-account", help="sales discount account (commercial discounts)")
    setup.add_argument("--invoice-journal")
    setup.add_argument("--credit-note-journal")
    setup.add_argument("--customer-numbers", choices=CUSTOMER_NUMBER_MODES,
                       help="generate: sequential numbers from --number-start; manual: imported or set by hand")
    setup.add_argument("--number-start", type=positive_int)
    setup.add_argument("--vat-category", action="append", type=VAT_CATEGORY, metavar="TAX_RATE=CATEGORY",
                       help="what a 0 %% Focus tax rate means (its description, or 0 for every 0 %% rate): Z zero-"
                            "rated, E exempt, AE reverse charge, K intra-community, G export, O outside scope; "
                            "without it the description decides ('Medecontractant' → AE), else Z")
    setup.add_argument("--package", choices=PACKAGES, help="the default package")
    setup.add_argument("--param", action="append", type=PARAM, metavar="NAME=VALUE",
                       help="a parameter of the package (see `focus-connector export --help`)")
    setup.add_argument("--export-customers", action=argparse.BooleanOptionalAction, default=None)
    setup.set_defaults(func=cmd_setup)
    listing = commands.add_parser("list", help="departments set up for export and their last exports")
    listing.add_argument("--last", type=positive_int, default=5)
    listing.set_defaults(func=cmd_list)

    params = "; ".join(f"{p.name} ({'|'.join(map(str, p.enum)) if p.enum else p.type}, default {p.default})"
                       for w in writers().values() for p in w.params)
    export = sub.add_parser("export", help="export a period of one department to files (same steps as the DAG)",
                            epilog=f"Package parameters: {params}")
    export.add_argument("--entity", required=True, type=ENTITY_NAME)
    export.add_argument("--from", dest="date_from", required=True, type=ISO_DATE)
    export.add_argument("--to", dest="date_to", required=True, type=ISO_DATE)
    export.add_argument("--package", choices=PACKAGES)
    export.add_argument("--out", metavar="DIR", help="publish under this folder (or any ObjectStoragePath URL)")
    export.add_argument("--approve", action="store_true",
                        help="write the files and charge; without it the export stops after the quote")
    export.add_argument("--invoice-journal")
    export.add_argument("--credit-note-journal")
    export.add_argument("--customer-numbers", choices=CUSTOMER_NUMBER_MODES)
    export.add_argument("--export-customers", action=argparse.BooleanOptionalAction, default=None)
    export.add_argument("--param", action="append", type=PARAM, metavar="NAME=VALUE")
    export.set_defaults(func=cmd_export)

    billing_parser = sub.add_parser("billing", help="what offline exports charged")
    billing_commands = billing_parser.add_subparsers(dest="billing_command", required=True)
    report = billing_commands.add_parser("report", help="charges of one month per entity, with their invoices")
    report.add_argument("--month", required=True, metavar="YYYY-MM")
    report.set_defaults(func=cmd_billing_report)
