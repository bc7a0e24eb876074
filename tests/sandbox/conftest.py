"""Helpers for testing the sandboxes themselves over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.runner import RunningSandbox, start_sandbox
from tests.conftest import ExactApi, OctopusApi
from tests.sandbox.support import Api


@pytest.fixture
def api(focus: RunningSandbox) -> Iterator[Api]:
    caller = Api(focus)
    yield caller
    caller.http.close()


@pytest.fixture(scope="module")
def own_focus() -> Iterator[RunningSandbox]:
    """A small sandbox of the test module's own, for tests that change data."""
    with start_sandbox("focus", invoices=12, seed=5) as sandbox:
        yield sandbox


@pytest.fixture
def own_api(own_focus: RunningSandbox) -> Iterator[Api]:
    own_focus.reset_runtime()
    caller = Api(own_focus)
    yield caller
    caller.http.close()


@pytest.fixture(scope="module")
def own_exact(request) -> Iterator[RunningSandbox]:
    """An Exact Online sandbox of the test module's own, for tests that book (seed: the module's ``EXACT_SEED``)."""
    with start_sandbox("exact_online", seed=getattr(request.module, "EXACT_SEED", 3)) as sandbox:
        yield sandbox


@pytest.fixture
def own_exact_api(own_exact: RunningSandbox) -> Iterator[ExactApi]:
    """A caller with a minted token on ``own_exact``, its runtime reset for each test (data stays)."""
    own_exact.reset_runtime()
    caller = ExactApi(own_exact)
    yield caller
    caller.http.close()


@pytest.fixture(scope="module")
def own_octopus(request) -> Iterator[RunningSandbox]:
    """An Octopus sandbox of the test module's own, for tests that write (seed: the module's ``OCTOPUS_SEED``)."""
    with start_sandbox("octopus", seed=getattr(request.module, "OCTOPUS_SEED", 5)) as sandbox:
        yield sandbox


@pytest.fixture
def own_octopus_api(own_octopus: RunningSandbox) -> Iterator[OctopusApi]:
    """A caller on ``own_octopus``, reseeded for each test (~20 ms)."""
    own_octopus.reset()
    caller = OctopusApi(own_octopus)
    yield caller
    caller.http.close()
