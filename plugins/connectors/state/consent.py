"""Integrations whose tool connection lost its tokens go back to "Connecting".

A refresh token the tool refused, or one spent by a refresh whose answer was
lost, cannot be repaired by the connector: a person has to consent again.
The status says so in ``integrations list``/``status`` until they do.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from connectors.state.db import write_transaction
from connectors.state.models import Integration, IntegrationStatus

_table = Integration.__table__


def mark_connecting(engine: Engine, connection_id: str) -> list[str]:
    """Set every integration using ``connection_id`` to "connecting"; returns their entity names."""
    with write_transaction(engine) as connection:
        entities = list(connection.execute(
            select(_table.c.entity).where(_table.c.target_connection_id == connection_id)
            .order_by(_table.c.entity)).scalars())
        if entities:
            connection.execute(update(_table).where(_table.c.target_connection_id == connection_id)
                               .values(status=IntegrationStatus.CONNECTING.value))
    return entities
