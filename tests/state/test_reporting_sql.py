"""The reporting SQL in include/sql runs on both state databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

QUERIES = sorted((Path(__file__).parents[2] / "include" / "sql").glob("*.sql"))


@pytest.mark.parametrize("path", [q for q in QUERIES if q.name != "docker-init.sql"], ids=lambda p: p.name)
def test_reporting_query_runs(engine, path):
    with engine.connect() as connection:
        connection.execute(text(path.read_text())).all()
