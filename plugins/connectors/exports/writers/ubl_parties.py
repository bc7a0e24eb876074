"""The seller and buyer of a UBL document: their electronic addresses, VAT and enterprise numbers, addresses.

What the official rules (CEN EN16931 UBL + Peppol BIS Billing 3.0 Schematron) shaped:

* Electronic addresses (BT-34/BT-49, PEPPOL-EN16931-R010/R020, CL008: the Peppol EAS list, no e-mail ``EM``):
  a Belgian party is addressed by its enterprise number, scheme ``0208`` (10 digits, mod 97: PEPPOL-COMMON-R043),
  taken from its enterprise number or derived from its BE VAT number; others by their VAT number in their
  country's EAS VAT scheme (NL 9944, DE 9930, FR 9957 …, DK 0184, SE 0007, NO 0192, IT 0211, FI 0213), or a
  national id where the list has one (NL KvK 0106, US EIN 9959). No usable id: ``customer_gaps`` says so.
* VAT identifiers carry their country prefix (BR-CO-09); a document with category O carries none (BR-O-02), the
  seller is then identified by its enterprise number (BR-CO-26).
"""

from __future__ import annotations

import re

from lxml import etree
from stdnum.be import vat as be_vat
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from connectors.domain import Address
from connectors.exports.records import ExportCustomer, Seller
from connectors.exports.writers.ubl_values import _cac, _cbc

#: EAS scheme of a VAT number, by its prefix (Peppol EAS code list, only codes the Schematron accepts).
VAT_SCHEMES = {
    "AD": "9922", "AL": "9923", "AT": "9914", "BA": "9924", "BE": "9925", "BG": "9926", "CH": "9927",
    "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "EL": "9933", "ES": "9920", "FR": "9957",
    "GB": "9932", "HR": "9934", "HU": "9910", "IE": "9935", "LI": "9936", "LT": "9937", "LU": "9938",
    "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943", "NL": "9944", "PL": "9945",
    "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951", "TR": "9952",
    "VA": "9953",
}  # fmt: skip


def _compact(value: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", value or "").upper()


def vat_id(number: str | None, country: str | None) -> str | None:
    """A VAT number with its country prefix (BR-CO-09; Greece as EL), compacted; None when there is none."""
    compact = _compact(number)
    if not compact:
        return None
    if compact[:2].isalpha():
        return "EL" + compact[2:] if compact[:2] == "GR" else compact
    prefix = (country or "").upper()
    return ("EL" if prefix == "GR" else prefix) + compact


def _country(address: Address | None, vat: str | None) -> str | None:
    """The party's ISO country: its address's, else its VAT number's prefix."""
    if address and address.country and address.country.strip():
        return address.country.strip().upper()
    if vat and vat[:2].isalpha():
        return "GR" if vat[:2] == "EL" else vat[:2]
    return None


def enterprise_number(vat: str | None, national_id: str | None, country: str | None) -> str | None:
    """The Belgian enterprise number (10 digits, valid mod 97) from the national id or a BE VAT number."""
    candidates = []
    if national_id and (country in (None, "BE")):
        candidates.append(_compact(national_id).removeprefix("BE"))
    if vat and vat.startswith("BE"):
        candidates.append(vat[2:])
    for candidate in candidates:
        digits = candidate.zfill(10) if len(candidate) == 9 else candidate
        if re.fullmatch(r"\d{10}", digits) and be_vat.is_valid(digits):
            return digits
    return None


def electronic_address(
    vat_number: str | None, national_id: str | None, country: str | None
) -> tuple[str, str] | None:
    """(EAS scheme, identifier) of a party in the Peppol network, or None when nothing it has qualifies."""
    vat = vat_id(vat_number, country)
    country = country or _country(None, vat)
    enterprise = enterprise_number(vat, national_id, country)
    if enterprise:
        return "0208", enterprise
    if vat and not vat.startswith("BE"):  # an invalid BE number is no address (0208 is mod 97 checked)
        prefix, rest = vat[:2], vat[2:]
        if prefix == "DK" and re.fullmatch(r"\d{8}", rest):
            return "0184", vat
        if prefix == "SE" and re.fullmatch(r"\d{12}", rest) and se_orgnr.is_valid(rest[:10]):
            return "0007", rest[:10]
        if prefix == "NO" and re.fullmatch(r"\d{9}(MVA)?", rest) and no_orgnr.is_valid(rest[:9]):
            return "0192", rest[:9]
        if prefix == "IT" and re.fullmatch(r"\d{11}", rest):
            return "0211", vat
        if prefix == "FI" and re.fullmatch(r"\d{8}", rest):
            return "0213", vat
        if prefix in VAT_SCHEMES:
            return VAT_SCHEMES[prefix], vat
    national = _compact(national_id)
    if national and country == "NL" and re.fullmatch(r"\d{8}", national):
        return "0106", national
    if national and country == "US" and re.fullmatch(r"\d{9}", national):
        return "9959", national
    return None


def _seller(party: etree._Element, seller: Seller, vat: str | None, outside_scope: bool) -> None:
    country = _country(seller.address, vat)
    endpoint = electronic_address(seller.vat_number, None, country)
    if endpoint:
        _cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    _cbc(_cac(party, "PartyName"), "Name", seller.name)
    _postal_address(party, seller.address, country)
    if vat and not outside_scope:
        _tax_scheme(party, vat)
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", seller.name)
    enterprise = enterprise_number(vat, None, country)
    if enterprise:
        _cbc(legal, "CompanyID", enterprise, schemeID="0208")
    _contact(party, seller.phone, seller.email)


def _buyer(party: etree._Element, customer: ExportCustomer, vat: str | None, country: str | None,
           outside_scope: bool) -> None:  # fmt: skip
    endpoint = electronic_address(customer.vat_number, customer.national_id, country)
    if endpoint:
        _cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    if customer.number and customer.number.strip():
        _cbc(_cac(party, "PartyIdentification"), "ID", customer.number.strip())
    _cbc(_cac(party, "PartyName"), "Name", customer.name)
    _postal_address(party, customer.address, country)
    if vat and not outside_scope:
        _tax_scheme(party, vat)
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", customer.name)
    enterprise = enterprise_number(vat, customer.national_id, country)
    if enterprise:
        _cbc(legal, "CompanyID", enterprise, schemeID="0208")
    _contact(party, customer.phone, customer.email)


def _postal_address(party: etree._Element, address: Address | None, country: str | None) -> None:
    postal = _cac(party, "PostalAddress")
    if address:
        _cbc(postal, "StreetName", address.line_1)
        _cbc(postal, "CityName", address.city)
        _cbc(postal, "PostalZone", address.postal_code)
    if country:
        _cbc(_cac(postal, "Country"), "IdentificationCode", country)


def _tax_scheme(party: etree._Element, vat: str) -> None:
    scheme = _cac(party, "PartyTaxScheme")
    _cbc(scheme, "CompanyID", vat)
    _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")


def _contact(party: etree._Element, phone: str | None, email: str | None) -> None:
    if (phone and phone.strip()) or (email and email.strip()):
        contact = _cac(party, "Contact")
        _cbc(contact, "Telephone", phone)
        _cbc(contact, "ElectronicMail", email)
