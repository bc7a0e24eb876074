"""Seeding, the manifest and minted tokens: the Octopus side of the shared admin API.

The one seed parameter is ``seed``. Demo bookings are booked through the
API's own checks, stamped 09:00 Brussels time on their document date, then
the demo payments (payment balancings) are registered two weeks later.
"""

from __future__ import annotations

from typing import Any

from sandbox.common.store import Meta
from sandbox.octopus.bookings import create
from sandbox.octopus.books import Books, dossier_doc
from sandbox.octopus.context import Identity
from sandbox.octopus.generator import generate
from sandbox.octopus.manifest import build_manifest
from sandbox.octopus.settlements import register_payment
from sandbox.octopus.store import OctopusStore
from sandbox.octopus.tokens import SessionTokens
from sandbox.octopus.wire import cents, decimal, is_integer

_SEED_KEY = "octopus.seed"


def _validated(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"seed"}
    if unknown:
        raise ValueError(f"unknown seed parameters: {sorted(unknown)}")
    if not is_integer(params.get("seed")):
        raise ValueError("seed must be an integer")
    return {"seed": params["seed"]}


class OctopusService:
    name = "octopus"

    def __init__(self, store: OctopusStore, meta: Meta, defaults: dict[str, Any], tokens: SessionTokens,
                 identity: Identity) -> None:
        self._store = store
        self._meta = meta
        self._defaults = defaults
        self._tokens = tokens
        self._identity = identity

    def seed_params(self) -> dict[str, Any]:
        return dict(self._meta.get(_SEED_KEY) or self._defaults)

    def seed(self, params: dict[str, Any]) -> dict[str, Any]:
        clean = _validated(params)
        demo = generate(clean["seed"])
        self._store.load(demo.records)
        for item in demo.bookings:
            books = Books(self._store, item.dossier)
            data = create(books, item.body, item.booked_at)["booking"]
            if item.paid_share:
                share = cents(abs(decimal(data["amount"])) * item.paid_share)
                register_payment(books, (data["bookyearKey"]["id"], data["journalKey"], data["documentSequenceNr"]),
                                 share, item.paid_at)
        self._meta.put(_SEED_KEY, clean)
        return clean

    def manifest(self) -> dict[str, Any]:
        return build_manifest(self._store)

    def mint_tokens(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"dossier"?, "user"?}`` -> ``{"token", "dossierToken"}`` (null without a dossier)."""
        unknown = set(body) - {"dossier", "user"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}: give dossier and/or user")
        user = body.get("user", self._identity.user)
        if not isinstance(user, str) or not user:
            raise ValueError("user must be a non-empty string")
        dossier = body.get("dossier")
        if dossier is not None:
            found = dossier_doc(self._store, dossier) if is_integer(dossier) else None
            if found is None:
                raise ValueError(f"no dossier {dossier}")
            if found["disabled"]:
                raise ValueError(f"dossier {dossier} is disabled: the API refuses its token too")
        return {"token": self._tokens.issue_user(user),
                "dossierToken": None if dossier is None else self._tokens.issue_dossier(user, dossier)}
