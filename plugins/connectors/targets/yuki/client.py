"""Yuki's SOAP services through zeep: sessions, the daily cap, faults, lost answers.

zeep builds each request from Yuki's own WSDL (operation names, parameter
casing — ``sessionID`` on most operations, ``sessionId`` on the invoice
imports, ``domainID`` on contacts — element order, ``SOAPAction``); the
answer's ``<OperationResult>`` is read with lxml, so amounts stay text until
they become ``Decimal`` and a result Yuki sends as escaped XML text reads the
same as one sent as elements.

Every call is counted against the daily cap before it is sent (``cap``). A
session (``Authenticate(accessKey)``, or ``AuthenticateClient`` when the
connection has the client ID and secret the Purchase service needs) is kept
in the token store and shared by a run's tasks; a fault starting with
"Invalid session" means it lapsed: one new session, and the call once more.
Reads are repeated after a lost answer; a write whose answer is lost is
``AmbiguousWrite`` — never sent twice blindly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
import urllib3
import zeep
from lxml import etree
from zeep.transports import Transport

from connectors.oauth import AuthError, Token, TokenStore
from connectors.targets.base import AmbiguousWrite, TargetError
from connectors.targets.http import fence
from connectors.targets.yuki.cap import DailyCap
from connectors.targets.yuki.faults import RECONNECT_HINT, classify, fault_text, session_lapsed

BASE_URL = "https://api.yukiworks.be"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://www.theyukicompany.com/"
#: Yuki does not say how long an idle session lives; renewing after 15 minutes stays inside ASP.NET's default 20.
SESSION_TTL = 15 * 60.0
READ_ATTEMPTS = 3


class _Lapsed(Exception):
    pass


class _NotSent(Exception):
    """The connection failed before the request left: safe to send again."""


class _NoAnswer(Exception):
    """The request left, the answer did not come (timeout, broken connection, a 5xx that is no SOAP fault)."""


class YukiClient:
    def __init__(self, base_url: str, access_key: str, store: TokenStore, cap: DailyCap, *,
                 client_id: str | None = None, client_secret: str | None = None, timeout: float = 30.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 http: requests.Session | None = None):
        self.base = base_url.rstrip("/")
        self.cap = cap
        self._access_key = access_key
        self._client_id = client_id
        self._client_secret = client_secret
        self._timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self._transport = Transport(session=http or requests.Session(), timeout=timeout, operation_timeout=timeout)
        self._services: dict[str, zeep.Client] = {}
        self._store = store

    # -- sessions ---------------------------------------------------------------------------

    @property
    def purchase_enabled(self) -> bool:
        return bool(self._client_id and self._client_secret)

    def _marker(self) -> str:
        return f"yuki-session:{'client' if self.purchase_enabled else 'key'}"

    def _usable(self, token: Token | None) -> bool:
        return (token is not None and token.refresh_token == self._marker()
                and not token.expires_within(0, self._clock()))

    def session(self) -> str:
        token = self._store.load()
        return token.access_token if token is not None and self._usable(token) else self._renew(None)

    def _renew(self, stale: str | None) -> str:
        # Counted before the token store's lock is taken (on SQLite that lock is a write transaction): at worst
        # one call too many is counted when another task renewed the session meanwhile.
        self.cap.spend("Accounting.Authenticate")
        with self._store.lock():
            current = self._store.load()
            if current is not None and self._usable(current) and current.access_token != stale:
                return current.access_token  # another task renewed it meanwhile
            try:
                if self.purchase_enabled:
                    result = self._call_once("Accounting", "AuthenticateClient", False, counted=True,
                                             clientID=self._client_id, clientSecret=self._client_secret,
                                             accessKey=self._access_key)
                else:
                    result = self._call_once("Accounting", "Authenticate", False, counted=True,
                                             accessKey=self._access_key)
            except (_NotSent, _NoAnswer, _Lapsed) as exc:
                raise TargetError(f"Yuki authentication failed ({exc or type(exc).__name__}); the next run "
                                  "retries") from None
            session = (result.text or "").strip()
            if not session:
                raise AuthError(f"Yuki gave no session for the access key; {RECONNECT_HINT}")
            self._store.save(Token(session, self._marker(), self._clock() + SESSION_TTL))
            return session

    # -- calls ------------------------------------------------------------------------------

    def call(self, service: str, operation: str, *, write: bool = False, session_param: str = "sessionID",
             **params: Any) -> etree._Element:
        """The ``<OperationResult>`` element of one call (in a session)."""
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            session = self.session()
            try:
                return self._call_once(service, operation, write, **{session_param: session, **params})
            except _Lapsed:
                if renewed:
                    raise TargetError(f"Yuki {operation}: a new session lapsed at once; {RECONNECT_HINT}") from None
                self._renew(session)
                renewed = True
            except _NotSent as exc:
                if attempt >= READ_ATTEMPTS:
                    raise TargetError(f"Yuki {operation}: could not connect ({exc}); the next run retries") from None
                self._sleep(attempt)
            except _NoAnswer as exc:
                if write:
                    raise AmbiguousWrite(f"Yuki {operation}: {exc} after sending") from None
                if attempt >= READ_ATTEMPTS:
                    raise TargetError(f"Yuki {operation} did not answer ({exc}); the next run retries") from None
                self._sleep(attempt)

    def _call_once(self, service: str, operation: str, write: bool, *, counted: bool = False,
                   **params: Any) -> etree._Element:
        client = self._service(service)
        if write:
            fence(f"Yuki {operation}", self._timeout, self._clock)
        if not counted:
            self.cap.spend(f"{service}.{operation}")
        try:
            with client.settings(raw_response=True):
                response = getattr(client.service, operation)(**params)
        except requests.RequestException as exc:
            if _before_sending(exc):
                raise _NotSent(type(exc).__name__) from None
            raise _NoAnswer(type(exc).__name__) from None
        if response.status_code != 200:
            text = fault_text(response.content)
            if text is None:
                if response.status_code >= 500:
                    raise _NoAnswer(f"HTTP {response.status_code}")
                raise TargetError(f"Yuki {operation}: HTTP {response.status_code}")
            if session_lapsed(text):
                raise _Lapsed()
            raise classify(operation, text)
        return _result(response.content, operation)

    def _service(self, name: str) -> zeep.Client:
        if name not in self._services:
            try:
                self._services[name] = zeep.Client(f"{self.base}/ws/{name}.asmx?WSDL", transport=self._transport)
            except (requests.RequestException, zeep.exceptions.Error, etree.XMLSyntaxError) as exc:
                raise TargetError(f"Yuki's {name} service description (WSDL) could not be read "
                                  f"({type(exc).__name__}); the next run retries") from None
        return self._services[name]


def _before_sending(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _result(content: bytes, operation: str) -> etree._Element:
    """``<OperationResult>``; a result sent as escaped XML text is parsed into its element."""
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError:
        raise TargetError(f"Yuki {operation}: the answer is not XML") from None
    body = root.find(f"{{{SOAP_ENV}}}Body")
    response = body[0] if body is not None and len(body) else None
    result = response.find(f"{{{TNS}}}{operation}Result") if response is not None else None
    if result is None:
        result = etree.Element(f"{{{TNS}}}{operation}Result")  # an empty (nil) result
    if len(result) == 0 and (result.text or "").lstrip().startswith("<"):
        parsed = etree.fromstring(result.text.strip().encode())
        holder = etree.Element(result.tag)
        holder.append(parsed)
        return holder
    return result


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def child_text(element: etree._Element, name: str) -> str | None:
    """The text of the first child with this local name (namespaces vary between Yuki's answers)."""
    for child in element:
        if isinstance(child.tag, str) and local(child) == name:
            return (child.text or "").strip()
    return None


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element.iter() if isinstance(c.tag, str) and local(c) == name and c is not element]
