"""Integration setup rules: names, the per-installation limit, statuses, the DAG snapshot, deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from connectors import integrations
from connectors.entities import read_entities
from connectors.state.db import session_scope
from connectors.state.models import DocumentRecord


@pytest.fixture(autouse=True)
def snapshot(tmp_path, monkeypatch):
    path = tmp_path / "entities.json"
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(path))
    return path


COMPLETE = integrations.Settings(
    administration="100001", start_date=dt.date(2026, 1, 1),
    journals={"sales_invoice": "70", "sales_credit_note": "71", "purchase_invoice": "60",
              "purchase_credit_note": "61"},
    vat_links={("sales", "tr-21"): "1"},
)


def add(engine, name="acme_be", department="dept-1", settings=None):
    return integrations.add(engine, name, department_id=department, target="exact_online",
                            settings=settings or integrations.Settings())


def test_a_new_integration_is_connecting_until_an_administration_is_chosen(engine):
    assert add(engine).status == "connecting"


def test_a_missing_journal_means_configuration_needed(engine):
    add(engine)
    partial = integrations.Settings(administration="100001", start_date=dt.date(2026, 1, 1),
                                    journals={"sales_invoice": "70"}, vat_links={("sales", "tr-21"): "1"})
    assert integrations.edit(engine, "acme_be", partial).status == "configuration_needed"


def test_complete_mappings_make_it_connected(engine):
    add(engine)
    assert integrations.edit(engine, "acme_be", COMPLETE).status == "connected"


def test_the_installation_links_at_most_four_entities_by_default(engine):
    for i in range(4):
        add(engine, f"entity_{i}", f"dept-{i}")
    with pytest.raises(integrations.IntegrationError, match=r"already links 4 entities, the maximum \(4\)"):
        add(engine, "entity_5", "dept-5")


def test_the_limit_is_configurable(engine, monkeypatch):
    monkeypatch.setenv("CONNECTOR_MAX_ENTITIES", "1")
    add(engine)
    with pytest.raises(integrations.IntegrationError, match="maximum"):
        add(engine, "other", "dept-2")


def test_a_department_is_linked_once(engine):
    add(engine)
    with pytest.raises(integrations.IntegrationError, match="linked already"):
        add(engine, "acme_again", "dept-1")


def test_entity_names_must_fit_a_dag_id(engine):
    with pytest.raises(integrations.IntegrationError, match="lower case"):
        add(engine, "Acme BE!")


def test_every_change_rewrites_the_dag_snapshot(engine, snapshot):
    add(engine)
    integrations.edit(engine, "acme_be", integrations.Settings(auto_sync=True, schedule="30 1 * * *"))
    [spec] = read_entities(snapshot)
    assert (spec.entity, spec.auto_sync, spec.schedule) == ("acme_be", True, "30 1 * * *")


def test_delete_removes_the_dag_but_keeps_the_booked_ledger(engine, snapshot):
    row = add(engine)
    with session_scope(engine) as session:
        session.add(DocumentRecord(integration_id=row.id, department_id="dept-1", target="exact_online",
                                   source_type="invoice", focus_id="inv-1", kind="sales_invoice", number="1",
                                   document_date=dt.date(2026, 1, 2), content_hash="h", payload={},
                                   state="booked"))
    integrations.delete(engine, "acme_be")
    assert read_entities(snapshot) == []
    with session_scope(engine) as session:
        assert session.scalars(select(DocumentRecord.state)).all() == ["booked"]


def test_an_administration_takes_one_department_only(engine, tmp_path, monkeypatch):
    """Review finding: two departments booking into one Exact division could create one customer twice."""
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "entities.json"))
    integrations.add(engine, "first", department_id="d1", target="exact_online",
                     settings=integrations.Settings(administration="100001"))
    with pytest.raises(integrations.IntegrationError, match="linked to 'first' already"):
        integrations.add(engine, "second", department_id="d2", target="exact_online",
                         settings=integrations.Settings(administration="100001"))
    integrations.add(engine, "third", department_id="d3", target="exact_online",
                     settings=integrations.Settings(administration="100002"))
    with pytest.raises(integrations.IntegrationError, match="one Focus department ↔ one administration"):
        integrations.edit(engine, "third", integrations.Settings(administration="100001"))
