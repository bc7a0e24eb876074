from tests.state.conftest import engine, state_url  # noqa: F401
