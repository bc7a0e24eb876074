"""``python -m sandbox focus``: open (and if empty, seed) the database, then serve."""

from __future__ import annotations

from sandbox.common.server import LIMIT_OPTIONS, base_parser, client_credentials, config_overrides, serve
from sandbox.common.state import SandboxState
from sandbox.common.store import connect, remove_database
from sandbox.focus.app import create_app
from sandbox.focus.catalog import MAX_DEPARTMENTS, MIN_DEPARTMENTS
from sandbox.focus.generator import MAX_INVOICES
from sandbox.focus.service import FocusService
from sandbox.focus.settings import LIST_INCLUDES, FocusSettings
from sandbox.focus.store import FocusStore

DEFAULT_PORT = 8100
OPTIONS = {**LIMIT_OPTIONS, "list_includes": "list_includes"}


def main(argv: list[str]) -> None:
    parser = base_parser("focus", DEFAULT_PORT)
    parser.add_argument("--invoices", type=int, default=30,
                        help=f"invoices in the BE department, 1..{MAX_INVOICES} (NL gets a third)")
    parser.add_argument("--departments", type=int, default=MIN_DEPARTMENTS,
                        help=f"departments, {MIN_DEPARTMENTS}..{MAX_DEPARTMENTS}: the BE, NL and second BE one, "
                             "then extra BE companies")
    parser.add_argument("--list-includes", choices=LIST_INCLUDES,
                        help="includes on invoices.list/creditNotes.list: honour the sandbox extension (default), "
                             "ignore it (the real API's list shape) or refuse it (400)")
    args = parser.parse_args(argv)
    if args.reset:
        remove_database(args.db)
    db = connect(args.db)
    state = SandboxState(db, client=client_credentials(args), defaults=FocusSettings(),
                         overrides=config_overrides(args, OPTIONS))
    store = FocusStore(db)
    params = {"seed": args.seed, "invoices": args.invoices, "departments": args.departments}
    service = FocusService(store, state.meta, params)
    if store.is_empty():
        try:
            service.seed(params)
        except ValueError as error:
            parser.error(str(error))
    serve(create_app(state, store, service), args)
