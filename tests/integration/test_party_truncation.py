"""A party field the tool cannot hold whole is cut with a WARNING, never silently — against the sandboxes.

Exact Online and Octopus keep 100 characters of a name; a Focus company may
have 500. The warning names the party, the field, both lengths and what the
tool keeps, once per party write.
"""

from __future__ import annotations

import logging
import uuid

import pytest

from connectors.domain import Address, Party, PartyRef, PartyRole
from connectors.targets.exact_online import parties as exact_parties
from connectors.targets.octopus import parties as octopus_parties
from tests.integration.test_exact_target import connect as connect_exact
from tests.integration.test_octopus_target import DOSSIER
from tests.integration.test_octopus_target import connect as connect_octopus

LOGGERS = ("connectors.fitting", exact_parties.__name__, octopus_parties.__name__)


def long_named(length: int = 500, *roles: PartyRole) -> Party:
    stem = f"Very long company name {uuid.uuid4().hex[:8]} "
    name = (stem * (length // len(stem) + 1))[:length]
    return Party(PartyRef("company", str(uuid.uuid4())), name, address=Address("Kerkstraat 1", "9000", "Gent", "BE"),
                 roles=frozenset(roles or {PartyRole.CUSTOMER}))


def cut_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name in LOGGERS and r.levelno == logging.WARNING
            and " characters, " in r.getMessage()]


@pytest.fixture
def exact_target(exact):
    return connect_exact(exact)


@pytest.fixture
def octopus_target(start_octopus_sandbox):
    sandbox = start_octopus_sandbox()
    return sandbox, connect_octopus(sandbox)


def test_exact_online_books_the_first_100_characters_and_says_so(exact_target, caplog):
    party = long_named(500)
    caplog.set_level(logging.WARNING)
    created = exact_target.create_party(party)
    [record] = cut_warnings(caplog)
    message = record.getMessage()
    kept = party.name[:100]
    assert message.startswith(f"Customer {party.name[:60]!r}…")
    assert f"(Focus company {party.ref.id})" in message
    assert "name has 500 characters, Exact Online keeps 100" in message
    assert message.endswith(f"booked as {kept!r}")
    [stored] = [row["Name"] for row in exact_target.api.list("crm/Accounts", {"$select": "ID,Name"})
                if row["ID"] == created.id]
    assert stored == kept
    # Found again by its (cut) name, and an update warns once more (one warning per write), not twice.
    assert exact_target.find_party(party, None, fresh=True) == created
    caplog.clear()
    exact_target.update_party(created, party)
    assert len(cut_warnings(caplog)) == 1


def test_exact_online_says_nothing_when_everything_fits(exact_target, caplog):
    caplog.set_level(logging.WARNING)
    exact_target.create_party(long_named(100))
    assert cut_warnings(caplog) == []


def test_octopus_books_the_first_100_characters_and_says_so(octopus_target, caplog):
    sandbox, target = octopus_target
    party = long_named(250, PartyRole.CUSTOMER, PartyRole.SUPPLIER)
    caplog.set_level(logging.WARNING)
    created = target.create_party(party)
    [record] = cut_warnings(caplog)
    message = record.getMessage()
    kept = party.name[:100]
    assert message.startswith(f"Customer and supplier {party.name[:60]!r}…")
    assert f"(Focus company {party.ref.id})" in message
    assert "name has 250 characters, Octopus keeps 100" in message
    assert message.endswith(f"booked as {kept!r}")
    [relation] = [r for r in sandbox.admin("GET", f"relations?dossier={DOSSIER}").json()["data"]
                  if str(r["relationIdentificationServiceData"]["relationKey"]["id"]) == created.id]
    assert relation["name"] == kept
    caplog.clear()
    target.update_party(created, party)
    assert len(cut_warnings(caplog)) == 1


def test_octopus_says_nothing_when_everything_fits(octopus_target, caplog):
    _, target = octopus_target
    caplog.set_level(logging.WARNING)
    target.create_party(long_named(100))
    assert cut_warnings(caplog) == []
