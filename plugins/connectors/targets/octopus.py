"""Octopus behind the target contract: REST with per-endpoint daily quotas.

Protocol facts this module handles (apis.md §3): three-step authentication
(software-house UUID + user/password → 10-minute token → 10-minute dossier
token in a ``dossierToken`` header, no refresh: authenticate again); errors as
``{"errorCode", "errorMessage", "technicalInfo"}``; 404 meaning "nothing
found/modified"; 403 for a closed book year or journal; per-endpoint daily
quotas (accounts and VAT codes twice a day, relation listing twice a day,
bookings 400 a day, single-booking reads 10 a day).

How the connector plans around the quotas:

- master data is reused for 12 hours (``master_data_max_age``; the pipeline
  caches it in the state database), book years come from that copy;
- relations are never listed: a new party is looked up by VAT number, and
  written with one upserting ``PUT`` keyed by an ``externalRelationId`` the
  connector hands out (``TargetContext.external_ids``);
- a document is one ``POST``; its number in the journal is the journal's
  ``lastBookedDocumentNr`` + 1 (journals read once per book year per task);
- the connector's reference travels in ``orderReference``; looking a booking
  up (only after an ambiguous write or a crash) reads the journal's bookings
  of that book year once through ``/buysellbookings/modified``.

Tokens are kept in the token store (the state database in production), so
the tasks of a run share one dossier token instead of spending the daily
authentication quota.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import httpx
from stdnum.eu import vat as eu_vat
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from connectors.connections import ConnectionInfo
from connectors.domain import DocumentKind, Party, PartyRole
from connectors.oauth import AuthError, Token, TokenStore
from connectors.targets.base import (
    AccountInfo,
    Administration,
    AmbiguousWrite,
    Booking,
    BookingRef,
    BookYear,
    DocumentRefused,
    ExternalIds,
    JournalInfo,
    MasterData,
    MemoryExternalIds,
    OpenItem,
    Period,
    TargetContext,
    TargetError,
    TargetParty,
    VatCodeInfo,
)

log = logging.getLogger(__name__)

BASE_URL = "https://service.inaras.be/octopus-rest-api/v1"
TOKEN_TTL = 600.0  # "valid for 10 minutes"; Octopus does not say so in the response
LEEWAY = 60.0
LOCALE_EN = 3
RECONNECT_HINT = ("check the Octopus user, password and software-house UUID in the Airflow connection, and that "
                  "the user may open the dossier")
JOURNAL_KINDS = {
    "V": frozenset({DocumentKind.SALES_INVOICE, DocumentKind.SALES_CREDIT_NOTE}),
    "A": frozenset({DocumentKind.PURCHASE_INVOICE, DocumentKind.PURCHASE_CREDIT_NOTE}),
}
VAT_DIRECTIONS = {1: "purchase", 2: "sales", 3: "purchase", 4: "sales"}
#: Octopus ``vatType`` of a relation.
VAT_TYPE_BE, VAT_TYPE_EU, VAT_TYPE_NON_EU = 1, 4, 6
VAT_TYPE_PRIVATE_BE, VAT_TYPE_PRIVATE_EU, VAT_TYPE_PRIVATE_NON_EU = 7, 8, 9
EU = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) - {"XI"}
LANGUAGES = {"nl": 0, "fr": 1, "en": 2, "de": 3}
LOOKUP_SINCE = "1980-01-01 00:00:00.000"
#: Lost answers tolerated in one task before it stops (each costs a lookup from a 48-a-day quota).
MAX_AMBIGUOUS = 3


class _Transient(Exception):
    pass


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or f"HTTP {response.status_code}"
    if isinstance(body, dict) and ("errorMessage" in body or "errorCode" in body):
        return str(body.get("errorMessage") or f"error {body.get('errorCode')}")
    return f"HTTP {response.status_code}"


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def _amount(value: Decimal) -> float:
    """JSON number for a cent amount (the float's shortest repr is the exact two-decimal text)."""
    return float(value)


class OctopusAuth:
    """Steps 1–3: credentials → token → dossier token. There is no refresh: each lapse re-authenticates."""

    def __init__(self, http: httpx.Client, base_url: str, software_house_uuid: str, user: str, password: str,
                 clock: Callable[[], float] = time.time):
        self._http = http
        self._base = base_url.rstrip("/")
        self._uuid = software_house_uuid
        self._user = user
        self._password = password
        self._clock = clock

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, f"{self._base}{path}", **kwargs)
        except httpx.TransportError as exc:
            raise TargetError(f"Octopus authentication failed ({type(exc).__name__}); it is retried on the next run") \
                from None
        if response.status_code == 429:
            raise TargetError(f"Octopus's daily quota for authenticating is used up ({_error_text(response)}); "
                              "the next run continues")
        if response.status_code >= 500:
            raise TargetError(f"Octopus authentication answered HTTP {response.status_code}")
        return response

    def user_token(self) -> str:
        response = self._call("POST", "/authentication", headers={"softwareHouseUuid": self._uuid},
                              json={"user": self._user, "password": self._password})
        if response.status_code != 200:
            raise AuthError(f"Octopus refused the credentials ({_error_text(response)}); {RECONNECT_HINT}")
        return response.json()["token"]

    def dossiers(self, token: str) -> list[dict[str, Any]]:
        response = self._call("GET", "/dossiers", headers={"Token": token})
        if response.status_code != 200:
            raise AuthError(f"Octopus refused the dossier list ({_error_text(response)}); {RECONNECT_HINT}")
        return response.json()

    def dossier_token(self, dossier: str) -> Token:
        started = self._clock()
        token = self.user_token()
        response = self._call("POST", "/dossiers", headers={"Token": token},
                              params={"dossierId": dossier, "localeId": LOCALE_EN})
        if response.status_code != 200:
            raise AuthError(f"Octopus refused dossier {dossier} ({_error_text(response)}); {RECONNECT_HINT}")
        return Token(response.json()["Dossiertoken"], _marker(dossier), started + TOKEN_TTL)


def _marker(dossier: str) -> str:
    """Kept in the token's refresh field: which dossier the stored token opens."""
    return f"dossier:{dossier}"


class DossierTokens:
    """A valid dossier token, shared through the token store by every task of a run.

    Re-authenticates under the store's lock when the stored token lapses (or was
    issued for another dossier), so two workers never spend the quota twice.
    """

    def __init__(self, auth: OctopusAuth, store: TokenStore, dossier: str, *, leeway: float = LEEWAY,
                 clock: Callable[[], float] = time.time):
        self._auth = auth
        self._store = store
        self._dossier = dossier
        self._leeway = leeway
        self._clock = clock

    def _usable(self, token: Token | None) -> bool:
        return (token is not None and token.refresh_token == _marker(self._dossier)
                and not token.expires_within(self._leeway, self._clock()))

    def access_token(self) -> str:
        token = self._store.load()
        if self._usable(token):
            return token.access_token
        return self._renew(stale=None)

    def after_unauthorized(self, rejected: str) -> str:
        return self._renew(stale=rejected)

    def _renew(self, stale: str | None) -> str:
        with self._store.lock():
            current = self._store.load()
            if current is not None and self._usable(current) and current.access_token != stale:
                return current.access_token  # another worker renewed it meanwhile
            fresh = self._auth.dossier_token(self._dossier)
            self._store.save(fresh)
            return fresh.access_token


class OctopusApi:
    """HTTP for one dossier: the ``dossierToken`` header, retries of reads, quota and error mapping."""

    def __init__(self, base_url: str, tokens: DossierTokens, dossier: str, *, http: httpx.Client,
                 sleep: Callable[[float], None] = time.sleep, max_attempts: int = 4):
        self.base = base_url.rstrip("/")
        self.dossier = dossier
        self._tokens = tokens
        self._http = http
        self._sleep = sleep
        self._max_attempts = max_attempts
        self.calls = 0
        self.writes = 0

    def url(self, path: str) -> str:
        return f"{self.base}/dossiers/{self.dossier}/{path}"

    def get(self, path: str, params: dict[str, Any] | None = None, *, missing_ok: bool = False,
            attempts: int | None = None) -> Any:
        """JSON of a read; with ``missing_ok`` a 404 ("none found", "nothing modified") is ``None``.
        ``attempts=1`` for endpoints whose quota is too small to spend on retries (2 a day)."""
        return self.read("GET", path, params=params, missing_ok=missing_ok, attempts=attempts)

    def read(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
             missing_ok: bool = False, attempts: int | None = None) -> Any:
        """A read (reports are POSTed queries): retried on timeouts and 5xx, since it changes nothing."""
        retrying = Retrying(retry=retry_if_exception_type(_Transient),
                            stop=stop_after_attempt(attempts or self._max_attempts),
                            wait=wait_exponential_jitter(multiplier=0.5, max=20, jitter=0.5), sleep=self._sleep,
                            reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        response = self._send(method, path, params=params, json=json)
                    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout) as exc:
                        raise _Transient(type(exc).__name__) from None
                    if response.status_code >= 500:
                        raise _Transient(_error_text(response))
                    if response.status_code == 404 and missing_ok:
                        return None
                    self._raise_for(response, f"{method} {path}")
                    return response.json()
        except _Transient as exc:
            raise TargetError(f"Octopus {method} {path} kept failing: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        """One write, never repeated blindly: a lost answer is ``AmbiguousWrite``.

        Returns 2xx and 4xx/5xx answers alike; the caller knows what each means for its resource.
        """
        self.writes += 1
        try:
            response = self._send(method, path, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise TargetError(f"Octopus unreachable for {method} {path}") from None
        except httpx.TransportError as exc:
            raise AmbiguousWrite(f"{method} {path}: {type(exc).__name__} after sending") from None
        if response.status_code == 429:
            self._raise_for(response, f"{method} {path}")
        if response.status_code == 401:
            raise AuthError(f"Octopus refused the dossier token for {method} {path}; {RECONNECT_HINT}")
        return response

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        token = self._tokens.access_token()
        for renewed in (False, True):
            self.calls += 1
            response = self._http.request(method, self.url(path), headers={"dossierToken": token}, **kwargs)
            if response.status_code != 401 or renewed:
                return response
            token = self._tokens.after_unauthorized(token)  # lapsed early: authenticate again, once
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise_for(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        text = _error_text(response)
        if status == 429:
            raise TargetError(f"Octopus's daily quota for {what.split('?')[0]} is used up ({text}); "
                              "the next run continues")
        if status == 401:
            raise AuthError(f"Octopus refused access to {what}: {text}; {RECONNECT_HINT}")
        raise TargetError(f"Octopus {what}: HTTP {status} {text}")


def vat_key(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def octopus_vat_number(value: str) -> str:
    """Octopus wants ``BE0xxx.xxx.xxx`` for Belgian numbers; others compact."""
    compact = vat_key(value)
    if compact.startswith("BE") and len(compact) == 12:
        digits = compact[2:]
        return f"BE{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return compact


def _vat_type(party: Party) -> int:
    country = (party.address.country if party.address else None) or (party.vat_number or "")[:2] or "BE"
    country = country.upper()
    if party.vat_number and eu_vat.is_valid(party.vat_number):
        return VAT_TYPE_BE if country == "BE" else VAT_TYPE_EU if country in EU else VAT_TYPE_NON_EU
    if party.vat_number and country not in EU:
        return VAT_TYPE_NON_EU
    return VAT_TYPE_PRIVATE_BE if country == "BE" else VAT_TYPE_PRIVATE_EU if country in EU \
        else VAT_TYPE_PRIVATE_NON_EU


def relation_body(party: Party, external_id: int, relation_id: str | None = None) -> dict[str, Any]:
    identification: dict[str, Any] = {"externalRelationId": external_id}
    if relation_id is not None:
        identification["relationKey"] = {"id": int(relation_id)}
    body: dict[str, Any] = {
        "relationIdentificationServiceData": identification,
        "name": party.name[:100],
        "currencyCode": "EUR",
        "client": PartyRole.CUSTOMER in party.roles or not party.roles,
        "supplier": PartyRole.SUPPLIER in party.roles,
        "vatType": _vat_type(party),
        "active": True,
    }
    if party.vat_number:
        body["vatNr"] = octopus_vat_number(party.vat_number)
    if party.address:
        body.update(streetAndNr=party.address.line_1, postalCode=party.address.postal_code,
                    city=party.address.city, country=party.address.country)
    if party.email:
        body["email"] = party.email
    if party.phone:
        body["telephone"] = party.phone
    if party.iban:
        body["ibanAccountNr"] = party.iban
    if party.bic:
        body["bicCode"] = party.bic
    if party.language and party.language[:2].lower() in LANGUAGES:
        body["factLanguage"] = LANGUAGES[party.language[:2].lower()]
    return body


class OctopusTarget:
    """One Octopus dossier."""

    name = "Octopus"
    #: Accounts and VAT codes may be read twice a day: a copy at most 12 hours old serves the runs between.
    master_data_max_age = dt.timedelta(hours=12)

    def __init__(self, api: OctopusApi, auth: OctopusAuth, *, external_ids: ExternalIds | None = None,
                 cached_master_data: Callable[[], MasterData | None] = lambda: None):
        self.api = api
        self._auth = auth
        self._external_ids = external_ids or MemoryExternalIds()
        self._cached_master_data = cached_master_data
        self._book_years: tuple[BookYear, ...] | None = None
        self._book_years_fresh = False
        #: (book year id, journal) → the next document number to use; absent = read the journals again.
        self._next_number: dict[tuple[str, str], int] = {}
        #: orderReference → (book year id, journal, documentSequenceNr) of every connector booking in the dossier.
        self._posted: dict[str, tuple[str, str, int]] | None = None
        self._ambiguous = 0

    @classmethod
    def connect(cls, base_url: str, software_house_uuid: str, user: str, password: str, store: TokenStore,
                dossier: str | None, *, http: httpx.Client | None = None, external_ids: ExternalIds | None = None,
                cached_master_data: Callable[[], MasterData | None] = lambda: None,
                clock: Callable[[], float] = time.time, **kwargs: Any) -> OctopusTarget:
        timeout = kwargs.pop("timeout", 30.0)
        http = http or httpx.Client(timeout=timeout)
        auth = OctopusAuth(http, base_url, software_house_uuid, user, password, clock)
        tokens = DossierTokens(auth, store, dossier or "", clock=clock)
        return cls(OctopusApi(base_url, tokens, dossier or "", http=http, **kwargs), auth,
                   external_ids=external_ids, cached_master_data=cached_master_data)

    # -- master data -----------------------------------------------------------------------

    def administrations(self) -> Sequence[Administration]:
        rows = self._auth.dossiers(self._auth.user_token())
        return [Administration(str(r["dossierKey"]["id"]), r.get("dossierDescription") or str(r["dossierKey"]["id"]),
                               r.get("country"), r.get("vatNr")) for r in rows]

    def _read_book_years(self) -> tuple[BookYear, ...]:
        years = []
        for row in self.api.get("bookyears"):
            periods = tuple(Period(int(p["bookyearPeriod"]), _date(p["startDate"]), _date(p["endDate"]))
                            for p in row.get("periods") or ())
            years.append(BookYear(str(row["bookyearKey"]["id"]), str(row.get("bookyearDescription") or ""),
                                  _date(row["startDate"]), _date(row["endDate"]), bool(row.get("closed")), periods))
        return tuple(sorted(years, key=lambda y: y.start))

    def _current_year(self, years: Sequence[BookYear]) -> BookYear:
        today = dt.date.today()
        open_years = [y for y in years if not y.closed]
        current = next((y for y in years if y.start <= today <= y.end and not y.closed), None)
        if current is None and not open_years:
            raise TargetError("Octopus has no open book year in this dossier; open one in Octopus")
        return current or open_years[-1]

    def master_data(self) -> MasterData:
        years = self._read_book_years()
        self._book_years, self._book_years_fresh = years, True
        current = self._current_year(years)
        accounts = {}
        for row in self.api.get("accounts", {"bookyearId": current.id}, attempts=1):
            number = str(row["accountKey"]["id"])
            names = row.get("description") or {}
            description = names.get("description_NL") or names.get("description_EN") or names.get("description_FR")
            accounts[number] = AccountInfo(number, description or "")
        vat_codes = {}
        for row in self.api.get("vatcodes", attempts=1):
            code = str(row["code"])
            vat_codes[code] = VatCodeInfo(code, row.get("description") or "",
                                          Decimal(str(row.get("basePercentage") or 0)) / 100,
                                          VAT_DIRECTIONS.get(int(row.get("type") or 0), "both"))
        journals = {}
        for row in self._journals(current.id):
            code = str(row["journalKey"])
            journals[code] = JournalInfo(code, row.get("name") or "", JOURNAL_KINDS.get(code[:1], frozenset()),
                                         bool(row.get("closed")))
        closed = tuple((y.start, y.end) for y in years if y.closed)
        return MasterData(accounts, vat_codes, journals, closed, years)

    def _journals(self, book_year_id: str) -> list[dict[str, Any]]:
        rows = self.api.get(f"bookyears/{book_year_id}/journals")
        for row in rows:
            self._next_number[(book_year_id, str(row["journalKey"]))] = int(row.get("lastBookedDocumentNr") or 0) + 1
        return rows

    def _years(self) -> tuple[BookYear, ...]:
        if self._book_years is None:
            cached = self._cached_master_data()
            self._book_years = cached.book_years if cached and cached.book_years else self._read_book_years()
        return self._book_years

    def _book_year_of(self, day: dt.date, label: str) -> tuple[BookYear, Period]:
        year = next((y for y in self._years() if y.start <= day <= y.end), None)
        if year is None and not self._book_years_fresh:
            # The cached copy may predate a newly opened year: read once per task, not per document.
            self._book_years, self._book_years_fresh = self._read_book_years(), True
            year = next((y for y in self._book_years if y.start <= day <= y.end), None)
        if year is None:
            raise DocumentRefused(f"{label}: Octopus has no book year for {day.isoformat()}; create it in Octopus",
                                  code="no_book_year", field="date")
        period = year.period_of(day)
        if period is None:
            raise DocumentRefused(f"{label}: book year {year.description} in Octopus has no period for "
                                  f"{day.isoformat()}", code="no_period", field="date")
        return year, period

    # -- parties ---------------------------------------------------------------------------

    def _external_id(self, party: Party) -> int:
        return self._external_ids.number_for("relation", f"{party.ref.type}:{party.ref.id}")

    def find_party(self, party: Party, known: TargetParty | None) -> TargetParty | None:
        """The stored relation as is (no call); otherwise one search by VAT number (never a full listing)."""
        if known is not None:
            return known
        if not party.vat_number:
            return None
        rows = self.api.get("relations", {"vatNr": octopus_vat_number(party.vat_number)}, missing_ok=True)
        if not rows:
            return None
        ours = self._external_id(party)

        def preference(row: dict[str, Any]) -> tuple[bool, bool]:
            external = (row.get("relationIdentificationServiceData") or {}).get("externalRelationId")
            return external != ours, row.get("active") is False

        row = min(rows, key=preference)
        ident = row.get("relationIdentificationServiceData") or {}
        external = ident.get("externalRelationId")
        return TargetParty(str(ident["relationKey"]["id"]), str(external) if external else None)

    def create_party(self, party: Party) -> TargetParty:
        external_id = self._external_id(party)
        response = self._put_relation(party, relation_body(party, external_id))
        if response.status_code == 201:
            ident = response.json()["relationIdentificationServiceData"]
            return TargetParty(str(ident["relationKey"]["id"]), str(external_id))
        # 204: a relation with our number existed already — an earlier attempt that committed, or this
        # party's relation from before a state database was rebuilt (numbers derive from the Focus id).
        rows = self.api.get("relations", {"extRelationId": external_id}, missing_ok=True)
        if not rows:
            raise TargetError(f"{party.name}: Octopus accepted relation {external_id} but cannot find it")
        return TargetParty(str(rows[0]["relationIdentificationServiceData"]["relationKey"]["id"]), str(external_id))

    def update_party(self, target: TargetParty, party: Party) -> TargetParty:
        external_id = int(target.code) if target.code and target.code.isdigit() else self._external_id(party)
        response = self._put_relation(party, relation_body(party, external_id, target.id))
        if response.status_code == 404:  # deleted in Octopus meanwhile: make it again
            return self.create_party(party)
        return TargetParty(target.id, str(external_id))

    def _put_relation(self, party: Party, body: dict[str, Any]) -> httpx.Response:
        try:
            response = self.api.write("PUT", "relations", body)
        except AmbiguousWrite:
            # An upsert keyed by our number is safe to repeat: the second PUT merges into the first.
            response = self.api.write("PUT", "relations", body)
        if response.status_code in (201, 204, 404):
            return response
        text = _error_text(response)
        if response.status_code == 400:
            raise DocumentRefused(f"{party.name}: Octopus refused the relation: {text}; correct the company in "
                                  "Focus or the relation in Octopus", code="refused_by_octopus")
        raise TargetError(f"Octopus PUT relations: HTTP {response.status_code} {text}")

    # -- bookings --------------------------------------------------------------------------

    def _connector_bookings(self) -> dict[str, tuple[str, str, int]]:
        """Every booking the connector made in the dossier, by reference: one ``/modified`` call (48 a day)
        over all book years and journals, so a booking is found even if its date or journal mapping changed
        since it was posted. Only needed after an ambiguous write or a crash."""
        if self._posted is None:
            rows = self.api.get("buysellbookings/modified", {"bookyearId": -1, "modifiedTimeStamp": LOOKUP_SINCE},
                                missing_ok=True)
            self._posted = {
                str(r["orderReference"]): (str(r["bookyearKey"]["id"]), str(r["journalKey"]),
                                           int(r["documentSequenceNr"]))
                for r in rows or () if str(r.get("orderReference") or "").startswith("FC-")
            }
        return self._posted

    def _ref(self, year_id: str, journal: str, number: int) -> BookingRef:
        """Target id ``<book year id>/<journal>/<number>``; booking number as Octopus shows it, ``V1 2026/13``."""
        year = next((y for y in self._years() if y.id == year_id), None)
        return BookingRef(f"{year_id}/{journal}/{number}", f"{journal} {year.description if year else year_id}/{number}")

    def find_booking(self, booking: Booking) -> BookingRef | None:
        found = self._connector_bookings().get(booking.reference)
        return None if found is None else self._ref(*found)

    def _number(self, year: BookYear, journal: str, label: str) -> int:
        if (year.id, journal) not in self._next_number:
            self._journals(year.id)
        if (year.id, journal) not in self._next_number:
            raise DocumentRefused(f"{label}: journal {journal} does not exist in Octopus book year "
                                  f"{year.description}; pick another journal in the integration",
                                  code="unknown_journal", field="journal")
        return self._next_number[(year.id, journal)]

    def booking_body(self, booking: Booking, year: BookYear, period: Period, number: int) -> dict[str, Any]:
        total = booking.total_excl + booking.total_vat
        if booking.kind.is_credit_note:
            total = -total  # "the total amount should be negative, whilst the line amounts … positive"
        data: dict[str, Any] = {
            "bookyearKey": {"id": int(year.id)},
            "journalKey": booking.journal,
            "documentSequenceNr": number,
            "relationIdentificationServiceData": {"relationKey": {"id": int(booking.party.id)}},
            "bookyearPeriodeNr": period.number,
            "documentDate": booking.date.isoformat(),
            "expiryDate": (booking.due_date or booking.date).isoformat(),
            "comment": booking.description[:100],
            "orderReference": booking.reference,
            "amount": _amount(total),
            "currencyCode": booking.currency,
            "exchangeRate": 1.0,
            "bookingLines": [
                {"accountKey": int(line.ledger_account), "baseAmount": _amount(line.amount),
                 "vatCodeKey": line.vat_code, "vatAmount": _amount(line.vat_amount), "comment": line.description[:100]}
                for line in booking.lines
            ],
        }
        if booking.payment_reference:
            data["reference"] = booking.payment_reference
        return {"buySellBookingServiceData": data}

    def post(self, booking: Booking) -> BookingRef:
        label = booking.description
        bad = [line.ledger_account for line in booking.lines if not line.ledger_account.isdigit()]
        if bad:
            raise DocumentRefused(f"{label}: ledger account {bad[0]} is not an Octopus account number",
                                  code="unknown_ledger_account", field="ledger_account")
        if booking.currency != "EUR":
            raise DocumentRefused(f"{label}: it is in {booking.currency}; the connector books Octopus documents in "
                                  "EUR only (no exchange rate is known); book it by hand", code="currency",
                                  field="currency")
        year, period = self._book_year_of(booking.date, label)
        for _ in range(3):
            number = self._number(year, booking.journal, label)
            try:
                response = self.api.write("POST", "buysellbookings", self.booking_body(booking, year, period, number))
            except AmbiguousWrite:
                self._after_ambiguity(year, booking.journal)
                raise
            status, text = response.status_code, _error_text(response)
            if status in (200, 201, 204):
                self._next_number[(year.id, booking.journal)] = number + 1
                if self._posted is not None:
                    self._posted[booking.reference] = (year.id, booking.journal, number)
                return self._ref(year.id, booking.journal, number)
            if status == 400 and "already exists" in text:
                self._next_number.pop((year.id, booking.journal), None)  # booked meanwhile: read the counter again
                continue
            if status == 500 and "invalid elements" in text.lower():
                # Octopus's documented answer to a malformed booking: refused, nothing committed, number unused.
                raise DocumentRefused(f"{label}: Octopus refused it: {text}", code="refused_by_octopus")
            if status >= 500:
                # An outage: the write may or may not have landed. Stop here; the document stays claimed and
                # is looked up before anything is posted again, so no quota is spent per remaining document.
                raise TargetError(f"Octopus answered HTTP {status} ({text}) to a booking; the run stops and the "
                                  "next one checks that booking before posting anything again")
            raise self._refusal(booking, status, text)
        raise TargetError(f"{label}: journal {booking.journal} kept changing under us; try again later")

    def _after_ambiguity(self, year: BookYear, journal: str) -> None:
        """After a lost answer, the journal counter and the booking index may be stale: read them again —
        but stop the task after a few, so an unreachable Octopus does not drain the lookup quotas."""
        self._ambiguous += 1
        self._next_number.pop((year.id, journal), None)
        self._posted = None
        if self._ambiguous > MAX_AMBIGUOUS:
            raise TargetError(f"Octopus left {self._ambiguous} bookings unanswered in this task; the run stops and "
                              "the next one checks them before posting anything again")

    def _refusal(self, booking: Booking, status: int, text: str) -> DocumentRefused:
        label = booking.description
        if status == 403:
            return DocumentRefused(
                f"{label}: Octopus refused it because the book year or journal {booking.journal} is closed for "
                f"{booking.date.isoformat()} ({text}); reopen the period in Octopus or change the document date",
                code="period_closed", field="date")
        return DocumentRefused(f"{label}: Octopus refused it: {text}", code="refused_by_octopus")

    # -- payment status ----------------------------------------------------------------------

    def open_items(self) -> Iterator[OpenItem]:
        years = {y.id: y for y in self._years()}
        open_years = [y for y in years.values() if not y.closed] or list(years.values())
        query = {"fromBookyearKey": {"id": int(open_years[0].id)}, "toBookyearKey": {"id": int(open_years[-1].id)},
                 "fromBookyearPeriodNr": -1, "toBookyearPeriodNr": -1, "externalRelationId": -1, "relationId": -1}
        for side, sales in (("clients", True), ("suppliers", False)):
            rows = self.api.read("POST", f"reports/{side}/open", json=query, missing_ok=True) or []
            for row in rows:
                year = years.get(str(row["bookyearKey"]["id"]))
                if year is None:
                    continue
                ref = self._ref(year.id, str(row["journalKey"]), int(row["documentSequenceNr"]))
                yield OpenItem(None, ref.booking_number, sales,
                               Decimal(str(row.get("openDocAmount") or 0)).quantize(Decimal("0.01")),
                               {"target_id": ref.target_id, "reference": row.get("reference")})


def build(connection: ConnectionInfo, context: TargetContext) -> OctopusTarget:
    """From an Airflow connection: host = API base URL, login/password = the Octopus user,
    extra ``software_house_uuid`` = the UUID Octopus gave the software house, ``timeout`` = seconds to
    wait for an answer (default 30)."""
    software_house = connection.extra.get("software_house_uuid") or ""
    if not software_house:
        raise AuthError(f"Connection {connection.conn_id!r} has no software_house_uuid in its extra; {RECONNECT_HINT}")
    dossier = context.administration
    return OctopusTarget.connect(connection.host or BASE_URL, software_house, connection.login, connection.password,
                                 context.tokens_for(f"dossier:{dossier}"), dossier, external_ids=context.external_ids,
                                 cached_master_data=context.cached_master_data,
                                 timeout=float(connection.extra.get("timeout", 30)))


def oauth(connection: ConnectionInfo) -> None:
    """Octopus has no consent step: the connection's user and password are the credentials."""
    return None
