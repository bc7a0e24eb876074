"""``focus-connector notifications on|off|list|feed`` through the command line's entry point."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors import integrations
from connectors.cli.common import state_engine
from connectors.payments import notifications
from tests.notifications import ENTITY, T0, add_payment

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def acme(install) -> int:
    return integrations.add(state_engine(), ENTITY, department_id="dept-1", target="exact_online",
                            settings=integrations.Settings(department_name="Acme BE")).id


def assert_one_line_refusal(result, fragment: str) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.err + result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), lines[0]
    assert fragment in lines[0], lines[0]


def test_on_subscribes_the_address_and_says_which_connection_mails(acme, run_cli):
    result = run_cli("notifications", "on", "--integration", ENTITY, "--email", "Anna@ACME.be")
    assert result.code == 0, result.err
    assert result.out == ("Anna@acme.be gets a digest of acme_be's new invoice payments after each run (mail "
                          "through Airflow connection smtp_default)\n")


def test_on_with_an_smtp_connection_makes_it_the_integrations(acme, run_cli):
    result = run_cli("notifications", "on", "--integration", ENTITY, "--email", "anna@acme.be",
                     "--smtp-connection", "smtp_acme")
    assert "(mail through Airflow connection smtp_acme)" in result.out
    assert integrations.get(state_engine(), ENTITY).smtp_conn_id == "smtp_acme"


def test_on_twice_says_the_address_is_subscribed_already(acme, run_cli):
    notifications.subscribe(state_engine(), ENTITY, "anna@acme.be", now=T0)
    result = run_cli("notifications", "on", "--integration", ENTITY, "--email", "anna@acme.be")
    assert result.code == 0, result.err
    assert result.out == ("anna@acme.be gets acme_be's payment digests already (since 2026-11-30 08:00 UTC; mail "
                          "through Airflow connection smtp_default)\n")


def test_on_turns_the_integrations_payment_notifications_on(acme, run_cli):
    run_cli("notifications", "on", "--integration", ENTITY, "--email", "anna@acme.be")
    assert "payment notifications  on" in run_cli("integrations", "show", ENTITY).out


def test_off_of_the_last_subscriber_says_notifications_are_off(acme, run_cli):
    notifications.subscribe(state_engine(), ENTITY, "anna@acme.be")
    result = run_cli("notifications", "off", "--integration", ENTITY, "--email", "anna@acme.be")
    assert result.code == 0, result.err
    assert result.out == ("anna@acme.be no longer gets acme_be's payment digests; nobody does now, so payment "
                          "notifications of acme_be are off\n")


def test_off_of_one_subscriber_leaves_the_others(acme, run_cli):
    notifications.subscribe(state_engine(), ENTITY, "anna@acme.be")
    notifications.subscribe(state_engine(), ENTITY, "bert@acme.be")
    result = run_cli("notifications", "off", "--integration", ENTITY, "--email", "anna@acme.be")
    assert result.out == "anna@acme.be no longer gets acme_be's payment digests\n"


def test_off_for_an_address_that_is_not_subscribed_is_refused_in_one_line(acme, run_cli):
    result = run_cli("notifications", "off", "--integration", ENTITY, "--email", "anna@acme.be")
    assert_one_line_refusal(result, "anna@acme.be is not subscribed to acme_be's payment notifications")


def test_list_shows_each_subscriber_since_when_and_what_waits(acme, run_cli):
    engine = state_engine()
    notifications.subscribe(engine, ENTITY, "anna@acme.be", now=T0)
    notifications.subscribe(engine, ENTITY, "bert.janssens@acme.be", now=T0 + 2 * HOUR)
    add_payment(engine, acme, number="2026 / 17", customer="Brewery NV", amount="121.00", created_at=T0 + HOUR)
    result = run_cli("notifications", "list", "--integration", ENTITY)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "acme_be: payment notifications on, mail through Airflow connection smtp_default",
        "  anna@acme.be           since 2026-11-30 08:00 UTC  1 payment(s) wait for the next digest",
        "  bert.janssens@acme.be  since 2026-11-30 10:00 UTC  nothing waiting",
    ]


def test_list_without_subscribers_says_how_to_subscribe(acme, run_cli):
    result = run_cli("notifications", "list", "--integration", ENTITY)
    assert result.out == ("acme_be: nobody gets payment digests (`focus-connector notifications on --integration "
                          "acme_be --email ADDRESS` subscribes someone)\n")


def test_feed_lists_payments_newest_first_with_exact_amounts(acme, run_cli):
    engine = state_engine()
    add_payment(engine, acme, number="2026 / 17", customer="Brewery NV", amount="121.00", created_at=T0)
    add_payment(engine, acme, number="2026 / 18", customer="Bakery BV", amount="0.10", in_full=False,
                paid_at=dt.date(2026, 11, 29), created_at=T0 + HOUR)
    result = run_cli("notifications", "feed", "--integration", ENTITY)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "acme_be: the newest 2 invoice payment(s)",
        "  2026-11-30 09:00 UTC  2026 / 18 · Bakery BV · 0.10 EUR · 2026-11-29 · partly paid",
        "  2026-11-30 08:00 UTC  2026 / 17 · Brewery NV · 121.00 EUR · 2026-11-28 · paid in full",
    ]


def test_feed_with_a_limit_shows_the_newest_and_how_to_see_more(acme, run_cli):
    engine = state_engine()
    for n in range(3):
        add_payment(engine, acme, number=f"2026 / {n + 1}", customer="Brewery NV", amount="10.00",
                    created_at=T0 + n * HOUR)
    result = run_cli("notifications", "feed", "--integration", ENTITY, "--limit", "1")
    assert result.out.splitlines() == [
        "acme_be: the newest 1 invoice payment(s)",
        "  2026-11-30 10:00 UTC  2026 / 3 · Brewery NV · 10.00 EUR · 2026-11-28 · paid in full",
        "  (older ones: --limit 2)",
    ]


def test_an_empty_feed_says_so(acme, run_cli):
    assert run_cli("notifications", "feed", "--integration", ENTITY).out == (
        "acme_be: no invoice payments in the feed yet\n")


def test_a_malformed_address_is_refused_in_one_line(acme, run_cli):
    result = run_cli("notifications", "on", "--integration", ENTITY, "--email", "anna@acme")
    assert_one_line_refusal(result, "'anna@acme' is not a usable e-mail address: the domain 'acme' has no dot")


def test_the_installed_command_refuses_a_malformed_address_without_a_traceback(acme, run_binary):
    result = run_binary("notifications", "on", "--integration", ENTITY, "--email", "anna@@acme.be")
    assert_one_line_refusal(result, "'anna@@acme.be' is not a usable e-mail address: it has 2 @ signs")


UNKNOWN = {
    "on": ["on", "--email", "anna@acme.be"],
    "off": ["off", "--email", "anna@acme.be"],
    "list": ["list"],
    "feed": ["feed"],
}


@pytest.mark.parametrize("argv", list(UNKNOWN.values()), ids=list(UNKNOWN))
def test_an_unknown_integration_is_refused_naming_how_to_list_them(acme, run_cli, argv):
    result = run_cli("notifications", *argv, "--integration", "nope")
    assert_one_line_refusal(result, "No integration called 'nope'; `focus-connector integrations list` shows them")
