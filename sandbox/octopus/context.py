"""What a handler gets: the request's parts, the caller and the dossier's books."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.octopus.books import Books
from sandbox.octopus.errors import invalid, missing
from sandbox.octopus.store import OctopusStore
from sandbox.octopus.tokens import SessionTokens
from sandbox.octopus.wire import parse_stamp


@dataclass(frozen=True)
class Identity:
    """The one Octopus user the sandbox knows, and the software house it logs in for."""

    user: str
    password: str
    software_house_uuid: str


@dataclass
class Call:
    store: OctopusStore
    clock: Clock
    tokens: SessionTokens
    identity: Identity
    headers: Mapping[str, str]
    query: Mapping[str, str]
    #: The parsed JSON body (None without one); ``body_valid`` is False when it was not JSON.
    body: Any
    body_valid: bool
    #: The path's dossier (dossier-scoped operations) and other path segments (book year id, report side).
    dossier: int | None = None
    path: tuple[str, ...] = ()
    #: The caller the gate identified (the user).
    user: str | None = None

    @property
    def books(self) -> Books:
        assert self.dossier is not None
        return Books(self.store, self.dossier)

    def param(self, name: str, *, required: bool = False) -> str | None:
        """A query parameter; an empty value counts as absent."""
        value = self.query.get(name) or None
        if value is None and required:
            raise missing(name)
        return value

    def int_param(self, name: str, *, required: bool = False) -> int | None:
        value = self.param(name, required=required)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise invalid(name, f"Parameter {name} must be an integer") from None

    def stamp_param(self, name: str = "modifiedTimeStamp") -> float:
        """A required Brussels-local ``yyyy-MM-dd HH:mm:ss.SSS`` parameter as epoch seconds."""
        text = self.param(name, required=True)
        assert text is not None
        try:
            return parse_stamp(text)
        except ValueError:
            raise invalid(name, f"Parameter {name} must look like yyyy-MM-dd HH:mm:ss.SSS") from None

    def json_object(self) -> dict[str, Any]:
        if not self.body_valid:
            raise invalid("body", "The request body is not valid JSON")
        if not isinstance(self.body, dict):
            raise invalid("body", "The request body must be a JSON object")
        return self.body


def ok(body: Any, status: int = 200) -> Response:
    return json_response(body, status)


def no_content() -> Response:
    return Response(status_code=204)

