"""What a web method gets: its parameters, the caller's grant, and lookups that check access.

An administration or domain id a session may not see answers the same
``soap:Server`` fault as one that does not exist (SILENT: the sandbox does
not tell a stranger which ids exist). Ids compare ignoring case, as .NET
GUIDs do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.state import ClientCredentials
from sandbox.yuki.quotas import local_day
from sandbox.yuki.sessions import Grant, Sessions
from sandbox.yuki.soap import SoapFault
from sandbox.yuki.store import ADMINISTRATION, DOMAIN, Doc, YukiStore


def same_id(left: str | None, right: str | None) -> bool:
    return left is not None and right is not None and left.strip().lower() == right.strip().lower()


@dataclass
class Call:
    store: YukiStore
    clock: Clock
    sessions: Sessions
    client: ClientCredentials
    operation: str
    params: dict[str, Any]
    #: Set by the gate's authentication step (None only for the two Authenticate operations' failures).
    grant: Grant | None = None

    def param(self, name: str) -> Any:
        return self.params[name]

    @property
    def today(self) -> str:
        return local_day(self.clock.now()).isoformat()

    def domain(self, domain_id: str | None = None) -> Doc:
        """The session's domain; a ``domainID`` parameter must name it."""
        assert self.grant is not None
        if domain_id is not None and not same_id(domain_id, self.grant.domain):
            raise SoapFault(f"Domain not found or not accessible: {domain_id}")
        found = self.store.doc(DOMAIN, self.grant.domain)
        assert found is not None
        return found

    def administrations(self) -> list[Doc]:
        """The administrations the session may use: its domain's, or the one its key is limited to."""
        assert self.grant is not None
        docs = self.store.docs(ADMINISTRATION, self.grant.domain)
        if self.grant.administration is not None:
            docs = [doc for doc in docs if same_id(doc["ID"], self.grant.administration)]
        return docs

    def administration(self, administration_id: str | None) -> Doc:
        found = next((doc for doc in self.administrations() if same_id(doc["ID"], administration_id)), None)
        if found is None:
            raise SoapFault(f"Administration not found or not accessible: {administration_id or ''}")
        return found
