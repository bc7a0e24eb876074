"""The fault campaign uses the contract suite's entity (every tool, both databases)."""

from tests.contract.conftest import (  # noqa: F401 - fixtures
    be_department,
    engine,
    entity_env,
    state_url,
    tool,
    tool_sandbox,
)
