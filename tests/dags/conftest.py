from tests.state.conftest import state_url  # noqa: F401 - SQLite and PostgreSQL state databases
