"""Exact Online behind the target contract: REST/OData v2, per-country hosts.

Protocol facts this module handles (apis.md §2): 10-minute access tokens with
``expires_in`` as a string, refreshes refused before 9m30s, rotating
single-use refresh tokens; ``Accept: application/json``; ``{"d": {"results":
[...], "__next": ...}}`` paging at 60 rows; ``/Date(ms)/``; padded account
codes; 60 calls a minute and 5,000 a day per division, announced in
``X-RateLimit-*`` and ``X-RateLimit-Minutely-*`` headers (epoch ms); errors as
``{"error": {"message": {"value": ...}}}``.

Credit notes go with positive lines and Type 21/31 (the type makes them a
credit; the sign convention is SILENT in Exact's docs, see sandbox/README.md).

Exactly-once: every entry carries the connector's reference in ``YourRef``;
``find_booking`` filters on it. A POST that times out (or answers 5xx) raises
``AmbiguousWrite`` and is never retried blindly.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from connectors.connections import ConnectionInfo
from connectors.domain import DocumentKind, Party, PartyRole
from connectors.oauth import AuthError, Token, TokenManager, TokenStore
from connectors.targets.base import (
    AccountInfo,
    Administration,
    AmbiguousWrite,
    Booking,
    BookingRef,
    DocumentRefused,
    JournalInfo,
    MasterData,
    OpenItem,
    TargetContext,
    TargetError,
    TargetParty,
    VatCodeInfo,
)

log = logging.getLogger(__name__)

HOSTS = {
    "nl": "https://start.exactonline.nl",
    "be": "https://start.exactonline.be",
    "de": "https://start.exactonline.de",
    "uk": "https://start.exactonline.co.uk",
    "us": "https://start.exactonline.com",
    "es": "https://start.exactonline.es",
    "fr": "https://start.exactonline.fr",
}
#: Refresh when less than this is left: Exact refuses refreshes before 9m30s of a 10-minute token.
REFRESH_LEEWAY = 30.0
RECONNECT_HINT = "connect Exact Online again with `focus-connector integrations add` (OAuth consent)"
JOURNAL_KINDS = {
    20: frozenset({DocumentKind.SALES_INVOICE, DocumentKind.SALES_CREDIT_NOTE}),
    21: frozenset({DocumentKind.SALES_CREDIT_NOTE}),
    22: frozenset({DocumentKind.PURCHASE_INVOICE, DocumentKind.PURCHASE_CREDIT_NOTE}),
    23: frozenset({DocumentKind.PURCHASE_CREDIT_NOTE}),
}
ENTRY_TYPES = {
    DocumentKind.SALES_INVOICE: 20,
    DocumentKind.SALES_CREDIT_NOTE: 21,
    DocumentKind.PURCHASE_INVOICE: 30,
    DocumentKind.PURCHASE_CREDIT_NOTE: 31,
}


class _Transient(Exception):
    pass


def parse_date(value: Any) -> dt.datetime | None:
    """``/Date(1420070400000)/`` → aware datetime (UTC)."""
    if not value:
        return None
    match = re.fullmatch(r"/Date\((-?\d+)\)/", str(value))
    if not match:
        return dt.datetime.fromisoformat(str(value))
    return dt.datetime.fromtimestamp(int(match.group(1)) / 1000, dt.UTC)


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or f"HTTP {response.status_code}"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            return str(message.get("value") if isinstance(message, dict) else message)
        if isinstance(error, str):
            return f"{error}: {body.get('error_description', '')}".strip(": ")
    return f"HTTP {response.status_code}"


class ExactOAuth:
    """Exact's token endpoint, ``{host}/api/oauth2/token`` (form encoded)."""

    def __init__(self, http: httpx.Client, base_url: str, client_id: str, client_secret: str,
                 clock: Callable[[], float] = time.time):
        self._http = http
        self._base = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode({"client_id": self._client_id, "redirect_uri": redirect_uri, "response_type": "code",
                           "state": state, "force_login": "0"})
        return f"{self._base}/api/oauth2/auth?{query}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> Token:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, grant: dict[str, str]) -> Token:
        sent = self._clock()
        try:
            response = self._http.post(f"{self._base}/api/oauth2/token", data={
                "client_id": self._client_id, "client_secret": self._client_secret, **grant})
        except httpx.TransportError as exc:
            raise AuthError(f"Exact Online token request failed ({type(exc).__name__}); {RECONNECT_HINT} "
                            "if it keeps failing") from None
        if response.status_code == 200:
            body = response.json()
            return Token(body["access_token"], body["refresh_token"], sent + float(body.get("expires_in", "600")))
        reason = response.headers.get("Reason", "")
        raise AuthError(f"Exact Online refused the {grant['grant_type']} grant ({_error_text(response)}"
                        f"{'; ' + reason if reason else ''}); {RECONNECT_HINT}")


class ExactApi:
    """HTTP for one division: paging, rate limits, retries of reads, ambiguous writes."""

    def __init__(self, base_url: str, tokens: TokenManager, division: int | None, *,
                 http: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, max_attempts: int = 4, timeout: float = 30.0):
        self.base = base_url.rstrip("/")
        self.division = division
        self._tokens = tokens
        self._http = http or httpx.Client(timeout=timeout)
        self._sleep = sleep
        self._clock = clock
        self._max_attempts = max_attempts
        self._minutely_remaining: int | None = None
        self._minutely_reset: float | None = None
        self.calls = 0
        self.writes = 0

    def url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        if path.startswith("current/"):
            return f"{self.base}/api/v1/{path}"
        return f"{self.base}/api/v1/{self.division}/{path}"

    # -- reads -----------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        retrying = Retrying(retry=retry_if_exception_type(_Transient), stop=stop_after_attempt(self._max_attempts),
                            wait=wait_exponential_jitter(multiplier=0.5, max=20, jitter=0.5), sleep=self._sleep,
                            reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    response = self._send("GET", self.url(path), params=params)
                    if response.status_code >= 500:
                        raise _Transient(_error_text(response))
                    self._raise_for(response, path)
                    return response.json()["d"]
        except _Transient as exc:
            raise TargetError(f"Exact Online GET {path} kept failing: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def list(self, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every row of a collection, following ``__next`` (60 rows a page)."""
        page = self.get(path, params)
        while True:
            rows = page["results"] if isinstance(page, dict) else page
            yield from rows
            next_url = page.get("__next") if isinstance(page, dict) else None
            if not next_url:
                return
            page = self.get(next_url)

    # -- writes ----------------------------------------------------------------------------

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.writes += 1
        try:
            response = self._send("POST", self.url(path), json=body, headers={"Prefer": "return=representation"})
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise TargetError(f"Exact Online unreachable for POST {path}") from None
        except httpx.TransportError as exc:
            raise AmbiguousWrite(f"POST {path}: {type(exc).__name__} after sending") from None
        if response.status_code >= 500:
            raise AmbiguousWrite(f"POST {path}: HTTP {response.status_code} ({_error_text(response)})")
        self._raise_for(response, path)
        return response.json()["d"]

    def put(self, path: str, body: dict[str, Any]) -> None:
        self.writes += 1
        response = self._send("PUT", self.url(path), json=body)
        if response.status_code >= 500:
            raise TargetError(f"PUT {path}: HTTP {response.status_code} ({_error_text(response)})")
        self._raise_for(response, path)

    # -- plumbing --------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        refreshed = False
        waited = 0.0
        while True:
            self._pace()
            token = self._tokens.access_token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                       **kwargs.pop("headers", {})}
            self.calls += 1
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout) as exc:
                if method == "GET":
                    raise _Transient(type(exc).__name__) from None
                raise
            self._observe(response)
            if response.status_code == 429:
                if self._daily_exhausted(response):
                    raise TargetError("Exact Online's daily API limit for this division is used up; "
                                      "the next run continues")
                delay = self._delay() or 1.0
                waited += delay
                if waited > 180:
                    raise TargetError("Exact Online kept answering 429 for three minutes")
                self._sleep(delay)
                continue
            if response.status_code == 401 and not refreshed:
                self._tokens.after_unauthorized(token)
                refreshed = True
                continue
            return response

    def _observe(self, response: httpx.Response) -> None:
        headers = response.headers
        if "X-RateLimit-Minutely-Remaining" in headers:
            try:
                self._minutely_remaining = int(headers["X-RateLimit-Minutely-Remaining"])
                self._minutely_reset = int(headers["X-RateLimit-Minutely-Reset"]) / 1000
            except (KeyError, ValueError):
                log.warning("Ignoring unparseable Exact rate-limit headers")

    def _daily_exhausted(self, response: httpx.Response) -> bool:
        """A minutely 429 carries only the Minutely headers; a daily one has the daily count at zero."""
        remaining = response.headers.get("X-RateLimit-Remaining")
        return remaining is not None and int(remaining) <= 0

    def _delay(self) -> float:
        if self._minutely_remaining is None or self._minutely_remaining > 0 or self._minutely_reset is None:
            return 0.0
        return max(0.0, self._minutely_reset - self._clock() + 0.05)

    def _pace(self) -> None:
        delay = self._delay()
        if delay:
            self._sleep(delay)
            self._minutely_remaining = None

    def _raise_for(self, response: httpx.Response, path: str) -> None:
        if response.status_code < 400:
            return
        text = _error_text(response)
        if response.status_code in (401, 403):
            raise AuthError(f"Exact Online refused access to {path}: {text}; {RECONNECT_HINT}")
        if response.status_code == 400:
            raise DocumentRefused(text, code="refused_by_exact")
        raise TargetError(f"Exact Online {path}: HTTP {response.status_code} {text}")


def _guid(value: str) -> str:
    return f"guid'{value}'"


def _vat_key(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class ExactOnlineTarget:
    """One Exact Online division."""

    name = "Exact Online"
    #: Exact's limits are per minute and per day in the thousands: read master data every run.
    master_data_max_age = dt.timedelta(0)

    def __init__(self, api: ExactApi):
        self.api = api
        self._gl_ids: dict[str, str] | None = None
        self._account_index: dict[str, dict[str, TargetParty]] | None = None

    @classmethod
    def connect(cls, base_url: str, client_id: str, client_secret: str, store: TokenStore, division: int | None,
                *, http: httpx.Client | None = None, **kwargs: Any) -> ExactOnlineTarget:
        http = http or httpx.Client(timeout=kwargs.pop("timeout", 30.0))
        tokens = TokenManager(ExactOAuth(http, base_url, client_id, client_secret), store, leeway=REFRESH_LEEWAY,
                              reconnect_hint=RECONNECT_HINT)
        return cls(ExactApi(base_url, tokens, division, http=http, **kwargs))

    # -- master data -----------------------------------------------------------------------

    def administrations(self) -> Sequence[Administration]:
        me = self.api.get("current/Me", {"$select": "CurrentDivision"})
        current = (me["results"] if isinstance(me, dict) else me)[0]["CurrentDivision"]
        division, self.api.division = self.api.division, current
        try:
            rows = list(self.api.list("hrm/Divisions", {"$select": "Code,Description,Country,VATNumber"}))
        finally:
            self.api.division = division or current
        return [Administration(str(r["Code"]), r.get("Description") or str(r["Code"]), r.get("Country"),
                               r.get("VATNumber")) for r in rows]

    def master_data(self) -> MasterData:
        accounts = {}
        self._gl_ids = {}
        for row in self.api.list("financial/GLAccounts", {"$select": "ID,Code,Description,IsBlocked"}):
            code = str(row["Code"]).strip()
            accounts[code] = AccountInfo(code, row.get("Description") or "", bool(row.get("IsBlocked")))
            self._gl_ids[code] = row["ID"]
        vat_codes = {}
        for row in self.api.list("vat/VATCodes", {"$select": "Code,Description,Percentage,VATTransactionType,IsBlocked"}):
            code = str(row["Code"]).strip()
            direction = {"S": "sales", "P": "purchase"}.get(row.get("VATTransactionType") or "B", "both")
            vat_codes[code] = VatCodeInfo(code, row.get("Description") or "", Decimal(str(row.get("Percentage") or 0)),
                                          direction, bool(row.get("IsBlocked")))
        journals = {}
        for row in self.api.list("financial/Journals", {"$select": "Code,Description,Type,IsBlocked"}):
            code = str(row["Code"]).strip()
            journals[code] = JournalInfo(code, row.get("Description") or "", JOURNAL_KINDS.get(int(row["Type"]),
                                                                                              frozenset()),
                                         bool(row.get("IsBlocked")))
        # Exact's FinancialPeriods carry no "closed" flag: a closed period shows up as the tool's refusal
        # of the booking ("Period is closed"), reported per document.
        return MasterData(accounts, vat_codes, journals)

    # -- parties ---------------------------------------------------------------------------

    def _accounts(self) -> dict[str, dict[str, TargetParty]]:
        """All accounts of the division, read once in bulk (paged) and indexed by id and VAT number."""
        if self._account_index is None:
            by_id: dict[str, TargetParty] = {}
            by_vat: dict[str, TargetParty] = {}
            for row in self.api.list("crm/Accounts", {"$select": "ID,Code,VATNumber"}):
                party = TargetParty(row["ID"], str(row.get("Code") or "").strip() or None)
                by_id[row["ID"]] = party
                if row.get("VATNumber"):
                    by_vat.setdefault(_vat_key(row["VATNumber"]), party)
            self._account_index = {"id": by_id, "vat": by_vat}
        return self._account_index

    def find_party(self, party: Party, known: TargetParty | None) -> TargetParty | None:
        index = self._accounts()
        if known is not None and known.id in index["id"]:
            return index["id"][known.id]
        if party.vat_number:
            return index["vat"].get(_vat_key(party.vat_number))
        return None

    def _account_body(self, party: Party) -> dict[str, Any]:
        body: dict[str, Any] = {"Name": party.name[:100]}
        if party.vat_number:
            body["VATNumber"] = party.vat_number
        if party.address:
            body.update(AddressLine1=party.address.line_1, Postcode=party.address.postal_code,
                        City=party.address.city, Country=party.address.country)
        if party.email:
            body["Email"] = party.email
        if PartyRole.CUSTOMER in party.roles or not party.roles:
            body["Status"] = "C"
        if PartyRole.SUPPLIER in party.roles:
            body["IsSupplier"] = True
        return body

    def create_party(self, party: Party) -> TargetParty:
        row = self.api.post("crm/Accounts", self._account_body(party))
        created = TargetParty(row["ID"], str(row.get("Code", "")).strip() or None)
        if self._account_index is not None:
            self._account_index["id"][created.id] = created
            if party.vat_number:
                self._account_index["vat"][_vat_key(party.vat_number)] = created
        return created

    def update_party(self, target: TargetParty, party: Party) -> TargetParty:
        self.api.put(f"crm/Accounts({_guid(target.id)})", self._account_body(party))
        return target

    # -- bookings --------------------------------------------------------------------------

    def _entries_path(self, kind: DocumentKind) -> tuple[str, str, str]:
        if kind.is_sales:
            return "salesentry/SalesEntries", "SalesEntryLines", "Customer"
        return "purchaseentry/PurchaseEntries", "PurchaseEntryLines", "Supplier"

    def find_booking(self, booking: Booking) -> BookingRef | None:
        path, _, _ = self._entries_path(booking.kind)
        rows = list(self.api.list(path, {"$select": "EntryID,EntryNumber",
                                         "$filter": f"YourRef eq {_quote(booking.reference)}"}))
        if not rows:
            return None
        return BookingRef(rows[0]["EntryID"], str(rows[0].get("EntryNumber") or "") or None)

    def post(self, booking: Booking) -> BookingRef:
        if self._gl_ids is None:
            self.master_data()
        path, lines_field, party_field = self._entries_path(booking.kind)
        lines = []
        for line in booking.lines:
            gl = self._gl_ids.get(line.ledger_account)
            if gl is None:
                raise DocumentRefused(f"{booking.description}: ledger account {line.ledger_account} does not exist "
                                      "in Exact Online", code="unknown_ledger_account", field="ledger_account")
            lines.append({"GLAccount": gl, "Description": line.description, "AmountFC": float(line.amount),
                          "VATCode": line.vat_code, "VATAmountFC": float(line.vat_amount),
                          **({"Quantity": float(line.quantity)} if line.quantity is not None else {})})
        body = {
            party_field: booking.party.id,
            "Journal": booking.journal,
            "EntryDate": booking.date.isoformat(),
            "Type": ENTRY_TYPES[booking.kind],
            "YourRef": booking.reference,
            "Description": booking.description[:100],
            "Currency": booking.currency,
            lines_field: lines,
        }
        if booking.due_date:
            body["DueDate"] = booking.due_date.isoformat()
        if booking.payment_reference:
            body["PaymentReference"] = booking.payment_reference[:30]
        try:
            row = self.api.post(path, body)
        except DocumentRefused as exc:
            raise DocumentRefused(f"{booking.description}: Exact Online refused it: {exc}", code=exc.code) from None
        return BookingRef(row["EntryID"], str(row.get("EntryNumber") or "") or None)

    # -- payment status ----------------------------------------------------------------------

    def open_items(self) -> Iterator[OpenItem]:
        select = {"$select": "HID,Amount,EntryNumber,YourRef"}
        for path, sales in (("read/financial/ReceivablesList", True), ("read/financial/PayablesList", False)):
            for row in self.api.list(path, select):
                yield OpenItem(row.get("YourRef"), str(row.get("EntryNumber") or "") or None, sales,
                               Decimal(str(row.get("Amount") or 0)).quantize(Decimal("0.01")))


def build(connection: ConnectionInfo, context: TargetContext) -> ExactOnlineTarget:
    """From an Airflow connection: host = the country's base URL, login/password = client id/secret,
    extra ``timeout`` = seconds to wait for an answer (default 30)."""
    administration = context.administration
    return ExactOnlineTarget.connect(connection.host or HOSTS["nl"], connection.login, connection.password,
                                     context.tokens, int(administration) if administration else None,
                                     timeout=float(connection.extra.get("timeout", 30)))


def oauth(connection: ConnectionInfo, http: httpx.Client | None = None) -> ExactOAuth:
    """The consent flow for the setup CLI (authorize URL, code exchange)."""
    return ExactOAuth(http or httpx.Client(timeout=30), connection.host or HOSTS["nl"], connection.login,
                      connection.password)
