"""Valid (and deliberately invalid) VAT numbers, IBANs and Belgian payment references.

Valid numbers are built from their check-digit rules and confirmed with
python-stdnum, so the connector's own validation meets realistic input.
"""

from __future__ import annotations

import random

from stdnum import iban as stdnum_iban
from stdnum.eu import vat as eu_vat
from stdnum.iso7064 import mod_11_10
from stdnum.luhn import calc_check_digit as luhn_check_digit

#: Numbers real accounting tools reject (peers.md: Exact Online error examples).
INVALID_VAT = {
    "BE": ("BE0999999999", "BE1999999999", "BE 123"),
    "NL": ("NL999999999B99", "NL12345678"),
    "FR": ("FRXX 999999999",),
    "DE": ("DE12345",),
}

BANKS = {
    "BE": (("001", "GEBABEBB"), ("363", "BBRUBEBB"), ("735", "KREDBEBB"), ("068", "GKCCBEBB")),
    "NL": (("INGB", "INGBNL2A"), ("RABO", "RABONL2U"), ("ABNA", "ABNANL2A")),
    "FR": (("30004", "BNPAFRPP"), ("30003", "SOGEFRPP")),
    "DE": (("37040044", "COBADEFF"), ("50070010", "DEUTDEFF")),
}


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _candidate_vat(rng: random.Random, country: str) -> str:
    if country == "BE":
        base = "0" + str(rng.randrange(2, 10)) + _digits(rng, 6)
        return f"BE{base}{97 - int(base) % 97:02d}"
    if country == "NL":
        body = _digits(rng, 8)
        check = sum(int(d) * (9 - i) for i, d in enumerate(body)) % 11
        return f"NL{body}{check}B01"
    if country == "FR":
        siren = str(rng.randrange(1, 10)) + _digits(rng, 7)
        siren += luhn_check_digit(siren)
        return f"FR{int(siren + '12') % 97:02d}{siren}"
    if country == "DE":
        body = str(rng.randrange(1, 10)) + _digits(rng, 7)
        return f"DE{body}{mod_11_10.calc_check_digit(body)}"
    raise ValueError(f"no VAT rule for {country}")


def vat_number(rng: random.Random, country: str) -> str:
    """A VAT number that python-stdnum accepts for ``country``."""
    while True:
        candidate = _candidate_vat(rng, country)
        if eu_vat.is_valid(candidate):
            return candidate


def invalid_vat_number(rng: random.Random, country: str) -> str:
    return rng.choice(INVALID_VAT[country])


def bank_account(rng: random.Random, country: str) -> tuple[str, str]:
    """A checksum-valid IBAN and its bank's BIC."""
    bank, bic = rng.choice(BANKS[country])
    if country == "BE":
        account = bank + _digits(rng, 7)
        bban = f"{account}{int(account) % 97 or 97:02d}"
    elif country == "NL":
        bban = bank + _digits(rng, 10)
    elif country == "FR":
        bban = bank + _digits(rng, 5) + _digits(rng, 11) + _digits(rng, 2)
    else:
        bban = bank + _digits(rng, 10)
    iban = country + stdnum_iban.calc_check_digits(f"{country}00{bban}") + bban
    assert stdnum_iban.is_valid(iban), iban
    return iban, bic


def structured_reference(rng: random.Random) -> str:
    """Belgian structured communication ``+++123/4567/89002+++`` (mod 97, 0 → 97)."""
    base = _digits(rng, 10)
    digits = f"{base}{int(base) % 97 or 97:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
