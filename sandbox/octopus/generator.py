"""Deterministic demo data: the same seed gives the same dossiers, relations and bookings, ids included.

Three dossiers: 8001 "Octopus Demo BV" and 8002 "Octopus Tweede BV" with
books, 8003 "Octopus Disabled" (listed, but its token request is refused,
so it has no books). Per dossier with books: book years 2024 (closed) to
2027 with twelve monthly periods (ids 1-4 in 8001, 5-8 in 8002, so a client
that carries ids across dossiers fails), the six journals per book year,
the PCMN accounts per book year, the VAT codes, three clients and two
suppliers (a Dutch client and a German supplier among them; some without
``externalRelationId``), and a few invoices in V1 and A1 of 2025 and 2026.
Bookings are not written here: they are POST bodies, booked by the service
through the API's own checks. Everything is drawn from one
``random.Random(seed)`` in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.focus.identifiers import bank_account, structured_reference, vat_number
from sandbox.octopus.books import journal_key
from sandbox.octopus.chart import ACCOUNTS, JOURNALS, VAT_CODES, account_json, vat_code_json
from sandbox.octopus.relations import relation_json
from sandbox.octopus.store import (
    ACCOUNT,
    ALL_DOSSIERS,
    BOOKYEAR,
    DOSSIER,
    JOURNAL,
    RELATION,
    VAT_CODE,
    Record,
)
from sandbox.octopus.wire import brussels_moment, cents, month_number, octopus_vat

YEARS = (2024, 2025, 2026, 2027)
CLOSED_YEARS = (2024,)
MASTERS_MODIFIED = brussels_moment(dt.date(2024, 1, 2), 9)
#: (id, description, disabled, first book year id); 8001's VAT number is the one the brief names.
DOSSIERS = ((8001, "Octopus Demo BV", False, 1), (8002, "Octopus Tweede BV", False, 5),
            (8003, "Octopus Disabled", True, None))
FIXED_VAT = {8001: "BE0477.472.701"}
#: (role, country, externalRelationId) of the five relations, relationKey ids 1..5.
RELATIONS = (("client", "BE", 90001), ("client", "BE", None), ("client", "NL", 90003),
             ("supplier", "BE", None), ("supplier", "DE", 90005))
#: Per dossier: (journal, document date, relation index, share paid afterwards).
BOOKINGS = {
    8001: (("V1", dt.date(2025, 11, 5), 0, Decimal(1)), ("V1", dt.date(2025, 12, 10), 2, Decimal(0)),
           ("A1", dt.date(2025, 12, 15), 3, Decimal(1)), ("V1", dt.date(2026, 1, 15), 1, Decimal("0.5")),
           ("A1", dt.date(2026, 1, 20), 4, Decimal(0)), ("V1", dt.date(2026, 2, 3), 0, Decimal(0)),
           ("A1", dt.date(2026, 2, 12), 3, Decimal(0)), ("V1", dt.date(2026, 3, 2), 2, Decimal(0))),
    8002: (("V1", dt.date(2026, 2, 10), 0, Decimal(0)), ("A1", dt.date(2026, 2, 20), 3, Decimal(0))),
}
CITIES = {"BE": (("Gent", "9000"), ("Antwerpen", "2000"), ("Leuven", "3000"), ("Brugge", "8000")),
          "NL": (("Utrecht", "3511 AB"), ("Rotterdam", "3011 AA")), "DE": (("Köln", "50667"), ("Aachen", "52062"))}
SURNAMES = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Wouters", "de Vries",
            "Bakker", "Schmidt", "Becker")
TRADES = ("Bakkerij", "Drukkerij", "Schrijnwerkerij", "Architectenbureau", "Transport", "IT-diensten",
          "Adviesbureau", "Elektro")
#: Octopus vatType: 1 BE VAT-liable, 4 intra-EU.
VAT_TYPES = {"BE": 1, "NL": 4, "DE": 4}
#: Sell/buy lines: (VAT code per relation country, revenue or cost accounts).
SELL = {"BE": "V21", "NL": "VIC"}
BUY = {"BE": "A21", "DE": "AIC"}
REVENUE = (700000, 700100, 701000, 704000)
COSTS = (604000, 610000, 612000, 613000)


@dataclass(frozen=True)
class DemoBooking:
    dossier: int
    body: dict[str, Any]
    booked_at: float
    paid_share: Decimal
    paid_at: float


@dataclass
class Demo:
    records: list[Record] = field(default_factory=list)
    bookings: list[DemoBooking] = field(default_factory=list)


def _bookyear(bookyear_id: int, year: int) -> dict[str, Any]:
    periods = []
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        periods.append({"bookyearPeriod": month_number(start), "startDate": start.isoformat(),
                        "endDate": end.isoformat()})
    return {"bookyearKey": {"id": bookyear_id}, "bookyearDescription": str(year),
            "startDate": f"{year}-01-01", "endDate": f"{year}-12-31", "closed": year in CLOSED_YEARS,
            "periods": periods}


def _journal(bookyear_id: int, key: str, name: str) -> dict[str, Any]:
    return {"bookyearKey": {"id": bookyear_id}, "journalKey": key, "name": name, "closed": False,
            "currencyCode": "EUR", "lastBookedDocumentNr": 0, "protectedPeriod": 0, "closedPeriod": 0,
            "insertionType": 1, "customFieldList": [], "customFieldLineList": []}


def _relation(rng: random.Random, relation_id: int, role: str, country: str, external: int | None) -> dict[str, Any]:
    surname, trade = rng.choice(SURNAMES), rng.choice(TRADES)
    city, postal_code = rng.choice(CITIES[country])
    iban, bic = bank_account(rng, country)
    slug = surname.lower().replace(" ", "")
    values = {
        "name": f"{trade} {surname}", "client": role == "client", "supplier": role == "supplier",
        "defaultBookingAccountClient": 700000 if role == "client" else None,
        "defaultBookingAccountSupplier": 604000 if role == "supplier" else None,
        "streetAndNr": f"{rng.choice(('Kerkstraat', 'Stationsstraat', 'Dorpsstraat', 'Marktplein'))} "
                       f"{rng.randint(1, 120)}",
        "postalCode": postal_code, "city": city, "country": country,
        "email": f"boekhouding@{slug}.{country.lower()}", "ibanAccountNr": iban, "bicCode": bic,
        "corporationType": 21 if country == "BE" else None, "currencyCode": "EUR",
        "vatNr": octopus_vat(vat_number(rng, country)), "vatType": VAT_TYPES[country],
        "expirationType": 2, "expirationDays": 30, "factLanguage": 0 if country == "BE" else 2,
        "invoiceDeliveryMethod": 1,
    }
    return relation_json(relation_id, external, values)


def _booking_body(rng: random.Random, bookyear_id: int, journal: str, sequence: int, day: dt.date,
                  relation: dict[str, Any]) -> dict[str, Any]:
    country = relation["country"]
    sell = journal.startswith("V")
    code = SELL[country] if sell else BUY[country]
    percentage = next(vat.percentage for vat in VAT_CODES if vat.code == code)
    lines = []
    for _ in range(rng.randint(1, 2)):
        base = cents(Decimal(rng.randrange(20_000, 400_000)) / 100)
        vat = cents(base * percentage / 100)
        lines.append({"accountKey": rng.choice(REVENUE if sell else COSTS), "baseAmount": base,
                      "vatCodeKey": code, "vatAmount": vat, "comment": None})
    total = sum((line["baseAmount"] + line["vatAmount"] for line in lines), Decimal("0.00"))
    identification = relation["relationIdentificationServiceData"]
    return {"buySellBookingServiceData": {
        "bookyearKey": {"id": bookyear_id}, "journalKey": journal, "documentSequenceNr": sequence,
        "relationIdentificationServiceData": {"relationKey": {"id": identification["relationKey"]["id"]}},
        "bookyearPeriodeNr": month_number(day), "documentDate": day.isoformat(),
        "expiryDate": (day + dt.timedelta(days=30)).isoformat(),
        "comment": f"Factuur {day.year}/{sequence}" if sell else f"Aankoopfactuur INV-{rng.randrange(1000, 9999)}",
        "orderReference": f"PO-{rng.randrange(100, 999)}" if sell else None,
        "reference": structured_reference(rng) if sell else None,
        "amount": total, "currencyCode": "EUR", "exchangeRate": Decimal("1.0"), "paymentMethod": 0,
        "bookingLines": lines,
    }}


def generate(seed: int) -> Demo:
    rng = random.Random(seed)
    demo = Demo()
    for dossier, description, disabled, first_bookyear in DOSSIERS:
        city, postal_code = rng.choice(CITIES["BE"])
        wire = {"dossierKey": {"id": dossier}, "dossierDescription": description,
                "vatNr": FIXED_VAT.get(dossier) or octopus_vat(vat_number(rng, "BE")),
                "streetAndNr": f"Veldstraat {rng.randint(1, 99)}", "country": "BE", "postalCode": postal_code,
                "city": city, "url": f"https://www.{description.lower().replace(' ', '')}.be",
                "email": f"info@{description.lower().replace(' ', '')}.be", "corporationTypeKey": {"id": 21},
                "languageCode": "nl"}
        demo.records.append(Record(DOSSIER, ALL_DOSSIERS, str(dossier), {"wire": wire, "disabled": disabled}))
        if first_bookyear is None:
            continue
        bookyear_ids = {year: first_bookyear + index for index, year in enumerate(YEARS)}
        for year, bookyear_id in bookyear_ids.items():
            demo.records.append(Record(BOOKYEAR, dossier, str(bookyear_id), _bookyear(bookyear_id, year)))
            demo.records += [Record(JOURNAL, dossier, journal_key(bookyear_id, key), _journal(bookyear_id, key, name))
                             for key, name in JOURNALS]
            demo.records += [Record(ACCOUNT, dossier, f"{bookyear_id}/{account.number}",
                                    account_json(account, bookyear_id)) for account in ACCOUNTS]
        demo.records += [Record(VAT_CODE, dossier, vat.code, vat_code_json(vat)) for vat in VAT_CODES]
        relations = [_relation(rng, index, role, country, external)
                     for index, (role, country, external) in enumerate(RELATIONS, 1)]
        demo.records += [Record(RELATION, dossier, str(index), relation, MASTERS_MODIFIED)
                         for index, relation in enumerate(relations, 1)]
        sequences: dict[tuple[int, str], int] = {}
        for journal, day, relation_index, paid_share in BOOKINGS[dossier]:
            bookyear_id = bookyear_ids[day.year]
            sequence = sequences[bookyear_id, journal] = sequences.get((bookyear_id, journal), 0) + 1
            body = _booking_body(rng, bookyear_id, journal, sequence, day, relations[relation_index])
            demo.bookings.append(DemoBooking(dossier, body, brussels_moment(day, 9), paid_share,
                                             brussels_moment(day + dt.timedelta(days=14), 9)))
    return demo
