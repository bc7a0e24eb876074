"""A summary of each dossier for tests (``GET /_sandbox/manifest``): what there is to find."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sandbox.octopus.books import Books, year_of
from sandbox.octopus.settlements import standings
from sandbox.octopus.store import ALL_DOSSIERS, DOSSIER, OctopusStore


def _dossier(store: OctopusStore, stored: dict[str, Any]) -> dict[str, Any]:
    wire = stored["wire"]
    books = Books(store, wire["dossierKey"]["id"])
    relations = books.relations()
    years = {b["bookyearKey"]["id"]: year_of(b) for b in books.bookyears()}
    entries = standings(books)
    journals = Counter(f"{years[s.booking['bookyearKey']['id']]}/{s.booking['journalKey']}" for s in entries)
    still_open = Counter(s.booking["journalKey"][:1] for s in entries if s.open != 0)
    return {
        "id": wire["dossierKey"]["id"],
        "description": wire["dossierDescription"],
        "vatNr": wire["vatNr"],
        "disabled": stored["disabled"],
        "bookyears": {str(year): bookyear_id for bookyear_id, year in sorted(years.items())},
        "counts": {
            "relations": len(relations),
            "active_relations": sum(1 for r in relations if r["active"]),
            "clients": sum(1 for r in relations if r["client"]),
            "suppliers": sum(1 for r in relations if r["supplier"]),
            "bookings": dict(sorted(journals.items())),
            "open_clients": still_open["V"],
            "open_suppliers": still_open["A"],
        },
    }


def build_manifest(store: OctopusStore) -> dict[str, Any]:
    return {"dossiers": [_dossier(store, stored) for stored in store.docs(DOSSIER, ALL_DOSSIERS)]}
