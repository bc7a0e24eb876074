"""Fixtures that start the local API sandboxes (real HTTP, separate processes).

- ``focus_sandbox`` (session): one Focus sandbox with the default demo data (30 invoices).
- ``focus``: that sandbox with faults, clock, limits, rate windows and the request log reset
  for the test. Data is *not* reseeded (too slow per test): a test that changes data should
  use ``start_focus_sandbox`` instead.
- ``start_focus_sandbox``: ``start_focus_sandbox(**start_sandbox_kwargs) -> RunningSandbox``;
  everything it started is stopped at teardown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sandbox.runner import RunningSandbox, start_sandbox  # noqa: E402 - needs the path above


@pytest.fixture(scope="session")
def focus_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox("focus", invoices=30) as sandbox:
        yield sandbox


@pytest.fixture
def focus(focus_sandbox: RunningSandbox) -> RunningSandbox:
    focus_sandbox.reset_runtime()
    return focus_sandbox


@pytest.fixture
def start_focus_sandbox() -> Iterator[Callable[..., RunningSandbox]]:
    with ExitStack() as stack:

        def start(**kwargs: Any) -> RunningSandbox:
            return stack.enter_context(start_sandbox("focus", **kwargs))

        yield start
