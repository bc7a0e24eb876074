"""Focus reference data and parties → domain records: departments, tax rates, ledger accounts, companies, contacts.

Ledger accounts are not on invoice lines in Focus: they hang off product
categories, per department. A party's email, phone and address are picked
the way invoicing wants them (the invoicing address first).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from connectors.domain import Address, Department, LedgerAccount, Party, PartyRef, PartyRole, TaxRate
from connectors.focus.values import MappingError, moment, number

log = logging.getLogger(__name__)


def department(item: Mapping[str, Any]) -> Department:
    address = item.get("address") or {}
    return Department(
        id=item["id"],
        name=item["name"],
        vat_number=item.get("vat_number"),
        currency=item.get("currency") or "EUR",
        country=address.get("country"),
        status=item.get("status", "active"),
    )


def tax_rate(item: Mapping[str, Any]) -> TaxRate:
    rate = number(item.get("rate"), f"Tax rate {item.get('id')}", "rate")
    return TaxRate(
        id=item["id"],
        department_id=(item.get("department") or {}).get("id", ""),
        rate=rate,
        description=item.get("description") or f"{rate * 100}%",
    )


def ledger_accounts(category: Mapping[str, Any], department_id: str) -> list[LedgerAccount]:
    """The ledger account(s) a product category links for one department (usually zero or one)."""
    return [
        LedgerAccount(
            number=str(ledger["ledger_account_number"]),
            department_id=department_id,
            category_id=category["id"],
            category_name=category.get("name", ""),
        )
        for ledger in category.get("ledgers") or []
        if (ledger.get("department") or {}).get("id") == department_id and ledger.get("ledger_account_number")
    ]


def party(item: Mapping[str, Any], party_type: str, roles: frozenset[PartyRole] = frozenset()) -> Party:
    """A company or contact (``companies.info``/``.list`` or ``contacts.*`` shape)."""
    if party_type == "contact":
        name = " ".join(p for p in (item.get("first_name"), item.get("last_name")) if p) or "(no name)"
    else:
        name = item.get("name") or "(no name)"
    return Party(
        ref=PartyRef(party_type, item["id"]),
        name=name,
        vat_number=clean(item.get("vat_number")),
        national_id=clean(item.get("national_identification_number")),
        email=_pick(item.get("emails"), "email", prefer=("invoicing", "primary")),
        phone=_pick(item.get("telephones"), "number", prefer=("phone", "mobile")),
        address=_address(item),
        iban=clean(item.get("iban")),
        bic=clean(item.get("bic")),
        language=item.get("language"),
        is_person=party_type == "contact",
        updated_at=_stamp(item.get("updated_at"), name),
        roles=roles,
    )


def _stamp(value: Any, name: str) -> dt.datetime | None:
    """When the party changed: informative only, so a value that does not parse is dropped, not fatal."""
    try:
        return moment(value, name, "updated_at")
    except MappingError:
        log.warning("%s: ignoring an updated_at that is no date and time (%r)", name, value)
        return None


def clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

def _pick(entries: Any, key: str, prefer: tuple[str, ...]) -> str | None:
    if not entries:
        return None
    for wanted in prefer:
        for entry in entries:
            if entry.get("type") == wanted and entry.get(key):
                return entry[key]
    return entries[0].get(key)

def _address(item: Mapping[str, Any]) -> Address | None:
    raw = item.get("primary_address")
    if raw is None:
        addresses = item.get("addresses") or []
        chosen = next((a for a in addresses if a.get("type") == "invoicing"), None) or next(
            (a for a in addresses if a.get("type") == "primary"), None
        ) or (addresses[0] if addresses else None)
        raw = (chosen or {}).get("address")
    if not raw:
        return None
    return Address(
        line_1=raw.get("line_1"),
        postal_code=raw.get("postal_code"),
        city=raw.get("city"),
        country=raw.get("country"),
    )
