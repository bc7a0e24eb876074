"""Deterministic demo data: the same seed gives the same domains, administrations, contacts and invoices.

Two domains: "Yuki Demo" (BE) with the administrations "Yuki Demo BV" and
"Yuki Tweede BV", and "Yuki Nederland" (NL) with "Yuki Demo Nederland B.V.".
Contacts live per domain (as ``Contact.asmx`` has them): per BE domain four
customers (BE companies 1001-1002, a Dutch company 1003, a private person
1004) and two suppliers (BE 2001, German 2002); the NL domain two customers
and one supplier. Every id is a GUID drawn from one ``random.Random(seed)``
in a fixed order; VAT numbers and IBANs are valid (python-stdnum).
Invoices are not written here: they are invoice requests (``INVOICES``),
booked by the service through the same rules as the imports, at 09:00 on
their date; "Yuki Demo BV" has five sales documents (one a credit note, one
intra-community), two purchase invoices, and payments two weeks after the
date on some (the paid share).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.focus.identifiers import bank_account, vat_number
from sandbox.yuki.booking import PURCHASE, SALES
from sandbox.yuki.contactbook import empty_contact
from sandbox.yuki.invoices import ContactRef, InvoiceRequest, PurchaseLine, SalesLine
from sandbox.yuki.quotas import AMSTERDAM
from sandbox.yuki.store import ADMINISTRATION, CONTACT, DOMAIN, Record

MASTERS_AT = dt.datetime(2026, 1, 2, 9, tzinfo=AMSTERDAM).timestamp()
#: (domain name, country, URL, administrations (name, code, city, postcode)).
DOMAINS = (
    ("Yuki Demo", "BE", "https://demo.yukiworks.be",
     (("Yuki Demo BV", "YDB", "Gent", "9000"), ("Yuki Tweede BV", "YTB", "Leuven", "3000"))),
    ("Yuki Nederland", "NL", "https://nederland.yukiworks.nl",
     (("Yuki Demo Nederland B.V.", "YDN", "Utrecht", "3511 AB"),)),
)
#: Per domain country: (code, type, country, customer, supplier) of its contacts.
CONTACTS = {
    "BE": (("1001", "Company", "BE", True, False), ("1002", "Company", "BE", True, False),
           ("1003", "Company", "NL", True, False), ("1004", "Person", "BE", True, False),
           ("2001", "Company", "BE", False, True), ("2002", "Company", "DE", False, True)),
    "NL": (("1001", "Company", "NL", True, False), ("1002", "Company", "NL", True, False),
           ("2001", "Company", "NL", False, True)),
}
CITIES = {"BE": (("Antwerpen", "2000"), ("Brugge", "8000"), ("Hasselt", "3500")),
          "NL": (("Rotterdam", "3011 AA"), ("Amersfoort", "3811 AA")), "DE": (("Köln", "50667"),)}
TRADES = ("Bakkerij", "Drukkerij", "Architectenbureau", "Transport", "IT-diensten", "Adviesbureau", "Elektro")
SURNAMES = ("Peeters", "Janssens", "Maes", "Claes", "de Vries", "Bakker", "Schmidt", "Wouters")
FIRST_NAMES = ("An", "Bram", "Lotte", "Wim")

#: Per administration (domain index, administration index): (kind, contact code, date, VAT type, quantity sign,
#: share paid two weeks later). Sales are numbered by the booking rules; purchases carry a supplier reference.
INVOICES = {
    (0, 0): ((SALES, "1001", "2026-01-12", 1, 1, Decimal(1)), (SALES, "1002", "2026-01-20", 1, 1, Decimal("0.5")),
             (SALES, "1003", "2026-02-03", 7, 1, Decimal(0)), (SALES, "1004", "2026-02-10", 2, 1, Decimal(0)),
             (SALES, "1001", "2026-02-16", 1, -1, Decimal(0)), (PURCHASE, "2001", "2026-01-15", 1, 1, Decimal(1)),
             (PURCHASE, "2002", "2026-02-05", 7, 1, Decimal(0))),
    (0, 1): ((SALES, "1002", "2026-02-12", 1, 1, Decimal(0)),),
    (1, 0): ((SALES, "1001", "2026-01-14", 1, 1, Decimal(0)), (SALES, "1002", "2026-02-04", 2, 1, Decimal(0)),
             (PURCHASE, "2001", "2026-01-22", 1, 1, Decimal(0))),
}
REVENUE = {"BE": ("700000", "700100", "704000"), "NL": ("8000", "8010")}
COSTS = {"BE": ("604000", "610000", "613000"), "NL": ("4000", "4200")}


@dataclass(frozen=True)
class DemoInvoice:
    administration: str
    kind: str
    request: InvoiceRequest
    booked_at: float
    paid_share: Decimal
    paid_on: str


@dataclass
class Demo:
    records: list[Record] = field(default_factory=list)
    invoices: list[DemoInvoice] = field(default_factory=list)


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _contact(rng: random.Random, code: str, kind: str, country: str, customer: bool, supplier: bool
             ) -> dict[str, Any]:
    surname = rng.choice(SURNAMES)
    city, postcode = rng.choice(CITIES[country])
    iban, _ = bank_account(rng, country)
    doc = empty_contact() | {"ID": guid(rng), "Type": kind, "Code": code, "AddressLine_1": f"Kerkstraat "
                             f"{rng.randint(1, 120)}", "PostCode": postcode, "City": city, "Country": country,
                             "BankAccount": iban, "IsCustomer": customer, "IsSupplier": supplier}
    slug = surname.lower().replace(" ", "")
    if kind == "Person":
        first = rng.choice(FIRST_NAMES)
        doc |= {"FirstName": first, "LastName": surname, "FullName": f"{first} {surname}",
                "EmailAddress": f"{first.lower()}@{slug}.{country.lower()}"}
    else:
        doc |= {"FullName": f"{rng.choice(TRADES)} {surname}", "VATNumber": vat_number(rng, country),
                "EmailAddress": f"boekhouding@{slug}.{country.lower()}", "Website": f"www.{slug}.{country.lower()}"}
    return doc


def _invoice(rng: random.Random, kind: str, country: str, code: str, day: str, vat_type: int, sign: int
             ) -> InvoiceRequest:
    lines: list[Any] = []
    for _ in range(rng.randint(1, 2)):
        amount = Decimal(rng.randrange(5_000, 150_000)) / 100
        if kind == SALES:
            lines.append(SalesLine(Decimal(sign * rng.randint(1, 4)), amount, rng.choice(("Advies", "Licentie",
                                   "Opleiding")), vat_type, None, False, rng.choice(REVENUE[country])))
        else:
            lines.append(PurchaseLine(sign * amount, vat_type, rng.choice(COSTS[country]), "Aankoop"))
    reference = None if kind == SALES else f"INV-{rng.randrange(10_000, 99_999)}"
    subject = ("Creditnota" if sign < 0 else "Factuur") if kind == SALES else f"Aankoopfactuur {reference}"
    return InvoiceRequest(ContactRef(code), tuple(lines), reference, subject, date=day)


def generate(seed: int) -> Demo:
    rng = random.Random(seed)
    demo = Demo()
    for domain_index, (name, country, url, administrations) in enumerate(DOMAINS):
        domain = {"ID": guid(rng), "Name": name, "URL": url, "Country": country}
        demo.records.append(Record(DOMAIN, "", domain["ID"], domain, MASTERS_AT, MASTERS_AT))
        admin_ids = []
        for admin_name, code, city, postcode in administrations:
            doc = {"ID": guid(rng), "DomainID": domain["ID"], "Name": admin_name, "Code": code,
                   "AddressLine": f"Veldstraat {rng.randint(1, 99)}", "Postcode": postcode, "City": city,
                   "Country": country, "CoCNumber": str(rng.randrange(10**7, 10**8)) if country == "NL" else "",
                   "VATNumber": vat_number(rng, country), "StartDate": "2024-01-01", "Currency": "EUR"}
            demo.records.append(Record(ADMINISTRATION, domain["ID"], doc["ID"], doc, MASTERS_AT, MASTERS_AT))
            admin_ids.append(doc["ID"])
        for spec in CONTACTS[country]:
            contact = _contact(rng, *spec)
            demo.records.append(Record(CONTACT, domain["ID"], contact["ID"], contact, MASTERS_AT, MASTERS_AT))
        for admin_index, admin_id in enumerate(admin_ids):
            for kind, contact_code, day, vat_type, sign, paid in INVOICES.get((domain_index, admin_index), ()):
                booked_at = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), AMSTERDAM).timestamp()
                paid_on = (dt.date.fromisoformat(day) + dt.timedelta(days=14)).isoformat()
                request = _invoice(rng, kind, country, contact_code, day, vat_type, sign)
                demo.invoices.append(DemoInvoice(admin_id, kind, request, booked_at, paid, paid_on))
    return demo
