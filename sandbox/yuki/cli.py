"""``python -m sandbox yuki``: open (and if empty, seed) the database, then serve."""

from __future__ import annotations

from functools import partial

from sandbox.common.server import base_parser, client_credentials, config_overrides, serve
from sandbox.common.state import SandboxState
from sandbox.common.store import connect, remove_database
from sandbox.yuki.app import create_app
from sandbox.yuki.quotas import DailyCap
from sandbox.yuki.service import YukiService
from sandbox.yuki.sessions import Sessions
from sandbox.yuki.settings import YukiSettings
from sandbox.yuki.store import YukiStore

DEFAULT_PORT = 8400
OPTIONS = {"session_idle_seconds": "session_idle", "daily_limit": "daily_limit"}


def main(argv: list[str]) -> None:
    parser = base_parser("yuki", DEFAULT_PORT, env_prefix="YUKI", rate_limit=False)
    parser.add_argument("--session-idle", type=int,
                        help="seconds without a call before a session lapses (default 1200)")
    parser.add_argument("--daily-limit", type=int, help="SOAP calls per domain per day (default 1000)")
    args = parser.parse_args(argv)
    if args.reset:
        remove_database(args.db)
    db = connect(args.db)
    state = SandboxState(db, client=client_credentials(args), defaults=YukiSettings(),
                         overrides=config_overrides(args, OPTIONS), limiter=partial(DailyCap, db=db),
                         tokens=Sessions)
    assert isinstance(state.tokens, Sessions)
    store = YukiStore(db)
    service = YukiService(store, state.meta, {"seed": args.seed}, state.tokens, state.client)
    if store.is_empty():
        service.seed({"seed": args.seed})
    serve(create_app(state, store, service), args)
