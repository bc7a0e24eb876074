"""The booked worlds the payment tests share, one per tool and state database (``conftest.payments_world``).

Kept in a plain module so the fixtures and the tests' helpers see the same registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.sync.run import Env
from sandbox.runner import RunningSandbox
from tests.contract.tools import ToolHarness


@dataclass
class PaymentsWorld:
    """A Focus of its own (payments change its documents), the tool's sandbox, and an entity a first run booked.
    Tests take documents no other test of the module touched."""

    tool: ToolHarness
    tool_sandbox: RunningSandbox
    focus: RunningSandbox
    env: Env
    taken: set[str] = field(default_factory=set)


#: The booked world of an entity, by ``id`` of its Env: where test helpers find its Focus and what was taken.
WORLD_OF: dict[int, PaymentsWorld] = {}
