"""The masters of a demo administration per legislation: chart of accounts, VAT codes, journals.

Belgian divisions get the PCMN/MAR chart (400000 customers, 700000 sales,
6xxxxx costs) and the sales codes 1/2/3/0 plus reverse charge and
intra-community, purchase codes 8x; Dutch ones the RGS-like four-digit chart
and codes 1/2/0 (hoog/laag/nul) with 3/4/5 for purchases. Reverse-charge and
intra-community codes carry 0 %: the self-assessed VAT lines are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class GLAccount:
    code: str
    description: str
    type: int
    vat_code: str = ""
    #: D debit, C credit: the side the balance normally is on.
    balance_side: str = "D"

    @property
    def balance_type(self) -> str:
        """B balance sheet, W profit and loss (Dutch: winst- en verliesrekening)."""
        return "B" if self.type < 100 else "W"


@dataclass(frozen=True)
class VATCode:
    code: str
    description: str
    percentage: Decimal
    #: S sales, P purchase, B both.
    side: str
    #: E excluding VAT, B base only (0 %), N no VAT.
    type: str


@dataclass(frozen=True)
class Journal:
    code: str
    description: str
    type: int


@dataclass(frozen=True)
class Chart:
    country: str
    gl_accounts: tuple[GLAccount, ...]
    vat_codes: tuple[VATCode, ...]
    journals: tuple[Journal, ...]
    vat_to_pay: str
    vat_to_claim: str
    revenue: tuple[str, ...]
    costs: tuple[str, ...]


GL_TYPE_DESCRIPTIONS = {10: "Kas", 12: "Bank", 20: "Debiteuren", 22: "Crediteuren", 24: "Btw",
                        110: "Omzet", 111: "Kostprijs omzet", 120: "Overige kosten"}
JOURNAL_TYPE_DESCRIPTIONS = {10: "Kas", 12: "Bank", 20: "Verkoop", 21: "Retourfactuur", 22: "Inkoop",
                             23: "Ontvangen retourfactuur"}

BE = Chart(
    country="BE",
    gl_accounts=(
        GLAccount("400000", "Klanten", 20),
        GLAccount("411000", "Terug te vorderen btw", 24),
        GLAccount("440000", "Leveranciers", 22, balance_side="C"),
        GLAccount("451000", "Te betalen btw", 24, balance_side="C"),
        GLAccount("550000", "Bank", 12),
        GLAccount("600000", "Aankopen handelsgoederen", 111, "81"),
        GLAccount("604000", "Aankopen diensten", 111, "81"),
        GLAccount("610000", "Huur", 120, "81"),
        GLAccount("611000", "Onderhoud en herstellingen", 120, "81"),
        GLAccount("612000", "Kantoorbenodigdheden", 120, "81"),
        GLAccount("700000", "Omzet handelsgoederen", 110, "1", balance_side="C"),
        GLAccount("700100", "Omzet handelsgoederen 6%", 110, "3", balance_side="C"),
        GLAccount("701000", "Omzet diensten", 110, "1", balance_side="C"),
        GLAccount("704000", "Omzet buitenland", 110, "IC", balance_side="C"),
        GLAccount("708000", "Toegekende kortingen", 110, "1"),
    ),
    vat_codes=(
        VATCode("0", "0% btw", Decimal("0"), "S", "B"),
        VATCode("1", "21% btw", Decimal("0.21"), "S", "E"),
        VATCode("2", "12% btw", Decimal("0.12"), "S", "E"),
        VATCode("3", "6% btw", Decimal("0.06"), "S", "E"),
        VATCode("VV", "Btw verlegd (medecontractant)", Decimal("0"), "S", "B"),
        VATCode("IC", "Intracommunautaire levering", Decimal("0"), "S", "B"),
        VATCode("80", "0% btw aankoop", Decimal("0"), "P", "B"),
        VATCode("81", "21% btw aankoop", Decimal("0.21"), "P", "E"),
        VATCode("82", "12% btw aankoop", Decimal("0.12"), "P", "E"),
        VATCode("83", "6% btw aankoop", Decimal("0.06"), "P", "E"),
        VATCode("87", "Aankoop medecontractant (verlegd)", Decimal("0"), "P", "B"),
        VATCode("00", "Vrijgesteld / geen btw", Decimal("0"), "B", "N"),
    ),
    journals=(
        Journal("70", "Verkopen", 20),
        Journal("71", "Creditnota's verkoop", 21),
        Journal("60", "Aankopen", 22),
        Journal("61", "Creditnota's aankoop", 23),
        Journal("55", "Bank", 12),
    ),
    vat_to_pay="451000", vat_to_claim="411000",
    revenue=("700000", "701000", "700100"), costs=("600000", "604000", "610000", "611000", "612000"),
)

NL = Chart(
    country="NL",
    gl_accounts=(
        GLAccount("1100", "Bank", 12),
        GLAccount("1300", "Debiteuren", 20),
        GLAccount("1500", "Af te dragen btw", 24, balance_side="C"),
        GLAccount("1510", "Te vorderen btw", 24),
        GLAccount("1600", "Crediteuren", 22, balance_side="C"),
        GLAccount("4000", "Algemene kosten", 120, "3"),
        GLAccount("7000", "Inkoopwaarde van de omzet", 111, "3"),
        GLAccount("8000", "Omzet hoog", 110, "1", balance_side="C"),
        GLAccount("8010", "Omzet laag", 110, "2", balance_side="C"),
        GLAccount("8020", "Omzet nul / verlegd", 110, "0", balance_side="C"),
        GLAccount("8100", "Omzet buitenland", 110, "IC", balance_side="C"),
        GLAccount("8900", "Toegekende kortingen", 110, "1"),
    ),
    vat_codes=(
        VATCode("0", "0% btw", Decimal("0"), "S", "B"),
        VATCode("1", "Btw hoog 21%", Decimal("0.21"), "S", "E"),
        VATCode("2", "Btw laag 9%", Decimal("0.09"), "S", "E"),
        VATCode("VL", "Btw verlegd", Decimal("0"), "S", "B"),
        VATCode("IC", "Intracommunautaire levering", Decimal("0"), "S", "B"),
        VATCode("3", "Voorbelasting hoog 21%", Decimal("0.21"), "P", "E"),
        VATCode("4", "Voorbelasting laag 9%", Decimal("0.09"), "P", "E"),
        VATCode("5", "Inkoop 0%", Decimal("0"), "P", "B"),
        VATCode("VI", "Inkoop verlegd", Decimal("0"), "P", "B"),
        VATCode("00", "Geen btw", Decimal("0"), "B", "N"),
    ),
    journals=(
        Journal("70", "Verkoopboek", 20),
        Journal("71", "Creditnota's verkoop", 21),
        Journal("60", "Inkoopboek", 22),
        Journal("61", "Creditnota's inkoop", 23),
        Journal("20", "Bank", 12),
    ),
    vat_to_pay="1500", vat_to_claim="1510",
    revenue=("8000", "8010", "8000"), costs=("4000", "7000", "4000"),
)

CHARTS = {"be": BE, "nl": NL}
