"""Exact Online's ledger accounts, VAT codes, journals and the division's currency.

Read every run (Exact's limits allow it). Exact's FinancialPeriods carry no
"closed" flag, so closed periods are not known in advance: the tool refuses
such a booking ("Period is closed") and that document is reported.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.domain import DocumentKind
from connectors.targets.base import AccountInfo, JournalInfo, MasterData, VatCodeInfo
from connectors.targets.exact_online.api import ExactApi

JOURNAL_KINDS = {
    20: frozenset({DocumentKind.SALES_INVOICE, DocumentKind.SALES_CREDIT_NOTE}),
    21: frozenset({DocumentKind.SALES_CREDIT_NOTE}),
    22: frozenset({DocumentKind.PURCHASE_INVOICE, DocumentKind.PURCHASE_CREDIT_NOTE}),
    23: frozenset({DocumentKind.PURCHASE_CREDIT_NOTE}),
}
VAT_DIRECTIONS = {"S": "sales", "P": "purchase"}


def read_master_data(api: ExactApi) -> tuple[MasterData, dict[str, str]]:
    """The master data, and the GUID of every ledger account code (bookings name accounts by GUID)."""
    accounts: dict[str, AccountInfo] = {}
    gl_ids: dict[str, str] = {}
    for row in api.list("financial/GLAccounts", {"$select": "ID,Code,Description,IsBlocked"}):
        code = str(row["Code"]).strip()
        accounts[code] = AccountInfo(code, row.get("Description") or "", bool(row.get("IsBlocked")))
        gl_ids[code] = row["ID"]
    vat_codes = {}
    for row in api.list("vat/VATCodes",
                        {"$select": "Code,Description,Percentage,Type,VATTransactionType,IsBlocked"}):
        code = str(row["Code"]).strip()
        vat_codes[code] = VatCodeInfo(code, row.get("Description") or "", Decimal(str(row.get("Percentage") or 0)),
                                      VAT_DIRECTIONS.get(row.get("VATTransactionType") or "B", "both"),
                                      bool(row.get("IsBlocked")), inclusive=row.get("Type") == "I")
    journals = {}
    for row in api.list("financial/Journals", {"$select": "Code,Description,Type,IsBlocked"}):
        code = str(row["Code"]).strip()
        journals[code] = JournalInfo(code, row.get("Description") or "",
                                     JOURNAL_KINDS.get(int(row["Type"]), frozenset()), bool(row.get("IsBlocked")))
    return MasterData(accounts, vat_codes, journals, currency=division_currency(api)), gl_ids


def division_currency(api: ExactApi) -> str | None:
    """The division's own currency: bookings carry no exchange rate, so it is the only one they can have."""
    if api.division is None:
        return None
    rows = list(api.list("hrm/Divisions", {"$select": "Code,Currency", "$filter": f"Code eq {api.division}"}))
    return (rows[0].get("Currency") or None) if rows else None
