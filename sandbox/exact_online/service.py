"""Seeding and the manifest: the Exact Online side of the shared admin API.

Seed parameters: ``seed``, ``country`` (``be`` | ``nl``) and ``accounts``
(relations in the first division). Demo entries are booked through the same
code as API POSTs, stamped at 09:00 on their entry date, then the demo
payments are registered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.common.store import Meta
from sandbox.exact_online.booking import LEDGERS, create_entry
from sandbox.exact_online.books import Books
from sandbox.exact_online.generator import COUNTRIES, MAX_ACCOUNTS, generate
from sandbox.exact_online.manifest import build_manifest
from sandbox.exact_online.settlements import document_amount, register_payment
from sandbox.exact_online.store import ExactStore

_SEED_KEY = "exact_online.seed"


def _validated(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"seed", "country", "accounts"}
    if unknown:
        raise ValueError(f"unknown seed parameters: {sorted(unknown)}")
    for key in ("seed", "accounts"):
        if isinstance(params.get(key), bool) or not isinstance(params.get(key), int):
            raise ValueError(f"{key} must be an integer")
    if params.get("country") not in COUNTRIES:
        raise ValueError(f"country must be one of {sorted(COUNTRIES)}")
    if not 1 <= params["accounts"] <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS}")
    return {"seed": params["seed"], "country": params["country"], "accounts": params["accounts"]}


class ExactService:
    name = "exact_online"

    def __init__(self, store: ExactStore, meta: Meta, defaults: dict[str, Any]) -> None:
        self._store = store
        self._meta = meta
        self._defaults = defaults

    def seed_params(self) -> dict[str, Any]:
        return dict(self._meta.get(_SEED_KEY) or self._defaults)

    def seed(self, params: dict[str, Any]) -> dict[str, Any]:
        clean = _validated(params)
        demo = generate(clean["seed"], clean["country"], clean["accounts"])
        self._store.load(demo.records)
        for item in demo.entries:
            books = Books(self._store, item.division)
            day = dt.date.fromisoformat(item.body["EntryDate"])
            booked_at = dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC).timestamp()
            entry = create_entry(books, LEDGERS[item.entity], item.body, demo.new_id, booked_at)
            if item.paid_share:
                share = abs(document_amount(entry)) * item.paid_share
                register_payment(books, entry["EntryID"], share, booked_at + 14 * 86400)
        self._meta.put(_SEED_KEY, clean)
        return clean

    def manifest(self) -> dict[str, Any]:
        return build_manifest(self._store)
