"""One division's books as the write paths need them: lookups of masters by id or code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.exact_online.entities import (
    ACCOUNTS,
    FINANCIAL_PERIODS,
    GL_ACCOUNTS,
    JOURNALS,
    VAT_CODES,
)
from sandbox.exact_online.odata.values import date_of
from sandbox.exact_online.store import ExactStore

Doc = dict[str, Any]


class Books:
    def __init__(self, store: ExactStore, division: int) -> None:
        self.store = store
        self.division = division

    def docs(self, entity: str) -> list[Doc]:
        return self.store.docs(entity, self.division)

    def doc(self, entity: str, key: str) -> Doc | None:
        return self.store.doc(entity, self.division, key)

    def _by(self, entity: str, field: str, value: Any) -> Doc | None:
        return next((doc for doc in self.docs(entity) if doc[field] == value), None)

    def account(self, account_id: str) -> Doc | None:
        return self.doc(ACCOUNTS.path, account_id)

    def gl_account(self, gl_id: str) -> Doc | None:
        return self.doc(GL_ACCOUNTS.path, gl_id)

    def vat_code(self, code: str) -> Doc | None:
        return self._by(VAT_CODES.path, "Code", code)

    def journal(self, code: str) -> Doc | None:
        return self._by(JOURNALS.path, "Code", code)

    def period(self, day: dt.date) -> Doc | None:
        """The financial period ``day`` falls in."""
        return next((doc for doc in self.docs(FINANCIAL_PERIODS.path)
                     if date_of(doc["StartDate"]) <= day <= date_of(doc["EndDate"])), None)
