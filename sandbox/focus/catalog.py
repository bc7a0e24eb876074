"""Account-level reference data: departments, tax rates, product categories,
payment terms, units of measure and the demo user.

Departments (company entities) like a Belgian firm with a Dutch branch and a
second Belgian company, plus up to three "extra" Belgian companies on demand:
each has its own tax rates, and product categories map to a ledger account
per department, with gaps on purpose (a category without ledger for a
department is a classic connector error).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.focus.amounts import number
from sandbox.focus.demo import new_id
from sandbox.focus.identifiers import bank_account, vat_number
from sandbox.focus.parties import Address

#: (description, rate, weight on sales lines, reverse charge)
TAX_RATES = {
    "BE": (("21%", "0.21", 70, False), ("12%", "0.12", 8, False), ("6%", "0.06", 12, False),
           ("0%", "0.00", 10, False), ("0% Medecontractant / reverse charge", "0.00", 0, True)),
    "NL": (("21%", "0.21", 75, False), ("9%", "0.09", 17, False), ("0%", "0.00", 8, False),
           ("0% BTW verlegd", "0.00", 0, True)),
}
#: (name, ledger per department country, line descriptions, unit, weight on sales lines)
CATEGORIES = (
    ("Consultancy", {"BE": "700000", "NL": "8000"},
     ("Consultancy hours", "Project management", "Workshop facilitation", "Strategy session"), "hour", 35),
    ("Software licences", {"BE": "700100", "NL": "8010"},
     ("SaaS subscription (annual)", "User licence", "Support & maintenance contract"), None, 20),
    ("Hardware", {"BE": "701000", "NL": "8020"},
     ('Laptop 14"', 'Monitor 27"', "Docking station", "Network switch"), "piece", 15),
    ("Training", {"BE": "704000", "NL": "8100"},
     ("Training day", "E-learning module", "Certification exam"), "day", 12),
    ("Travel costs", {"NL": "8020"}, ("Travel costs", "Mileage allowance"), None, 5),
    ("Miscellaneous", {}, ("Administrative costs", "Shipping and handling"), None, 3),
)
PAYMENT_TERMS = (("cash", 0), ("after_invoice_date", 14), ("after_invoice_date", 30), ("end_of_month", 30),
                 ("after_invoice_date", 60))
DEFAULT_PAYMENT_TERM = 2
DEPARTMENTS = (
    ("BE", "Focus Demo BV", Address("Nijverheidslaan 12", "9000", "Gent", "BE"), "focusdemo.be"),
    ("NL", "Focus Demo Nederland B.V.", Address("Keizersgracht 100", "1015 CW", "Amsterdam", "NL"), "focusdemo.nl"),
    ("BE", "Focus Demo Services BV", Address("Meir 50", "2000", "Antwerpen", "BE"), "focusdemoservices.be"),
)
#: Departments generated from the main random stream; later ones draw from their own stream,
#: so adding one leaves every id and document of the first two as they were.
MAIN_STREAM_DEPARTMENTS = 2
#: How many departments a seed may ask for: the three above, plus "extra" BE companies on demand.
MIN_DEPARTMENTS, MAX_DEPARTMENTS = len(DEPARTMENTS), 6


def department_template(position: int) -> tuple[str, str, Address, str]:
    """(country, name, address, web domain) of the department at ``position`` (0-based): the
    three of ``DEPARTMENTS``, then further Belgian companies "Focus Demo Extra <n> BV"."""
    if position < len(DEPARTMENTS):
        return DEPARTMENTS[position]
    number = position + 1
    return ("BE", f"Focus Demo Extra {number} BV", Address(f"Kortrijksesteenweg {100 + number}", "9000", "Gent", "BE"),
            f"focusdemoextra{number}.be")


def own_stream(first_department_id: str, position: int, purpose: str = "") -> random.Random:
    """The random stream of a department past the main-stream ones (its own catalog entry and, with
    ``purpose``, e.g. its documents): derived from the first department's id, so it depends on the
    seed but not on how many departments there are."""
    return random.Random(f"{first_department_id}:{position}{f':{purpose}' if purpose else ''}")


@dataclass(frozen=True)
class TaxRate:
    id: str
    department_id: str
    description: str
    rate: Decimal
    weight: int
    reverse_charge: bool

    @property
    def doc(self) -> dict[str, Any]:
        return {"id": self.id, "description": self.description, "rate": number(self.rate),
                "department": {"type": "department", "id": self.department_id}}


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    vat_number: str
    address: Address
    iban: str
    bic: str
    document_template_id: str
    tax_rates: tuple[TaxRate, ...]
    doc: dict[str, Any]

    @property
    def country(self) -> str:
        return self.address.country

    @property
    def reverse_charge_rate(self) -> TaxRate:
        return next(rate for rate in self.tax_rates if rate.reverse_charge)


@dataclass(frozen=True)
class ProductCategory:
    id: str
    name: str
    descriptions: tuple[str, ...]
    unit_id: str | None
    weight: int
    doc: dict[str, Any]


@dataclass(frozen=True)
class PaymentTerm:
    id: str
    type: str
    days: int

    @property
    def doc(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "days": self.days}


@dataclass(frozen=True)
class Catalog:
    user: dict[str, Any]
    departments: tuple[Department, ...]
    categories: tuple[ProductCategory, ...]
    payment_terms: tuple[PaymentTerm, ...]
    default_payment_term: PaymentTerm


def _department(rng: random.Random, position: int) -> Department:
    country, name, address, domain = department_template(position)
    department_id = new_id(rng)
    vat = vat_number(rng, country)
    iban, bic = bank_account(rng, country)
    rates = tuple(
        TaxRate(new_id(rng), department_id, description, Decimal(rate), weight, reverse)
        for description, rate, weight, reverse in TAX_RATES[country]
    )
    emails = [{"type": "primary", "email": f"info@{domain}"}, {"type": "invoicing", "email": f"facturatie@{domain}"}]
    doc = {
        "id": department_id,
        "name": name,
        "vat_number": vat,
        "currency": "EUR",
        "emails": emails,
        "status": "active",
        "address": address.as_json(),
        "telephones": [{"type": "phone", "number": "+32 9 123 45 67" if country == "BE" else "+31 20 123 4567"}],
        "website": f"https://www.{domain}",
        "iban": iban,
        "bic": bic,
        "fiscal_regime": None,
        "created_at": f"2020-0{position + 1}-01T09:00:00+00:00",
    }
    return Department(department_id, name, vat, address, iban, bic, new_id(rng), rates, doc)


def build_catalog(rng: random.Random, department_count: int = MIN_DEPARTMENTS) -> Catalog:
    user_id, account_id = new_id(rng), new_id(rng)
    user = {
        "id": user_id,
        "account": {"type": "account", "id": account_id},
        "first_name": "Demo",
        "last_name": "Accountant",
        "email": "demo@focus-sandbox.test",
        "telephones": [],
        "language": "en",
        "function": "Accountant",
        "time_zone": "Europe/Brussels",
        "preferences": {"invoiceable": True, "historic_time_tracking": True, "whitelabeling": False},
    }
    departments = tuple(_department(rng, position) for position in range(MAIN_STREAM_DEPARTMENTS))
    departments += tuple(_department(own_stream(departments[0].id, position), position)
                         for position in range(MAIN_STREAM_DEPARTMENTS, department_count))
    units = {unit: new_id(rng) for unit in ("hour", "day", "piece")}
    categories = []
    for name, ledgers, descriptions, unit, weight in CATEGORIES:
        category_id = new_id(rng)
        doc = {
            "id": category_id,
            "name": name,
            "ledgers": [
                {"department": {"type": "department", "id": d.id}, "ledger_account_number": ledgers[d.country]}
                for d in departments if d.country in ledgers
            ],
        }
        categories.append(ProductCategory(category_id, name, descriptions, units.get(unit or ""), weight, doc))
    terms = tuple(PaymentTerm(new_id(rng), kind, days) for kind, days in PAYMENT_TERMS)
    return Catalog(user, departments, tuple(categories), terms, terms[DEFAULT_PAYMENT_TERM])
