"""Who is calling: the gate's authentication step for each kind of operation.

``Authenticate`` is charged to the domain of its access key,
``AuthenticateClient`` likewise once the API client credentials match, every
other operation to the domain of its live session (renewed by the call). A
refusal raises the operation's ``soap:Server`` fault and is not counted:
"Invalid access key", "Invalid client ID or client secret", or, for an
unknown or lapsed session, "Invalid session: ..." (SILENT; clients recognise
it by that prefix and authenticate again).
"""

from __future__ import annotations

from starlette.requests import Request

from sandbox.common.gate import Authenticate
from sandbox.yuki import login
from sandbox.yuki.catalog import CLIENT, KEY, Operation
from sandbox.yuki.context import Call
from sandbox.yuki.policy import INVALID_SESSION
from sandbox.yuki.soap import SoapFault

SESSION_FAULT = f"{INVALID_SESSION}: the session ID is unknown or has expired. Call Authenticate to get a new one."


def authenticator(op: Operation, call: Call) -> Authenticate:
    def identify(_: Request) -> str:
        params = call.params
        if op.access == KEY:
            call.grant = login.key_grant(call.sessions, params["accessKey"])
        elif op.access == CLIENT:
            expected = (call.client.client_id, call.client.client_secret)
            call.grant = login.client_grant(call.sessions, params["accessKey"], params["clientID"],
                                            params["clientSecret"], expected)
        else:
            call.grant = call.sessions.use(params[op.session_param])
            if call.grant is None:
                raise SoapFault(SESSION_FAULT)
        return call.grant.domain

    return identify
