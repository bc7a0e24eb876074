"""The CLI and the DAG file find the entities snapshot from configuration, not from where the package lives."""

from __future__ import annotations

from pathlib import Path

from connectors import entities


def test_the_entities_file_setting_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "snap.json"))
    monkeypatch.setenv("CONNECTOR_INCLUDE_DIR", str(tmp_path / "inc"))
    assert entities.entities_file() == tmp_path / "snap.json"


def test_the_include_dir_setting_holds_the_snapshot(monkeypatch, tmp_path):
    monkeypatch.delenv("CONNECTOR_ENTITIES_FILE", raising=False)
    monkeypatch.setenv("CONNECTOR_INCLUDE_DIR", str(tmp_path / "inc"))
    assert entities.entities_file() == tmp_path / "inc" / "entities.json"


def test_an_installed_package_without_a_source_tree_uses_airflow_home(monkeypatch, tmp_path):
    monkeypatch.delenv("CONNECTOR_ENTITIES_FILE", raising=False)
    monkeypatch.delenv("CONNECTOR_INCLUDE_DIR", raising=False)
    monkeypatch.setattr(entities, "SOURCE_INCLUDE", tmp_path / "site-packages-has-no-include")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    assert entities.entities_file() == tmp_path / "airflow" / "include" / "entities.json"


def test_a_checkout_uses_its_own_include_folder(monkeypatch):
    monkeypatch.delenv("CONNECTOR_ENTITIES_FILE", raising=False)
    monkeypatch.delenv("CONNECTOR_INCLUDE_DIR", raising=False)
    assert entities.entities_file() == Path(__file__).resolve().parents[2] / "include" / "entities.json"
