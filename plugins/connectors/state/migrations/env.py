"""Alembic environment: runs on the connection handed over by ``connectors.state.db.migrate``."""

from alembic import context
from sqlalchemy import create_engine

from connectors.state.db import database_url
from connectors.state.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=conn.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # the alembic command line: `alembic -c ... revision --autogenerate`
    with create_engine(config.get_main_option("sqlalchemy.url") or database_url()).connect() as conn:
        run(conn)
        conn.commit()
