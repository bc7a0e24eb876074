"""``python -m sandbox focus``: open (and if empty, seed) the database, then serve."""

from __future__ import annotations

from sandbox.common.config import RuntimeSettings
from sandbox.common.server import base_parser, client_credentials, config_overrides, serve
from sandbox.common.state import SandboxState
from sandbox.common.store import connect, remove_database
from sandbox.focus.app import create_app
from sandbox.focus.generator import MAX_INVOICES
from sandbox.focus.service import FocusService
from sandbox.focus.store import FocusStore

DEFAULT_PORT = 8100


def main(argv: list[str]) -> None:
    parser = base_parser("focus", DEFAULT_PORT)
    parser.add_argument("--invoices", type=int, default=30,
                        help=f"invoices in the BE department, 1..{MAX_INVOICES} (NL gets a third)")
    args = parser.parse_args(argv)
    if args.reset:
        remove_database(args.db)
    db = connect(args.db)
    state = SandboxState(db, client=client_credentials(args), defaults=RuntimeSettings(),
                         overrides=config_overrides(args))
    store = FocusStore(db)
    service = FocusService(store, state.meta, {"seed": args.seed, "invoices": args.invoices})
    if store.is_empty():
        try:
            service.seed({"seed": args.seed, "invoices": args.invoices})
        except ValueError as error:
            parser.error(str(error))
    serve(create_app(state, store, service), args)
