"""Integration setup helpers: suggestions the setup flow offers, and the status rule.

Suggestions are only proposals shown to the user (VAT codes by percentage and
reverse-charge wording, journals by type); nothing is linked without them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from connectors.domain import DocumentKind, TaxRate
from connectors.state.models import Integration, IntegrationStatus
from connectors.targets.base import MasterData, VatCodeInfo

REVERSE_CHARGE = re.compile(r"revers|verlegd|medecontract|autoliquidation|reverse", re.IGNORECASE)
#: Peppol purchase keys the setup offers links for (UNCL5305 category: percent).
PURCHASE_KEYS = ("S:21", "S:12", "S:9", "S:6", "Z:0", "E:0", "AE:0", "K:0", "G:0", "O:0")


def _pick(codes: Iterable[VatCodeInfo], rate: Decimal, reverse: bool) -> str | None:
    candidates = [c for c in codes if not c.blocked and c.rate == rate
                  and bool(REVERSE_CHARGE.search(c.description)) == reverse]
    return min(candidates, key=lambda c: (len(c.code), c.code)).code if candidates else None


def suggest_vat_links(tax_rates: Iterable[TaxRate], master: MasterData) -> dict[tuple[str, str], str]:
    """(direction, source key) → VAT code, where exactly one obvious choice exists."""
    sales = [c for c in master.vat_codes.values() if c.direction in ("sales", "both")]
    purchase = [c for c in master.vat_codes.values() if c.direction in ("purchase", "both")]
    links: dict[tuple[str, str], str] = {}
    for rate in tax_rates:
        code = _pick(sales, rate.rate, bool(REVERSE_CHARGE.search(rate.description)))
        if code:
            links[("sales", rate.id)] = code
    for key in PURCHASE_KEYS:
        category, percent = key.split(":")
        code = _pick(purchase, Decimal(percent) / 100, category == "AE")
        if code:
            links[("purchase", key)] = code
    return links


def suggest_journals(master: MasterData) -> dict[str, str]:
    """Per document kind, the first unblocked journal that can hold it (credit-note journals preferred for credits)."""
    out: dict[str, str] = {}
    for kind in DocumentKind:
        fitting = sorted((j for j in master.journals.values() if kind in j.kinds and not j.blocked),
                         key=lambda j: (len(j.kinds), j.code))
        if fitting:
            out[kind.value] = fitting[0].code
    return out


def status_of(integration: Integration, kinds_in_use: Iterable[DocumentKind] = tuple(DocumentKind)) -> IntegrationStatus:
    """Connecting until the tool's administration is chosen; Configuration needed while a start date or a
    mapping is missing; Connected when everything required is set."""
    if not integration.target_administration:
        return IntegrationStatus.CONNECTING
    if not integration.start_date:
        return IntegrationStatus.CONFIGURATION_NEEDED
    journals = {j.document_kind for j in integration.journals}
    if any(kind.value not in journals for kind in kinds_in_use):
        return IntegrationStatus.CONFIGURATION_NEEDED
    if not any(link.direction == "sales" for link in integration.vat_links):
        return IntegrationStatus.CONFIGURATION_NEEDED
    return IntegrationStatus.CONNECTED
