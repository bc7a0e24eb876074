"""Documents become balanced bookings: VAT spread over lines to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.booking import UnbalancedBooking, allocate_vat, build_booking, reference
from connectors.domain import Document, DocumentKind, Line, LineKind, PartyRef, VatAmount
from connectors.mappings import MappingSettings
from connectors.targets.base import TargetParty

D = Decimal


def doc(lines, vat) -> Document:
    excl = sum((ln.amount for ln in lines), D("0.00"))
    tax = sum((v.tax for v in vat), D("0.00"))
    return Document("inv-1", "invoice", DocumentKind.SALES_INVOICE, "dept", "2026 / 17", dt.date(2026, 1, 2),
                    PartyRef("company", "co"), "EUR", tuple(lines), tuple(vat), excl, tax, excl + tax)


def line(n, amount, rate="0.21", tax_rate_id="tr-21", **kw) -> Line:
    return Line(n, f"line {n}", D(amount), D(rate), tax_rate_id=tax_rate_id, ledger_account="700000", **kw)


def test_vat_is_spread_so_each_rate_adds_up_to_the_document_figure():
    # Three lines of 0.10 at 21%: per line 0.021 → 0.02 each would give 0.06, the document says 0.06 on 0.30.
    d = doc([line(1, "0.10"), line(2, "0.10"), line(3, "0.10"), line(4, "10.00", rate="0.06", tax_rate_id="tr-6")],
            [VatAmount(D("0.21"), D("0.30"), D("0.06")), VatAmount(D("0.06"), D("10.00"), D("0.60"))])
    shares = allocate_vat(d)
    assert sum(shares[:3]) == D("0.06") and shares[3] == D("0.60")


def test_negative_discount_lines_take_their_share_of_vat():
    d = doc([line(1, "100.00"), line(2, "-10.00", kind=LineKind.DISCOUNT)], [VatAmount(D("0.21"), D("90.00"), D("18.90"))])
    assert allocate_vat(d) == [D("21.00"), D("-2.10")]


def test_booking_balances_and_carries_the_resolved_mappings():
    d = doc([line(1, "33.33"), line(2, "66.67")], [VatAmount(D("0.21"), D("100.00"), D("21.00"))])
    settings = MappingSettings(journals={"sales_invoice": "70"}, vat_links={("sales", "tr-21"): "1"})
    booking = build_booking(d, settings, TargetParty("guid-1", "1024"))
    assert booking.journal == "70" and booking.reference == reference(d) == "FC-I-inv-1"
    assert {ln.vat_code for ln in booking.lines} == {"1"}
    assert booking.total_excl + booking.total_vat == booking.total_incl == D("121.00")


def test_a_document_whose_lines_and_vat_miss_the_total_is_never_built_into_a_booking():
    d = doc([line(1, "100.00")], [VatAmount(D("0.21"), D("100.00"), D("21.00"))])
    off_by_a_cent = Document(**{**{f: getattr(d, f) for f in d.__slots__}, "total_incl": D("121.01")})
    with pytest.raises(UnbalancedBooking, match="do not make the total 121.01"):
        build_booking(off_by_a_cent, MappingSettings(), TargetParty("p"))


def test_vat_stated_at_a_rate_without_lines_is_never_dropped_silently():
    d = doc([line(1, "100.00")], [VatAmount(D("0.21"), D("100.00"), D("21.00")), VatAmount(D("0.06"), D("0"), D("0.01"))])
    with pytest.raises(UnbalancedBooking):
        build_booking(d, MappingSettings(), TargetParty("p"))


def test_a_line_description_longer_than_a_booking_keeps_is_cut_with_a_warning(caplog):
    long_line = Line(1, "x" * 250, D("100.00"), D("0.21"), tax_rate_id="tr-21", ledger_account="700000")
    d = doc([long_line], [VatAmount(D("0.21"), D("100.00"), D("21.00"))])
    settings = MappingSettings(journals={"sales_invoice": "70"}, vat_links={("sales", "tr-21"): "1"})
    with caplog.at_level("WARNING"):
        booking = build_booking(d, settings, TargetParty("guid-1", "1024"))
    assert booking.lines[0].description == "x" * 100
    assert "Invoice 2026 / 17, line 1: the description has 250 characters, a booking line keeps 100" in caplog.text


def test_a_line_description_that_fits_is_kept_without_a_word(caplog):
    d = doc([line(1, "100.00")], [VatAmount(D("0.21"), D("100.00"), D("21.00"))])
    settings = MappingSettings(journals={"sales_invoice": "70"}, vat_links={("sales", "tr-21"): "1"})
    with caplog.at_level("WARNING"):
        assert build_booking(d, settings, TargetParty("guid-1", "1024")).lines[0].description == "line 1"
    assert caplog.text == ""
