"""A bare Focus API caller for testing the sandbox itself (no production client involved), and
exact JSON for amounts that a float cannot hold."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import simplejson

from sandbox.runner import RunningSandbox


class Api:
    """A bare Focus API caller with a freshly minted token (no production client involved)."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self.token = sandbox.mint_tokens()["access_token"]
        self.http = httpx.Client(timeout=30)

    def post(self, endpoint: str, body: Any = None, *, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.http.post(f"{self.sandbox.base_url}/{endpoint}", json=body or {}, headers=headers)

    def data(self, endpoint: str, body: Any = None) -> Any:
        """``data`` of a 200 reply, with amounts parsed as Decimal."""
        response = self.post(endpoint, body)
        assert response.status_code == 200, response.text
        return json.loads(response.text, parse_float=Decimal)["data"]

    def all(self, endpoint: str, body: dict[str, Any] | None = None, size: int = 100) -> list[dict[str, Any]]:
        """Every item of a paged list, walking pages until a short one."""
        items: list[dict[str, Any]] = []
        number = 1
        while True:
            page = self.data(endpoint, {**(body or {}), "page": {"size": size, "number": number}})
            items += page
            if len(page) < size:
                return items
            number += 1


def exact_text(body: Any) -> str:
    """JSON text in which a ``Decimal`` is a number literal with exactly its digits."""
    return simplejson.dumps(body, use_decimal=True)


def exact_json(response: httpx.Response) -> Any:
    """A response's JSON with every number that has a fraction parsed as ``Decimal``."""
    return json.loads(response.text, parse_float=Decimal)
