"""A summary for tests (``GET /_sandbox/manifest``): per domain its administrations, documents and contacts."""

from __future__ import annotations

from typing import Any

from sandbox.yuki.standings import standings
from sandbox.yuki.store import ADMINISTRATION, CONTACT, DOMAIN, Doc, YukiStore


def _administration(store: YukiStore, doc: Doc) -> dict[str, Any]:
    booked = [s for s in standings(store, doc["ID"]) if s.booked]
    counts = {
        f"{kind}_{'credit_notes' if credit else 'invoices'}": sum(
            1 for s in booked if s.doc["Kind"] == kind and (s.amount < 0) == credit)
        for kind in ("sales", "purchase") for credit in (False, True)}
    counts["drafts"] = len(standings(store, doc["ID"])) - len(booked)
    counts["open_sales"] = sum(1 for s in booked if s.doc["Kind"] == "sales" and s.open != 0)
    counts["open_purchases"] = sum(1 for s in booked if s.doc["Kind"] == "purchase" and s.open != 0)
    return {"id": doc["ID"], "name": doc["Name"], "country": doc["Country"], "counts": counts,
            "references": [s.doc["Reference"] for s in booked]}


def build_manifest(store: YukiStore) -> dict[str, Any]:
    domains = []
    for domain in store.docs(DOMAIN):
        contacts = store.docs(CONTACT, domain["ID"])
        domains.append({
            "id": domain["ID"], "name": domain["Name"], "country": domain["Country"],
            "administrations": [_administration(store, a) for a in store.docs(ADMINISTRATION, domain["ID"])],
            "contacts": {"count": len(contacts), "codes": [c["Code"] for c in contacts],
                         "customers": sum(1 for c in contacts if c["IsCustomer"]),
                         "suppliers": sum(1 for c in contacts if c["IsSupplier"])},
        })
    return {"domains": domains}
