"""``python -m sandbox exact_online``: open (and if empty, seed) the database, then serve."""

from __future__ import annotations

from sandbox.common.server import LIMIT_OPTIONS, base_parser, client_credentials, config_overrides, serve
from sandbox.common.state import SandboxState
from sandbox.common.store import connect, remove_database
from sandbox.exact_online.app import create_app
from sandbox.exact_online.generator import COUNTRIES, MAX_ACCOUNTS
from sandbox.exact_online.oauth import TOKEN_RULES
from sandbox.exact_online.ratelimit import ExactLimiter
from sandbox.exact_online.service import ExactService
from sandbox.exact_online.settings import ExactSettings
from sandbox.exact_online.store import ExactStore

DEFAULT_PORT = 8200
OPTIONS = {**LIMIT_OPTIONS, "minutely_limit": "minutely_limit", "daily_limit": "daily_limit",
           "error_limit": "error_limit"}


def main(argv: list[str]) -> None:
    parser = base_parser("exact_online", DEFAULT_PORT, env_prefix="EXACT", token_ttl=600, rate_limit=False)
    parser.add_argument("--country", choices=sorted(COUNTRIES), default="be",
                        help="legislation and chart of accounts of the demo divisions (used when the db is empty)")
    parser.add_argument("--accounts", type=int, default=10,
                        help=f"relations in the first division, 1..{MAX_ACCOUNTS} (the second gets a third)")
    parser.add_argument("--minutely-limit", type=int, help="calls per minute per client and division (default 60)")
    parser.add_argument("--daily-limit", type=int, help="calls per UTC day per client and division (default 5000)")
    parser.add_argument("--error-limit", type=int,
                        help="errors per endpoint per hour before it answers 429 (default 0: off)")
    args = parser.parse_args(argv)
    if args.reset:
        remove_database(args.db)
    db = connect(args.db)
    state = SandboxState(db, client=client_credentials(args), defaults=ExactSettings(),
                         overrides=config_overrides(args, OPTIONS), token_rules=TOKEN_RULES, limiter=ExactLimiter)
    store = ExactStore(db)
    params = {"seed": args.seed, "country": args.country, "accounts": args.accounts}
    service = ExactService(store, state.meta, params)
    if store.is_empty():
        try:
            service.seed(params)
        except ValueError as error:
            parser.error(str(error))
    serve(create_app(state, store, service), args)
