"""One dossier's books as handlers need them: lookups by id, key or number, and the record keys.

Keys: book year ``"<id>"``, journal ``"<bookyear id>/<journalKey>"``,
account ``"<bookyear id>/<nr>"``, VAT code ``"<code>"``, relation ``"<id>"``,
booking ``"<bookyear id>/<journalKey>/<documentSequenceNr>"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.octopus.store import (
    ACCOUNT,
    ALL_DOSSIERS,
    BOOKING,
    BOOKYEAR,
    DOSSIER,
    JOURNAL,
    RELATION,
    VAT_CODE,
    Doc,
    OctopusStore,
    Record,
)


def journal_key(bookyear_id: int, journal: str) -> str:
    return f"{bookyear_id}/{journal}"


def booking_key(bookyear_id: int, journal: str, sequence: int) -> str:
    return f"{bookyear_id}/{journal}/{sequence}"


def year_of(bookyear: Doc) -> int:
    return dt.date.fromisoformat(bookyear["startDate"]).year


def dossier_doc(store: OctopusStore, dossier: int) -> Doc | None:
    """The stored dossier: its wire ``DossierServiceData`` under ``wire``, plus ``disabled``."""
    return store.doc(DOSSIER, ALL_DOSSIERS, str(dossier))


class Books:
    def __init__(self, store: OctopusStore, dossier: int) -> None:
        self.store = store
        self.dossier = dossier

    def docs(self, entity: str) -> list[Doc]:
        return self.store.docs(entity, self.dossier)

    def rows(self, entity: str) -> list[Record]:
        return self.store.rows(entity, self.dossier)

    def doc(self, entity: str, key: str) -> Doc | None:
        return self.store.doc(entity, self.dossier, key)

    def put(self, entity: str, key: str, doc: Doc, modified: float | None = None) -> None:
        self.store.put(entity, self.dossier, key, doc, modified)

    def bookyears(self) -> list[Doc]:
        return self.docs(BOOKYEAR)

    def bookyear(self, bookyear_id: Any) -> Doc | None:
        return self.doc(BOOKYEAR, str(bookyear_id))

    def bookyear_of(self, year: int) -> Doc | None:
        return next((doc for doc in self.bookyears() if year_of(doc) == year), None)

    def journals(self, bookyear_id: int) -> list[Doc]:
        return [doc for doc in self.docs(JOURNAL) if doc["bookyearKey"]["id"] == bookyear_id]

    def journal(self, bookyear_id: int, key: str) -> Doc | None:
        return self.doc(JOURNAL, journal_key(bookyear_id, key))

    def accounts(self, bookyear_id: int) -> list[Doc]:
        return [doc for doc in self.docs(ACCOUNT) if doc["accountKey"]["bookyearKey"]["id"] == bookyear_id]

    def account(self, bookyear_id: int, number: int) -> Doc | None:
        return self.doc(ACCOUNT, f"{bookyear_id}/{number}")

    def vat_codes(self) -> list[Doc]:
        return self.docs(VAT_CODE)

    def vat_code(self, code: str) -> Doc | None:
        return self.doc(VAT_CODE, code)

    def relations(self) -> list[Doc]:
        return self.docs(RELATION)

    def relation(self, relation_id: int) -> Doc | None:
        return self.doc(RELATION, str(relation_id))

    def relation_by_external(self, external_id: int) -> Doc | None:
        return next((doc for doc in self.relations()
                     if doc["relationIdentificationServiceData"]["externalRelationId"] == external_id), None)

    def booking(self, bookyear_id: int, journal: str, sequence: int) -> Doc | None:
        return self.doc(BOOKING, booking_key(bookyear_id, journal, sequence))
