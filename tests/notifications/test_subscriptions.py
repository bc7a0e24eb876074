"""Who is told about new invoice payments, and the in-app feed, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.integrations import IntegrationError
from connectors.payments import notifications
from connectors.payments.notifications import InvalidEmail, NotSubscribed
from connectors.state.models import Integration
from connectors.state.payment_models import PaymentSubscription
from tests.notifications import ENTITY, T0, add_integration, add_payment
from tests.state import conftest as state_databases

#: The state database fixtures, on SQLite and PostgreSQL.
state_url, engine = state_databases.state_url, state_databases.engine
HOUR = dt.timedelta(hours=1)


def integration(engine) -> Integration:
    with Session(engine) as session:
        return session.scalars(select(Integration).where(Integration.entity == ENTITY)).one()


def stored_addresses(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(PaymentSubscription.email).order_by(PaymentSubscription.email)))


def test_an_address_is_stored_with_its_domain_in_lower_case(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "  Anna.Peeters@ACME.Be ")
    assert stored_addresses(engine) == ["Anna.Peeters@acme.be"]


MALFORMED = {
    "no at sign": ("anna.acme.be", "it has no @"),
    "two at signs": ("anna@@acme.be", "it has 2 @ signs instead of one"),
    "no domain": ("anna@", "no domain after the @"),
    "domain without a dot": ("anna@acme", "the domain 'acme' has no dot"),
    "a name and an address": ("Anna <anna@acme.be>", "give one bare address"),
    "two addresses": ("anna@acme.be,bert@acme.be", "give one bare address"),
    "double dot": ("anna..peeters@acme.be", "single dots between them"),
    "label starting with a hyphen": ("anna@-acme.be", "the domain '-acme.be' is not a valid domain name"),
}


@pytest.mark.parametrize("address, why", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_address_is_refused_naming_it_and_what_is_wrong(engine, address, why):
    add_integration(engine)
    with pytest.raises(InvalidEmail) as refused:
        notifications.subscribe(engine, ENTITY, address)
    assert f"{address!r} is not a usable e-mail address" in str(refused.value)
    assert why in str(refused.value)


def test_a_refused_address_is_not_stored(engine):
    add_integration(engine)
    with pytest.raises(InvalidEmail):
        notifications.subscribe(engine, ENTITY, "anna@acme")
    assert stored_addresses(engine) == []


def test_subscribing_twice_keeps_one_subscription_from_the_first_time(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "anna@acme.be", now=T0)
    again = notifications.subscribe(engine, ENTITY, "anna@ACME.BE", now=T0 + HOUR)
    assert (again.new, again.since) == (False, T0)
    assert stored_addresses(engine) == ["anna@acme.be"]


def test_a_subscriber_turns_payment_notifications_on(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "anna@acme.be")
    assert integration(engine).payment_notifications is True


def test_notifications_stay_on_while_one_subscriber_remains(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "anna@acme.be")
    notifications.subscribe(engine, ENTITY, "bert@acme.be")
    assert notifications.unsubscribe(engine, ENTITY, "anna@acme.be") == 1
    assert integration(engine).payment_notifications is True


def test_the_last_unsubscribe_turns_payment_notifications_off(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "anna@acme.be")
    assert notifications.unsubscribe(engine, ENTITY, "anna@acme.be") == 0
    assert integration(engine).payment_notifications is False


def test_unsubscribing_an_address_that_is_not_subscribed_is_refused(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "anna@acme.be")
    with pytest.raises(NotSubscribed, match=r"bert@acme\.be is not subscribed to acme_be's payment notifications"):
        notifications.unsubscribe(engine, ENTITY, "bert@acme.be")


def test_subscribing_with_an_smtp_connection_sets_the_integrations_connection(engine):
    add_integration(engine)
    notifications.subscribe(engine, ENTITY, "anna@acme.be", smtp_conn_id="smtp_acme")
    assert integration(engine).smtp_conn_id == "smtp_acme"


def test_an_smtp_connection_id_with_a_space_is_refused(engine):
    add_integration(engine)
    with pytest.raises(IntegrationError, match=r"'smtp acme' is not an Airflow connection id"):
        notifications.subscribe(engine, ENTITY, "anna@acme.be", smtp_conn_id="smtp acme")


def test_an_unknown_integration_is_refused_with_how_to_list_them(engine):
    with pytest.raises(IntegrationError, match=r"No integration called 'nope'; `focus-connector integrations list`"):
        notifications.subscribe(engine, "nope", "anna@acme.be")


def test_subscribers_are_listed_with_the_payments_waiting_for_them(engine):
    integration_id = add_integration(engine)
    notifications.subscribe(engine, ENTITY, "bert@acme.be", now=T0)
    notifications.subscribe(engine, ENTITY, "anna@acme.be", now=T0 + 2 * HOUR)
    add_payment(engine, integration_id, number="2026 / 17", customer="Brewery NV", amount="121.00",
                created_at=T0 + HOUR)
    add_payment(engine, integration_id, number="2026 / 18", customer="Bakery BV", amount="60.50",
                created_at=T0 + 3 * HOUR)
    listed = notifications.subscribers(engine, ENTITY)
    assert [(s.email, s.since, s.waiting) for s in listed] == [
        ("anna@acme.be", T0 + 2 * HOUR, 1), ("bert@acme.be", T0, 2)]


def test_the_feed_lists_payments_newest_first_with_exact_amounts(engine):
    integration_id = add_integration(engine)
    add_payment(engine, integration_id, number="2026 / 17", customer="Brewery NV", amount="121.00",
                created_at=T0)
    add_payment(engine, integration_id, number="2026 / 18", customer="Bakery BV", amount="0.10", in_full=False,
                paid_at=dt.date(2026, 11, 29), created_at=T0 + HOUR)
    assert [(i.number, i.customer, i.amount, i.paid_at, i.in_full) for i in notifications.feed(engine, ENTITY)] == [
        ("2026 / 18", "Bakery BV", Decimal("0.10"), dt.date(2026, 11, 29), False),
        ("2026 / 17", "Brewery NV", Decimal("121.00"), dt.date(2026, 11, 28), True)]


def test_the_feed_keeps_to_its_limit(engine):
    integration_id = add_integration(engine)
    for n in range(3):
        add_payment(engine, integration_id, number=f"2026 / {n + 1}", customer="Brewery NV", amount="10.00",
                    created_at=T0 + n * HOUR)
    assert [i.number for i in notifications.feed(engine, ENTITY, limit=2)] == ["2026 / 3", "2026 / 2"]


def test_the_feed_never_shows_expenses(engine):
    integration_id = add_integration(engine)
    add_payment(engine, integration_id, number="IN-44", customer="Supplier NV", amount="50.00", created_at=T0,
                kind="purchase_invoice")
    assert notifications.feed(engine, ENTITY) == []


def test_another_integrations_payments_are_not_in_the_feed(engine):
    add_integration(engine)
    other = add_integration(engine, entity="acme_nl")
    add_payment(engine, other, number="NL-1", customer="Bakkerij BV", amount="10.00", created_at=T0)
    assert notifications.feed(engine, ENTITY) == []
