"""The generic CSV writer's guard against spreadsheet formula injection (OWASP, CSV injection): a text value
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` in front; numbers the
writer formats itself never do."""

from __future__ import annotations

import dataclasses

import pytest

from connectors.domain import Address, LineKind, PartyRef
from connectors.exports.records import ExportCustomer
from connectors.exports.writers.generic_csv import neutralise
from tests.exports.test_generic_csv_writer import batch_of, document, line, rows, vat, write

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


# -- the function ----------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", TRIGGERS, ids=["equals", "plus", "minus", "at", "tab", "carriage_return"])
def test_each_trigger_character_at_the_start_is_prefixed_with_a_quote(trigger):
    assert neutralise(trigger + "1+1") == "'" + trigger + "1+1"


@pytest.mark.parametrize("trigger", TRIGGERS, ids=["equals", "plus", "minus", "at", "tab", "carriage_return"])
def test_a_lone_trigger_character_is_neutralised(trigger):
    assert neutralise(trigger) == "'" + trigger


def test_the_rest_of_a_neutralised_value_is_kept_as_is():
    value = '=HYPERLINK("http://x","y")'

    assert neutralise(value) == "'" + value
    assert neutralise(value)[1:] == value


@pytest.mark.parametrize("trigger", TRIGGERS, ids=["equals", "plus", "minus", "at", "tab", "carriage_return"])
def test_trigger_characters_elsewhere_are_left_alone(trigger):
    value = f"Jan{trigger}Piet {trigger}end{trigger}"

    assert neutralise(value) == value


@pytest.mark.parametrize("value", ["Brasserie Éléphant", "2026 / 17", "BE0123456749", " =leading space", "'"])
def test_values_without_a_trigger_at_the_start_are_left_alone(value):
    assert neutralise(value) == value


def test_empty_string_stays_empty():
    assert neutralise("") == ""


def test_value_already_starting_with_a_quote_is_left_as_is_not_escaped_twice():
    # A leading quote is no formula trigger: the value is safe as it stands, and the guard is idempotent.
    assert neutralise("'=1+1") == "'=1+1"
    assert neutralise(neutralise("=1+1")) == neutralise("=1+1") == "'=1+1"


# -- in the files ----------------------------------------------------------------------------------


def test_customer_named_hyperlink_formula_is_written_neutralised(tmp_path):
    name = '=HYPERLINK("http://x","y")'
    evil = ExportCustomer(ref=PartyRef("company", "c-evil"), name=name)
    doc = document("2026 / 1", [line(1, "100.00", "0.21")], [vat("0.21", "100.00", "21.00")], customer=evil)
    files = write(batch_of([doc]), tmp_path)

    assert rows(files["documents"])[0]["customer_name"] == "'" + name
    assert rows(files["customers"])[0]["name"] == "'" + name


def test_line_description_at_sum_is_written_neutralised(tmp_path):
    doc = document("2026 / 1", [line(1, "100.00", "0.21", description="@SUM(A1)")], [vat("0.21", "100.00", "21.00")])
    (row,) = rows(write(batch_of([doc]), tmp_path)["lines"])

    assert row["description"] == "'@SUM(A1)"


def test_tab_and_carriage_return_at_the_start_survive_quoting_and_are_neutralised(tmp_path):
    doc = document(
        "2026 / 1",
        [line(1, "50.00", "0.21", description="\t=cmd"), line(2, "50.00", "0.21", description="\r\n=cmd")],
        [vat("0.21", "100.00", "21.00")],
    )
    got = [r["description"] for r in rows(write(batch_of([doc]), tmp_path)["lines"])]

    assert got == ["'\t=cmd", "'\r\n=cmd"]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_negative_amounts_written_as_numbers_are_not_prefixed(tmp_path, delimiter):
    doc = document(
        "2026 / 1",
        [line(1, "112.50", "0.21"), line(2, "-12.50", "0.21", kind=LineKind.DISCOUNT, quantity="-1", unit_price="12.5")],
        [vat("0.21", "100.00", "21.00")],
    )
    (item, discount) = rows(write(batch_of([doc], delimiter=delimiter), tmp_path)["lines"], delimiter)

    assert discount["amount_excl"] == "-12.50"
    assert discount["quantity"] == "-1"
    assert discount["vat_amount"].startswith("-")
    assert discount["amount_incl"].startswith("-")
    assert "'" not in "".join(item.values()) + "".join(discount.values())


def test_text_that_looks_like_a_negative_number_is_neutralised(tmp_path):
    # A payment reference is text from Focus, not a number the writer formats: the guard applies.
    doc = document("2026 / 1", [line(1, "100.00", "0.21")], [vat("0.21", "100.00", "21.00")],
                   payment_reference="-12.50")
    (row,) = rows(write(batch_of([doc]), tmp_path)["documents"])

    assert row["payment_reference"] == "'-12.50"


def test_none_cells_stay_empty(tmp_path):
    bare = ExportCustomer(ref=PartyRef("contact", "p-1"), name="Bare")
    doc = document("2026 / 1", [line(1, "100.00", "0.21")], [vat("0.21", "100.00", "21.00")], customer=bare)
    files = write(batch_of([doc]), tmp_path)

    customer = rows(files["customers"])[0]
    assert [v for k, v in customer.items() if k not in ("name", "is_person", "focus_type", "focus_id")] == [""] * 12
    document_row = rows(files["documents"])[0]
    assert document_row["due_date"] == document_row["payable"] == document_row["payment_reference"] == ""


def test_every_text_column_is_guarded_and_no_number_or_date_column_is(tmp_path):
    """Every text field of the records starts with "="; every text cell must start with "'=", and the cells
    the writer formats from numbers, dates and flags must not start with a quote."""
    evil = ExportCustomer(
        ref=PartyRef("=company", "=c-1"), name="=n", number="=C1", vat_number="=BE1", national_id="=0123",
        email="=e", phone="+32 2 123 45 67", address=Address("=street", "=9000", "=Gent", "=BE"),
        iban="=IBAN", bic="=BIC", language="=nl",
    )
    ln = dataclasses.replace(line(1, "100.00", "0.21", description="=d", quantity="1", unit_price="100"),
                             vat_category="=S", ledger_account="=700000", exemption_code="=VATEX",
                             exemption_reason="=why")
    doc = dataclasses.replace(
        document("=2026 / 1", [ln], [vat("0.21", "100.00", "21.00")], customer=evil),
        source_id="=focus", source_type="=invoice", currency="=EUR", journal="=VK1",
        structured_communication="=+++", payment_reference="=ref", credited_number="=inv",
    )
    files = write(batch_of([doc]), tmp_path)

    numbers_and_dates = {
        "document_type", "date", "due_date", "total_excl", "total_vat", "total_incl", "payable",
        "credited_invoice_date", "from_negative_invoice", "document_date", "line", "kind", "quantity",
        "unit_price", "discount_percent", "amount_excl", "vat_rate", "vat_amount", "amount_incl", "is_person",
    }
    for kind in ("documents", "lines", "customers"):
        for column, value in rows(files[kind])[0].items():
            if column in numbers_and_dates:
                assert not value.startswith("'"), (kind, column, value)
            elif column == "phone":
                assert value == "'+32 2 123 45 67"
            else:
                assert value.startswith("'="), (kind, column, value)
