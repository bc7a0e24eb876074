"""``/octopus-rest-api/v1`` paths -> operation, credential and handler.

The operation is the quota's, the request log's and the fault rules'
``endpoint`` name. ``GET relations`` is ``relations.search`` as soon as a
search parameter is given, else ``relations.list``. An unknown path is a
404, a known path with another method a 405 (both ErrorResults).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.responses import Response

from sandbox.octopus import balancings, bookings, login, openitems, reference, relations
from sandbox.octopus.context import Call
from sandbox.octopus.credentials import DOSSIER, LOGIN, OPEN, USER
from sandbox.octopus.errors import METHOD_NOT_ALLOWED, NOT_FOUND, OctopusError

BASE_PATH = "/octopus-rest-api/v1"

Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation: str
    access: str
    handler: Handler

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.path)


@dataclass(frozen=True)
class Route:
    operation: str
    access: str
    handler: Handler
    #: The dossier of a dossier-scoped path, and the path's other variable segments.
    dossier: int | None
    params: tuple[str, ...]


_D = r"dossiers/(\d+)"
ENDPOINTS = (
    Endpoint("POST", "authentication", "authentication", LOGIN, login.authenticate),
    Endpoint("GET", "authentication", "authentication.whoami", USER, login.whoami),
    Endpoint("GET", "dossiers", "dossiers.list", USER, login.dossiers),
    Endpoint("POST", "dossiers", "dossiers.token", USER, login.dossier_token),
    Endpoint("GET", "error", "error", OPEN, login.error_sample),
    Endpoint("GET", f"{_D}/bookyears", "bookyears", DOSSIER, reference.bookyears),
    Endpoint("GET", f"{_D}/bookyears/([^/]+)/journals", "journals", DOSSIER, reference.journals),
    Endpoint("GET", f"{_D}/accounts", "accounts", DOSSIER, reference.accounts),
    Endpoint("GET", f"{_D}/vatcodes", "vatcodes", DOSSIER, reference.vat_codes),
    Endpoint("GET", f"{_D}/relations", "relations.list", DOSSIER, relations.search),
    Endpoint("PUT", f"{_D}/relations", "relations.put", DOSSIER, relations.upsert),
    Endpoint("GET", f"{_D}/relations/modified", "relations.modified", DOSSIER, relations.modified),
    Endpoint("POST", f"{_D}/buysellbookings", "buysellbookings.post", DOSSIER, bookings.post),
    Endpoint("GET", f"{_D}/buysellbookings", "buysellbookings.get", DOSSIER, bookings.get),
    Endpoint("PUT", f"{_D}/buysellbookings", "buysellbookings.put", DOSSIER, bookings.put),
    Endpoint("GET", f"{_D}/buysellbookings/modified", "buysellbookings.modified", DOSSIER, bookings.modified),
    Endpoint("POST", f"{_D}/reports/(clients)/open", "reports.clients.open", DOSSIER, openitems.report),
    Endpoint("POST", f"{_D}/reports/(suppliers)/open", "reports.suppliers.open", DOSSIER, openitems.report),
    Endpoint("GET", f"{_D}/balancings/modified", "balancings.modified", DOSSIER, balancings.modified),
)


def route(method: str, path: str, query: Mapping[str, str]) -> Route:
    """The route of ``path`` (relative to ``BASE_PATH``); raises OctopusError 404/405."""
    path = path.strip("/")
    known_path = False
    for endpoint in ENDPOINTS:
        match = endpoint.pattern.fullmatch(path)
        if match is None:
            continue
        known_path = True
        if endpoint.method != method:
            continue
        groups = match.groups()
        dossier = int(groups[0]) if endpoint.access == DOSSIER else None
        operation = endpoint.operation
        if operation == "relations.list" and relations.is_search(query):
            operation = "relations.search"
        return Route(operation, endpoint.access, endpoint.handler, dossier,
                     groups[1:] if endpoint.access == DOSSIER else groups)
    if known_path:
        raise OctopusError(405, METHOD_NOT_ALLOWED, f"{method} is not supported on {BASE_PATH}/{path}")
    raise OctopusError(404, NOT_FOUND, f"No such resource: {BASE_PATH}/{path}")
