"""Demo companies and contacts with realistic BE/NL/FR/DE names and addresses.

Companies and contacts are account-wide in Focus, so both departments share
them. Most companies carry a valid VAT number, some a badly formatted or
checksum-invalid one (what real accounting tools choke on), a few none.
Contacts are private persons without VAT number.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sandbox.focus.demo import REFERENCE_DAY, new_id, random_day, stamp
from sandbox.focus.identifiers import bank_account, invalid_vat_number, vat_number

SURNAMES = {
    "BE": ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
           "De Smet", "Dubois", "Lambert", "Vermeulen", "Van Damme"),
    "NL": ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder",
           "de Boer", "Dekker"),
    "FR": ("Martin", "Bernard", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"),
}
FIRST_NAMES = {
    "BE": ("Jan", "Sofie", "Pieter", "Marie", "Lucas", "Emma", "Thomas", "Julie", "Luc", "Nathalie"),
    "NL": ("Daan", "Sanne", "Bram", "Lotte", "Ruben", "Anouk", "Thijs", "Femke"),
    "FR": ("Jean", "Camille", "Louis", "Chloé", "Hugo", "Léa"),
    "DE": ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Hannah"),
}
COMPANY_PATTERNS = {
    "BE": ("{s} Bouw", "{s} & Zonen", "Brouwerij {s}", "{s} Consulting", "Atelier {s}", "{s} Logistics",
           "Bureau {s}", "{s} Technics"),
    "NL": ("{s} Installatietechniek", "{s} Advies", "Bakkerij {s}", "{s} Transport", "{s} ICT", "Studio {s}"),
    "FR": ("Boulangerie {s}", "{s} Conseil", "Transports {s}", "Atelier {s}", "{s} Informatique"),
    "DE": ("{s} Maschinenbau", "{s} Elektrotechnik", "Bäckerei {s}", "{s} Logistik", "{s} Software"),
}
LEGAL_FORMS = {"BE": ("BV", "NV", "SRL", "CommV"), "NL": ("B.V.", "V.O.F."), "FR": ("SARL", "SAS", "SA"),
               "DE": ("GmbH", "KG", "AG")}
STREETS = {
    "BE": ("Kerkstraat", "Stationsstraat", "Rue de la Loi", "Meir", "Avenue Louise", "Veldstraat", "Grote Markt",
           "Nijverheidslaan", "Chaussée de Charleroi"),
    "NL": ("Kalverstraat", "Coolsingel", "Lange Voorhout", "Oudegracht", "Stationsplein", "Marktstraat"),
    "FR": ("Rue de Rivoli", "Boulevard Haussmann", "Rue de la République", "Avenue Jean Jaurès"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Industriestraße"),
}
CITIES = {
    "BE": (("1000", "Brussel"), ("2000", "Antwerpen"), ("9000", "Gent"), ("3000", "Leuven"), ("8000", "Brugge"),
           ("4000", "Liège"), ("5000", "Namur"), ("2800", "Mechelen")),
    "NL": (("1012 AB", "Amsterdam"), ("3011 AD", "Rotterdam"), ("2511 CV", "Den Haag"), ("3511 LX", "Utrecht"),
           ("5611 AZ", "Eindhoven")),
    "FR": (("75002", "Paris"), ("69002", "Lyon"), ("59000", "Lille"), ("13001", "Marseille")),
    "DE": (("10115", "Berlin"), ("50667", "Köln"), ("80331", "München"), ("20095", "Hamburg")),
}
PHONE_PREFIX = {"BE": "+32 9", "NL": "+31 20", "FR": "+33 1", "DE": "+49 30"}
TLD = {"BE": "be", "NL": "nl", "FR": "fr", "DE": "de"}
LANGUAGES = {"BE": ("nl", "nl", "fr"), "NL": ("nl",), "FR": ("fr",), "DE": ("de",)}


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True)
class Address:
    line_1: str
    postal_code: str
    city: str
    country: str

    def as_json(self) -> dict[str, Any]:
        return {"line_1": self.line_1, "postal_code": self.postal_code, "city": self.city,
                "country": self.country, "area_level_two": None}


@dataclass(frozen=True)
class Party:
    """A company or contact plus the facts the document generators need."""

    type: str  # "company" | "contact"
    id: str
    name: str
    address: Address
    vat_number: str | None
    vat_valid: bool
    email: str
    iban: str | None
    bic: str | None
    #: A BE construction contractor ("medecontractant"): domestic reverse charge.
    contractor: bool
    doc: dict[str, Any]

    @property
    def country(self) -> str:
        return self.address.country

    @property
    def ref(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id}

    def reverse_charged_by(self, seller_country: str) -> bool:
        """Whether a seller in ``seller_country`` invoices this party with VAT reverse-charged."""
        if self.type != "company" or not self.vat_valid:
            return False
        return self.country != seller_country or (self.contractor and seller_country == "BE")


def random_address(rng: random.Random, country: str) -> Address:
    postal_code, city = rng.choice(CITIES[country])
    line = f"{rng.choice(STREETS[country])} {rng.randrange(1, 250)}"
    if country == "BE" and rng.random() < 0.1:
        line += f" bus {rng.randrange(1, 20)}"
    return Address(line, postal_code, city, country)


def _phone(rng: random.Random, country: str) -> str:
    return f"{PHONE_PREFIX[country]} {rng.randrange(100, 1000)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}"


def _timestamps(rng: random.Random) -> tuple[str, str]:
    added = random_day(rng, dt.date(2023, 1, 1), dt.date(2025, 6, 30))
    updated = random_day(rng, added, REFERENCE_DAY)
    return stamp(rng, added), stamp(rng, updated)


def _company_vat(rng: random.Random, country: str, always_valid: bool) -> tuple[str | None, bool]:
    roll = rng.random()
    if always_valid or roll < 0.87:
        return vat_number(rng, country), True
    if roll < 0.95:
        return invalid_vat_number(rng, country), False
    return None, False


def make_company(rng: random.Random, country: str, user_id: str, *, always_valid_vat: bool = False) -> Party:
    company_id = new_id(rng)
    surname = rng.choice(SURNAMES[country])
    name = f"{rng.choice(COMPANY_PATTERNS[country]).format(s=surname)} {rng.choice(LEGAL_FORMS[country])}"
    address = random_address(rng, country)
    vat, valid = _company_vat(rng, country, always_valid_vat)
    iban, bic = bank_account(rng, country)
    domain = f"{slug(name)}.{TLD[country]}"
    email = f"info@{domain}"
    added_at, updated_at = _timestamps(rng)
    terms = (None, {"type": "after_invoice_date", "days": 30}, {"type": "end_of_month", "days": 30})
    doc = {
        "id": company_id,
        "name": name,
        "status": "active",
        "business_type": None,
        "vat_number": vat,
        "national_identification_number": None,
        "emails": [{"type": "primary", "email": email}],
        "telephones": [{"type": "phone", "number": _phone(rng, country)}],
        "website": f"https://www.{domain}",
        "addresses": [{"type": "primary", "address": address.as_json()}],
        "iban": iban,
        "bic": bic,
        "language": rng.choice(LANGUAGES[country]),
        "preferred_currency": "EUR",
        "payment_term": rng.choice(terms),
        "invoicing_preferences": {"electronic_invoicing_address": None},
        "responsible_user": {"type": "user", "id": user_id},
        "remarks": "",
        "added_at": added_at,
        "updated_at": updated_at,
        "web_url": f"https://focus.teamleader.eu/company_detail.php?id={company_id}",
        "tags": [],
        "custom_fields": [],
        "marketing_mails_consent": False,
    }
    contractor = country == "BE" and valid and rng.random() < 0.12
    return Party("company", company_id, name, address, vat, valid, email, iban, bic, contractor, doc)


def make_contact(rng: random.Random, country: str) -> Party:
    contact_id = new_id(rng)
    first, last = rng.choice(FIRST_NAMES[country]), rng.choice(SURNAMES[country])
    address = random_address(rng, country)
    email = f"{slug(first)}.{slug(last)}@example.{TLD[country]}"
    iban, bic = bank_account(rng, country) if rng.random() < 0.5 else (None, None)
    added_at, updated_at = _timestamps(rng)
    doc = {
        "id": contact_id,
        "first_name": first,
        "last_name": last,
        "status": "active",
        "salutation": None,
        "vat_number": None,
        "emails": [{"type": "primary", "email": email}],
        "telephones": [{"type": "mobile", "number": _phone(rng, country)}],
        "website": None,
        "addresses": [{"type": "primary", "address": address.as_json()}],
        "gender": "unknown",
        "birthdate": None,
        "iban": iban,
        "bic": bic,
        "national_identification_number": None,
        "companies": [],
        "language": rng.choice(LANGUAGES[country]),
        "payment_term": None,
        "invoicing_preferences": {"electronic_invoicing_address": None},
        "remarks": "",
        "tags": [],
        "custom_fields": [],
        "marketing_mails_consent": False,
        "added_at": added_at,
        "updated_at": updated_at,
        "web_url": f"https://focus.teamleader.eu/contact_detail.php?id={contact_id}",
    }
    return Party("contact", contact_id, f"{first} {last}", address, None, False, email, iban, bic, False, doc)


def customer_country(rng: random.Random) -> str:
    return rng.choices(("BE", "NL", "FR", "DE"), weights=(55, 25, 10, 10))[0]
