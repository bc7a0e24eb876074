"""``python -m sandbox octopus``: open (and if empty, seed) the database, then serve."""

from __future__ import annotations

import os
from functools import partial

from sandbox.common.server import base_parser, client_credentials, config_overrides, serve
from sandbox.common.state import SandboxState
from sandbox.common.store import connect, remove_database
from sandbox.octopus.app import create_app
from sandbox.octopus.context import Identity
from sandbox.octopus.quotas import Quotas
from sandbox.octopus.service import OctopusService
from sandbox.octopus.settings import OctopusSettings
from sandbox.octopus.settlements import adopt_legacy_payments
from sandbox.octopus.store import OctopusStore
from sandbox.octopus.tokens import SessionTokens

DEFAULT_PORT = 8300
DEFAULT_SOFTWARE_HOUSE_UUID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"


def main(argv: list[str]) -> None:
    parser = base_parser("octopus", DEFAULT_PORT, env_prefix="OCTOPUS", token_ttl=600, rate_limit=False)
    parser.add_argument("--software-house-uuid", default=os.environ.get(
        "OCTOPUS_SANDBOX_SOFTWARE_HOUSE_UUID", DEFAULT_SOFTWARE_HOUSE_UUID),
        help="the softwareHouseUuid header POST /authentication expects")
    parser.add_argument("--no-quotas", action="store_true",
                        help="count calls but never refuse them (runtime config enforce_quotas=false)")
    args = parser.parse_args(argv)
    if args.reset:
        remove_database(args.db)
    db = connect(args.db)
    overrides = {**config_overrides(args, {"token_ttl": "token_ttl"}),
                 **({"enforce_quotas": False} if args.no_quotas else {})}
    state = SandboxState(db, client=client_credentials(args), defaults=OctopusSettings(), overrides=overrides,
                         limiter=partial(Quotas, db=db), tokens=SessionTokens)
    assert isinstance(state.tokens, SessionTokens)
    identity = Identity(args.client_id, args.client_secret, args.software_house_uuid)
    store = OctopusStore(db)
    adopt_legacy_payments(store)
    service = OctopusService(store, state.meta, {"seed": args.seed}, state.tokens, identity)
    if store.is_empty():
        service.seed({"seed": args.seed})
    serve(create_app(state, store, service, identity), args)
