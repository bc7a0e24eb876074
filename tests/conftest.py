"""Fixtures that start the local API sandboxes (real HTTP, separate processes).

- ``focus_sandbox`` (session): one Focus sandbox with the default demo data (30 invoices).
- ``focus``: that sandbox with faults, clock, limits, rate windows and the request log reset
  for the test. Data is *not* reseeded (too slow per test): a test that changes data should
  use ``start_focus_sandbox`` instead.
- ``start_focus_sandbox``: ``start_focus_sandbox(**start_sandbox_kwargs) -> RunningSandbox``;
  everything it started is stopped at teardown.
- ``exact_sandbox`` (session), ``exact`` and ``start_exact_sandbox``: the same three for the
  Exact Online sandbox (``--country be``: divisions 100001 and 100002, 10 + 3 accounts).
- ``exact_api``: ``ExactApi`` on ``exact``, a bare caller with a minted token for testing the
  sandbox itself (no production client involved).
- ``octopus_sandbox`` (session), ``octopus`` and ``start_octopus_sandbox``: the same three for the
  Octopus sandbox (dossiers 8001, 8002 and the disabled 8003). ``octopus`` also empties today's quota
  counters, so every test starts with the full daily quotas.
- ``octopus_api``: ``OctopusApi`` on ``octopus``, a bare caller with minted user and dossier tokens
  for dossier 8001.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

# For its side effect: importing Airflow replaces the root logger's handlers, caplog's among them. Collecting the
# whole suite imports it anyway; importing it here means no test is ever the first to, whatever runs where (seen:
# test_dagbag.py's broken-entity test on a pytest-xdist worker that had not imported Airflow yet, or run alone).
import airflow  # noqa: F401
import httpx
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


@pytest.fixture(scope="session")
def exact_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox("exact_online", extra_args=["--country", "be"]) as sandbox:
        yield sandbox


@pytest.fixture
def exact(exact_sandbox: RunningSandbox) -> RunningSandbox:
    exact_sandbox.reset_runtime()
    return exact_sandbox


@pytest.fixture
def start_exact_sandbox() -> Iterator[Callable[..., RunningSandbox]]:
    with ExitStack() as stack:

        def start(**kwargs: Any) -> RunningSandbox:
            return stack.enter_context(start_sandbox("exact_online", **kwargs))

        yield start


class ExactApi:
    """Plain HTTP against an Exact Online sandbox: ``/api/v1/{division}/<path>`` with a minted token."""

    def __init__(self, sandbox: RunningSandbox, division: int = 100001) -> None:
        self.sandbox = sandbox
        self.division = division
        self.token = sandbox.mint_tokens()["access_token"]
        self.http = httpx.Client(timeout=30)

    def url(self, path: str) -> str:
        root = f"{self.sandbox.base_url}/api/v1"
        return f"{root}/{path}" if path.startswith("current/") else f"{root}/{self.division}/{path}"

    def request(self, method: str, path: str, params: Any = None, json: Any = None, *,
                token: str | None = None, accept: str = "application/json") -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}", "Accept": accept}
        url = path if path.startswith("http") else self.url(path)
        return self.http.request(method, url, params=params, json=json, headers=headers)

    def get(self, path: str, params: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, params, **kwargs)

    def post(self, path: str, json: Any, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def results(self, path: str, params: Any = None) -> list[dict[str, Any]]:
        """Every row of a collection, following ``__next``."""
        rows: list[dict[str, Any]] = []
        url: str | None = path
        while url is not None:
            response = self.get(url, params if url == path else None)
            assert response.status_code == 200, response.text
            rows += response.json()["d"]["results"]
            url = response.json()["d"].get("__next")
        return rows

    def master(self, path: str, code: str) -> dict[str, Any]:
        """The row of a master (GL account, VAT code, journal) by its code."""
        rows = self.results(path, {"$select": "ID,Code", "$filter": f"Code eq '{code}'"})
        assert len(rows) == 1, rows
        return rows[0]


@pytest.fixture
def exact_api(exact: RunningSandbox) -> Iterator[ExactApi]:
    api = ExactApi(exact)
    yield api
    api.http.close()


@pytest.fixture(scope="session")
def octopus_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox("octopus") as sandbox:
        yield sandbox


@pytest.fixture
def octopus(octopus_sandbox: RunningSandbox) -> RunningSandbox:
    octopus_sandbox.reset_runtime()
    return octopus_sandbox


@pytest.fixture
def start_octopus_sandbox() -> Iterator[Callable[..., RunningSandbox]]:
    with ExitStack() as stack:

        def start(**kwargs: Any) -> RunningSandbox:
            return stack.enter_context(start_sandbox("octopus", **kwargs))

        yield start


#: The sandbox's default ``softwareHouseUuid`` (``--software-house-uuid``).
OCTOPUS_SOFTWARE_HOUSE_UUID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"


class OctopusApi:
    """Plain HTTP against an Octopus sandbox with minted tokens: a path without a leading ``/`` is
    relative to ``/dossiers/{dossier}/`` and sent with the ``dossierToken`` header; one with it is
    relative to the API root and sent with the user ``Token``."""

    def __init__(self, sandbox: RunningSandbox, dossier: int = 8001) -> None:
        self.sandbox = sandbox
        self.dossier = dossier
        tokens = sandbox.mint_tokens(dossier=dossier)
        self.token, self.dossier_token = tokens["token"], tokens["dossierToken"]
        self.http = httpx.Client(base_url=f"{sandbox.base_url}/octopus-rest-api/v1", timeout=30)

    def request(self, method: str, path: str, params: Any = None, json: Any = None, *,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> httpx.Response:
        if path.startswith("/"):
            url, default = path, {"Token": self.token}
        else:
            url, default = f"/dossiers/{self.dossier}/{path}", {"dossierToken": self.dossier_token}
        return self.http.request(method, url, params=params, json=json,
                                 headers=default if headers is None else headers,
                                 timeout=timeout if timeout is not None else 30)

    def get(self, path: str, params: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, params, **kwargs)

    def post(self, path: str, json: Any = None, params: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, params, json, **kwargs)

    def put(self, path: str, json: Any, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def data(self, path: str, params: Any = None) -> Any:
        """The JSON of a GET that must answer 200."""
        response = self.get(path, params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def octopus_api(octopus: RunningSandbox) -> Iterator[OctopusApi]:
    api = OctopusApi(octopus)
    yield api
    api.http.close()
