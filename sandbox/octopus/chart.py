"""The masters of a demo dossier: the Belgian PCMN accounts, VAT codes and journals.

Accounts carry a description in the four languages Octopus knows. VAT codes
are type 2 (SELL) ``V..`` and type 1 (BUY) ``A..`` only: no type 3/4 credit
note codes, so a sell credit note uses a type-2 code and a buy credit note a
type-1 code. Reverse-charge, intra-community and export codes carry 0 %.
Journal keys start with their type letter: V sell, A buy, F financial, D divers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Account:
    number: int
    nl: str
    fr: str
    en: str
    de: str

    @property
    def kind(self) -> str:
        """``cost`` (6), ``revenue`` (7) or ``balance`` (1-5): what the account's defaults follow."""
        return {"6": "cost", "7": "revenue"}.get(str(self.number)[0], "balance")


@dataclass(frozen=True)
class VatCode:
    code: str
    description: str
    #: 1 BUY, 2 SELL (3 BUY_CREDIT_NOTE and 4 SELL_CREDIT_NOTE exist in Octopus, not in the demo).
    type: int
    percentage: Decimal


ACCOUNTS = (
    Account(400000, "Klanten", "Clients", "Customers", "Kunden"),
    Account(411000, "Terug te vorderen btw", "TVA à récupérer", "VAT recoverable", "Vorsteuer"),
    Account(440000, "Leveranciers", "Fournisseurs", "Suppliers", "Lieferanten"),
    Account(451000, "Te betalen btw", "TVA à payer", "VAT payable", "Umsatzsteuer"),
    Account(550000, "Bank", "Banque", "Bank", "Bank"),
    Account(600000, "Aankopen grondstoffen", "Achats de matières premières", "Purchases of raw materials",
            "Einkauf Rohstoffe"),
    Account(604000, "Aankopen handelsgoederen", "Achats de marchandises", "Purchases of goods for resale",
            "Einkauf Handelswaren"),
    Account(610000, "Diensten en diverse goederen", "Services et biens divers", "Services and other goods",
            "Dienstleistungen und sonstige Güter"),
    Account(611000, "Huur", "Loyers", "Rent", "Miete"),
    Account(612000, "Onderhoud en herstellingen", "Entretien et réparations", "Maintenance and repairs",
            "Wartung und Reparaturen"),
    Account(613000, "Erelonen", "Honoraires", "Fees", "Honorare"),
    Account(700000, "Verkopen", "Ventes", "Sales", "Umsatzerlöse"),
    Account(700100, "Verkopen licenties", "Ventes de licences", "Licence sales", "Lizenzerlöse"),
    Account(701000, "Verkopen hardware", "Ventes de matériel", "Hardware sales", "Hardwareerlöse"),
    Account(704000, "Verkopen opleidingen", "Ventes de formations", "Training sales", "Schulungserlöse"),
    Account(708000, "Toegekende kortingen", "Remises accordées", "Discounts granted", "Gewährte Rabatte"),
    Account(740000, "Bedrijfssubsidies", "Subsides d'exploitation", "Operating subsidies", "Betriebszuschüsse"),
)

SELL, BUY = 2, 1
VAT_CODES = (
    VatCode("V00", "Verkopen 0%", SELL, Decimal(0)),
    VatCode("V06", "Verkopen 6%", SELL, Decimal(6)),
    VatCode("V12", "Verkopen 12%", SELL, Decimal(12)),
    VatCode("V21", "Verkopen 21%", SELL, Decimal(21)),
    VatCode("VIC", "Intracommunautaire dienst - verlegd", SELL, Decimal(0)),
    VatCode("VEX", "Export buiten EU", SELL, Decimal(0)),
    VatCode("A00", "Aankopen 0%", BUY, Decimal(0)),
    VatCode("A06", "Aankopen 6%", BUY, Decimal(6)),
    VatCode("A12", "Aankopen 12%", BUY, Decimal(12)),
    VatCode("A21", "Aankopen 21%", BUY, Decimal(21)),
    VatCode("AIC", "Intracommunautaire aankoop - verlegd", BUY, Decimal(0)),
    VatCode("AMC", "Medecontractant - verlegd", BUY, Decimal(0)),
)
#: The sell journal's default revenue account, named by every sell code.
DEFAULT_SELL_ACCOUNT = 700000

JOURNALS = (
    ("V1", "Verkopen"),
    ("V2", "Verkopen creditnota's"),
    ("A1", "Aankopen"),
    ("A2", "Aankopen creditnota's"),
    ("F1", "Bank"),
    ("D1", "Diverse"),
)

#: VAT code types a journal of each type letter accepts (V needs SELL / SELL_CREDIT_NOTE, A BUY / BUY_CREDIT_NOTE).
JOURNAL_VAT_TYPES = {"V": (2, 4), "A": (1, 3)}
JOURNAL_SIDES = {"V": "sell", "A": "buy"}


def vat_code_json(vat: VatCode) -> dict[str, object]:
    return {"code": vat.code, "description": vat.description, "type": vat.type,
            "basePercentage": float(vat.percentage),
            "defaultSellBookingAccountNr": DEFAULT_SELL_ACCOUNT if vat.type == SELL else None}


def account_json(account: Account, bookyear_id: int) -> dict[str, object]:
    cost, revenue = account.kind == "cost", account.kind == "revenue"
    return {
        "accountKey": {"bookyearKey": {"id": bookyear_id}, "id": account.number,
                       "accountNumberKey": {"id": account.number}},
        "description": {"description_NL": account.nl, "description_FR": account.fr,
                        "description_EN": account.en, "description_DE": account.de},
        "vatRecupPercentage": 100 if cost else 0,
        "fiscProfessionalPercentage": 100 if cost else 0,
        "fiscRecupPercentage": 100 if cost else 0,
        "purchaseVatCode": "A21" if cost else None,
        "salesVatCode": "V21" if revenue else None,
        "costCentreType": 0,
        "defaultCostCentreKey": None,
    }
