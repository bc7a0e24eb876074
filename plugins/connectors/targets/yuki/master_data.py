"""Yuki's administrations, ledger accounts (``GetGLAccountScheme``) and the VAT types its invoice imports take.

Yuki has no call that lists VAT types: the sales and purchase imports take a
``VATType`` number from Yuki's fixed list, which differs per country (the
Dutch low rate is 9 %, Belgium has 6 and 12 %). The connector offers those
numbers as the administration's VAT codes, so the usual VAT-code links
apply. Yuki's imports have no journal choice either: sales go to the sales
journal, purchases to the purchase journal; the two "journals" here say so.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.domain import DocumentKind
from connectors.targets.base import AccountInfo, Administration, JournalInfo, MasterData, VatCodeInfo
from connectors.targets.yuki.client import YukiClient, child_text, children

#: VATType number → (rate, description) per administration country.
VAT_TYPES: dict[str, dict[str, tuple[str, str]]] = {
    "BE": {"1": ("0.21", "21 % (hoog)"), "2": ("0.06", "6 % (laag)"), "3": ("0.12", "12 % (midden)"),
           "4": ("0", "0 % (nultarief)"), "5": ("0", "0 % vrijgesteld (exempt)"),
           "6": ("0", "0 % medecontractant (reverse charge)"), "7": ("0", "0 % intracommunautair"),
           "8": ("0", "0 % export buiten de EU")},
    "NL": {"1": ("0.21", "21 % (hoog)"), "2": ("0.09", "9 % (laag)"), "4": ("0", "0 % (nultarief)"),
           "5": ("0", "0 % vrijgesteld (exempt)"), "6": ("0", "0 % verlegd (reverse charge)"),
           "7": ("0", "0 % intracommunautair"), "8": ("0", "0 % export buiten de EU")},
}
SALES_JOURNAL, PURCHASE_JOURNAL = "sales", "purchase"
JOURNALS = {
    SALES_JOURNAL: JournalInfo(SALES_JOURNAL, "Verkoopboek (sales invoices import)",
                               frozenset({DocumentKind.SALES_INVOICE, DocumentKind.SALES_CREDIT_NOTE})),
    PURCHASE_JOURNAL: JournalInfo(PURCHASE_JOURNAL, "Inkoopboek (purchase invoices import)",
                                  frozenset({DocumentKind.PURCHASE_INVOICE, DocumentKind.PURCHASE_CREDIT_NOTE})),
}


def administrations(client: YukiClient) -> list[Administration]:
    result = client.call("Accounting", "Administrations")
    return [Administration(node.get("ID") or "", child_text(node, "Name") or node.get("ID") or "",
                           (child_text(node, "Country") or None), child_text(node, "VATNumber") or None)
            for node in children(result, "Administration")]


def vat_codes(country: str) -> dict[str, VatCodeInfo]:
    table = VAT_TYPES.get(country.upper(), VAT_TYPES["BE"])
    return {code: VatCodeInfo(code, description, Decimal(rate), "both") for code, (rate, description) in table.items()}


def read_master_data(client: YukiClient, administration: str) -> MasterData:
    country = next((a.country for a in administrations(client) if a.id.lower() == administration.lower()), None)
    scheme = client.call("AccountingInfo", "GetGLAccountScheme", administrationID=administration)
    accounts = {}
    for node in children(scheme, "GlAccount"):
        code = child_text(node, "code") or ""
        description = child_text(node, "descriptionEN") or child_text(node, "descripton") or ""
        accounts[code] = AccountInfo(code, description, blocked=(child_text(node, "isEnabled") or "").lower() != "true")
    return MasterData(accounts, vat_codes(country or "BE"), dict(JOURNALS), currency="EUR")
