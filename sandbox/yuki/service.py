"""Seeding, the manifest and minted access keys: the Yuki side of the shared admin API.

The one seed parameter is ``seed``. Demo invoices are booked through the
import's own rules (``booking.book``) at 09:00 Amsterdam time on their date;
the demo payments follow two weeks later. ``POST /_sandbox/tokens {"domain"?,
"administration"?}`` mints an access key for a domain (id or name; default
the first, "Yuki Demo") and optionally limits it to one of its
administrations (id or name); the answer also carries the API client
credentials ``AuthenticateClient`` expects.
"""

from __future__ import annotations

from typing import Any

from sandbox.common.state import ClientCredentials
from sandbox.common.store import Meta, transaction
from sandbox.yuki import settlements
from sandbox.yuki.amounts import cents
from sandbox.yuki.booking import book
from sandbox.yuki.context import same_id
from sandbox.yuki.generator import generate
from sandbox.yuki.manifest import build_manifest
from sandbox.yuki.sessions import Sessions
from sandbox.yuki.settlements import pay
from sandbox.yuki.store import ADMINISTRATION, DOMAIN, Doc, YukiStore

_SEED_KEY = "yuki.seed"


def _validated(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"seed"}
    if unknown:
        raise ValueError(f"unknown seed parameters: {sorted(unknown)}")
    seed = params.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError("seed must be an integer")
    return {"seed": seed}


def _named(docs: list[Doc], wanted: Any, what: str) -> Doc:
    found = next((d for d in docs if isinstance(wanted, str) and (same_id(d["ID"], wanted) or d["Name"] == wanted)),
                 None)
    if found is None:
        raise ValueError(f"no {what} {wanted!r} (give its ID or name)")
    return found


class YukiService:
    name = "yuki"

    def __init__(self, store: YukiStore, meta: Meta, defaults: dict[str, Any], sessions: Sessions,
                 client: ClientCredentials) -> None:
        self._store = store
        self._meta = meta
        self._defaults = defaults
        self._sessions = sessions
        self._client = client

    def seed_params(self) -> dict[str, Any]:
        return dict(self._meta.get(_SEED_KEY) or self._defaults)

    def seed(self, params: dict[str, Any]) -> dict[str, Any]:
        clean = _validated(params)
        demo = generate(clean["seed"])
        self._store.load(demo.records)
        with transaction(self._store.db):
            for item in demo.invoices:
                administration = self._store.doc(ADMINISTRATION, item.administration)
                assert administration is not None
                doc = book(self._store, administration, item.kind, item.request, item.booked_at,
                           item.request.date or "")
                if item.paid_share:
                    standing = settlements.find(self._store, administration["ID"], doc["ID"])
                    pay(self._store, standing, cents(abs(standing.amount) * item.paid_share), item.paid_on,
                        item.booked_at + 14 * 86400)
        self._meta.put(_SEED_KEY, clean)
        return clean

    def manifest(self) -> dict[str, Any]:
        return build_manifest(self._store)

    def mint_tokens(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"domain"?, "administration"?}`` -> ``{"accessKey", "domainID", "administrationID",
        "clientID", "clientSecret"}``."""
        unknown = set(body) - {"domain", "administration"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}: give domain and/or administration")
        domains = self._store.docs(DOMAIN)
        domain = _named(domains, body["domain"], "domain") if "domain" in body else domains[0]
        administration = None
        if body.get("administration") is not None:
            administration = _named(self._store.docs(ADMINISTRATION, domain["ID"]), body["administration"],
                                    f"administration in domain {domain['Name']!r}")["ID"]
        return {"accessKey": self._sessions.mint_key(domain["ID"], administration), "domainID": domain["ID"],
                "administrationID": administration, "clientID": self._client.client_id,
                "clientSecret": self._client.client_secret}
