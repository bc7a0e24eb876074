"""``Authenticate`` and ``AuthenticateClient``: a session id for an access key (and API client).

The gate's authentication step has already checked the key (and client
credentials) and charged the call to the key's domain; the web method opens
the session. Faults (SILENT beyond "Invalid access key", which clients match
on): "Invalid access key" for an unknown or empty key, "Invalid client ID or
client secret" for ``AuthenticateClient`` with a valid key but the wrong
client; both ``soap:Server``, HTTP 500, not counted against any domain.
"""

from __future__ import annotations

import hmac

from sandbox.yuki.context import Call
from sandbox.yuki.sessions import Grant, Sessions
from sandbox.yuki.soap import SoapFault

INVALID_KEY = "Invalid access key"
INVALID_CLIENT = "Invalid client ID or client secret"


def key_grant(sessions: Sessions, access_key: str | None) -> Grant:
    grant = sessions.key_grant(access_key)
    if grant is None:
        raise SoapFault(INVALID_KEY)
    return grant


def client_grant(sessions: Sessions, access_key: str | None, client_id: str | None, client_secret: str | None,
                 expected: tuple[str, str]) -> Grant:
    grant = key_grant(sessions, access_key)
    given = (client_id or "", client_secret or "")
    if not (hmac.compare_digest(given[0], expected[0]) and hmac.compare_digest(given[1], expected[1])):
        raise SoapFault(INVALID_CLIENT)
    return Grant(grant.domain, grant.administration, client=True)


def authenticate(call: Call) -> str:
    assert call.grant is not None
    return call.sessions.open(call.grant)
