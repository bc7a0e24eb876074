"""The general-ledger schemes and the VAT types of the demo administrations (BE and NL).

``GetGLAccountScheme`` answers an administration's scheme. The sources give
the GlAccount fields but not what ``type`` / ``subtype`` mean nor the VATType
code table (both SILENT); the sandbox decides, and sandbox/README.md lists it:

- ``type``: 1 balance sheet, 2 profit and loss;
- ``subtype``: 1 receivables, 2 payables, 3 VAT payable, 4 VAT receivable,
  5 bank/cash, 6 revenue, 7 costs, 0 other;
- VATType: 1 high (21 %), 2 low (BE 6 %, NL 9 %), 3 middle (BE 12 %; not in
  NL), 4 zero rate, 5 exempt, 6 reverse charge (medecontractant / verlegd),
  7 intra-community supply or purchase, 8 export outside the EU (all 0 %).

BE accounts follow the PCMN (70xxxx revenue, 40xxxx receivables, 44xxxx
payables, 60-61xxxx costs, 411/451 VAT); NL ones the 4-digit RGS-style
scheme (1300 debtors, 1600 creditors, 1500/1520 VAT, 4xxx costs, 8xxx
revenue). One account per scheme is disabled (709000 / 8999), so a booking on
it can be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BALANCE, PROFIT_AND_LOSS = 1, 2
OTHER, RECEIVABLE, PAYABLE, VAT_PAYABLE, VAT_RECEIVABLE, BANK, REVENUE, COST = range(8)


@dataclass(frozen=True)
class GlAccount:
    code: str
    subtype: int
    nl: str
    fr: str
    en: str
    enabled: bool = True

    @property
    def type(self) -> int:
        return PROFIT_AND_LOSS if self.subtype in (REVENUE, COST) else BALANCE


@dataclass(frozen=True)
class VatType:
    code: int
    percentage: Decimal
    description: str


def _a(code: str, subtype: int, nl: str, fr: str, en: str, enabled: bool = True) -> GlAccount:
    return GlAccount(code, subtype, nl, fr, en, enabled)


BE_SCHEME = (
    _a("100000", OTHER, "Geplaatst kapitaal", "Capital souscrit", "Issued capital"),
    _a("400000", RECEIVABLE, "Handelsdebiteuren", "Clients", "Trade debtors"),
    _a("411000", VAT_RECEIVABLE, "Terug te vorderen btw", "TVA à récupérer", "VAT recoverable"),
    _a("440000", PAYABLE, "Leveranciers", "Fournisseurs", "Suppliers"),
    _a("451000", VAT_PAYABLE, "Te betalen btw", "TVA à payer", "VAT payable"),
    _a("550000", BANK, "Bank", "Banque", "Bank"),
    _a("570000", BANK, "Kas", "Caisse", "Cash"),
    _a("600000", COST, "Aankopen grondstoffen", "Achats de matières premières", "Raw materials"),
    _a("604000", COST, "Aankopen handelsgoederen", "Achats de marchandises", "Goods for resale"),
    _a("610000", COST, "Diensten en diverse goederen", "Services et biens divers", "Services and other goods"),
    _a("611000", COST, "Huur", "Loyers", "Rent"),
    _a("612000", COST, "Onderhoud en herstellingen", "Entretien et réparations", "Maintenance and repairs"),
    _a("613000", COST, "Erelonen", "Honoraires", "Fees"),
    _a("700000", REVENUE, "Verkopen", "Ventes", "Sales"),
    _a("700100", REVENUE, "Verkopen licenties", "Ventes de licences", "Licence sales"),
    _a("701000", REVENUE, "Verkopen hardware", "Ventes de matériel", "Hardware sales"),
    _a("704000", REVENUE, "Verkopen opleidingen", "Ventes de formations", "Training sales"),
    _a("708000", REVENUE, "Toegekende kortingen", "Remises accordées", "Discounts granted"),
    _a("709000", REVENUE, "Verkopen (oud)", "Ventes (ancien)", "Sales (old)", enabled=False),
    _a("740000", REVENUE, "Bedrijfssubsidies", "Subsides d'exploitation", "Operating subsidies"),
)

NL_SCHEME = (
    _a("0500", OTHER, "Geplaatst kapitaal", "Capital souscrit", "Issued capital"),
    _a("1100", BANK, "Bank", "Banque", "Bank"),
    _a("1300", RECEIVABLE, "Debiteuren", "Débiteurs", "Trade debtors"),
    _a("1500", VAT_PAYABLE, "Af te dragen btw", "TVA à payer", "VAT payable"),
    _a("1520", VAT_RECEIVABLE, "Voorbelasting", "TVA déductible", "Input VAT"),
    _a("1600", PAYABLE, "Crediteuren", "Créditeurs", "Trade creditors"),
    _a("4000", COST, "Inkoopkosten", "Achats", "Purchases"),
    _a("4100", COST, "Huisvestingskosten", "Frais de logement", "Housing costs"),
    _a("4200", COST, "Kantoorkosten", "Frais de bureau", "Office costs"),
    _a("4300", COST, "Advieskosten", "Honoraires", "Advisory fees"),
    _a("8000", REVENUE, "Omzet hoog tarief", "Chiffre d'affaires taux normal", "Revenue standard rate"),
    _a("8010", REVENUE, "Omzet laag tarief", "Chiffre d'affaires taux réduit", "Revenue reduced rate"),
    _a("8100", REVENUE, "Omzet verlegd en export", "Chiffre d'affaires autoliquidé", "Revenue reverse charge"),
    _a("8900", REVENUE, "Kortingen", "Remises", "Discounts"),
    _a("8999", REVENUE, "Omzet (oud)", "Chiffre d'affaires (ancien)", "Revenue (old)", enabled=False),
)

SCHEMES = {"BE": BE_SCHEME, "NL": NL_SCHEME}

_ZERO_TYPES = {4: "0 % (nultarief)", 5: "Vrijgesteld (exempt)", 6: "Verlegd / medecontractant (reverse charge)",
               7: "Intracommunautair (intra-community)", 8: "Export buiten EU"}
VAT_TYPES = {
    "BE": (VatType(1, Decimal(21), "Hoog 21 %"), VatType(2, Decimal(6), "Laag 6 %"),
           VatType(3, Decimal(12), "Midden 12 %"),
           *(VatType(code, Decimal(0), text) for code, text in _ZERO_TYPES.items())),
    "NL": (VatType(1, Decimal(21), "Hoog 21 %"), VatType(2, Decimal(9), "Laag 9 %"),
           *(VatType(code, Decimal(0), text) for code, text in _ZERO_TYPES.items())),
}


@dataclass(frozen=True)
class Ledger:
    """What booking needs of an administration's scheme: accounts by code, the control accounts, VAT types."""

    country: str

    @property
    def accounts(self) -> dict[str, GlAccount]:
        return {account.code: account for account in SCHEMES[self.country]}

    def control(self, subtype: int) -> str:
        return next(a.code for a in SCHEMES[self.country] if a.subtype == subtype)

    @property
    def default_revenue(self) -> str:
        return self.control(REVENUE)

    def vat_type(self, code: int) -> VatType | None:
        return next((vat for vat in VAT_TYPES[self.country] if vat.code == code), None)

    def vat_type_for(self, percentage: Decimal) -> VatType | None:
        """The first VAT type with that rate (0 % is type 4, the plain zero rate)."""
        return next((vat for vat in VAT_TYPES[self.country] if vat.percentage == percentage), None)
