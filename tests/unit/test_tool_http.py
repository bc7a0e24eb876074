"""The one HTTP layer every tool client sends through, against a real local HTTP server.

The server answers from a script (401 first, 503 twice, …) and keeps the
headers and bodies it received, so each test sees what went over the wire.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from connectors.targets.base import AmbiguousWrite, TargetError
from connectors.targets.http import Dialect, NotSent, ToolHttp, writes_before


class Script:
    """What the server answers, call by call (the last answer repeats), and what it received."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict]] = [(200, {"ok": True})]
        self.received: list[dict] = []
        self.delay = 0.0


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            script.received.append({"method": self.command, "headers": dict(self.headers), "body": body})
            status, payload = script.answers[min(len(script.received), len(script.answers)) - 1]
            if script.delay:
                threading.Event().wait(script.delay)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


class Tokens:
    def __init__(self) -> None:
        self.current = "token-1"

    def access_token(self) -> str:
        return self.current

    def after_unauthorized(self, rejected: str) -> str:
        self.current = "token-2"
        return self.current


DIALECT = Dialect("Tool", lambda token: {"Authorization": f"Bearer {token}"}, lambda body: None)


def tool_http(timeout: float = 5.0) -> ToolHttp:
    return ToolHttp(DIALECT, Tokens(), http=httpx.Client(timeout=timeout), sleep=lambda seconds: None)


def test_a_write_repeated_after_a_401_keeps_the_callers_headers(server):
    url, script = server
    script.answers = [(401, {}), (201, {"id": 1})]
    response = tool_http().write("POST", f"{url}/entries", json={"a": 1}, headers={"Prefer": "return=representation"})
    assert response.status_code == 201
    first, second = script.received
    assert first["headers"]["Prefer"] == second["headers"]["Prefer"] == "return=representation"
    assert (first["headers"]["Authorization"], second["headers"]["Authorization"]) == ("Bearer token-1",
                                                                                        "Bearer token-2")


def test_a_read_is_retried_after_5xx_with_every_header_each_time(server):
    url, script = server
    script.answers = [(503, {}), (502, {}), (200, {"d": []})]
    response = tool_http().read("GET", f"{url}/accounts")
    assert response.status_code == 200 and len(script.received) == 3
    assert all(r["headers"]["Accept"] == "application/json" and r["headers"]["Authorization"]
               for r in script.received)


def test_a_read_that_keeps_failing_becomes_a_target_error_naming_the_call(server):
    url, script = server
    script.answers = [(503, {})]
    with pytest.raises(TargetError, match="GET .*accounts kept failing"):
        tool_http().read("GET", f"{url}/accounts")
    assert len(script.received) == 4


def test_a_write_is_sent_once_even_when_it_answers_5xx(server):
    url, script = server
    script.answers = [(503, {})]
    assert tool_http().write("POST", f"{url}/entries", json={}).status_code == 503
    assert len(script.received) == 1


def test_a_write_whose_answer_is_lost_is_ambiguous_and_not_repeated(server):
    url, script = server
    script.delay = 1.0
    with pytest.raises(AmbiguousWrite, match="after sending"):
        tool_http(timeout=0.3).write("POST", f"{url}/entries", json={})
    assert len(script.received) == 1


def test_a_write_to_a_closed_port_is_an_outage_not_an_ambiguity():
    with pytest.raises(TargetError, match="unreachable") as caught:
        tool_http().write("POST", "http://127.0.0.1:9/entries", json={})
    assert not isinstance(caught.value, AmbiguousWrite)


def test_decimals_go_out_as_exact_number_literals_and_come_back_as_decimals(server):
    url, script = server
    script.answers = [(200, {"echo": 1})]
    tool_http().write("POST", f"{url}/entries", json={"AmountFC": Decimal("123456789012345.67")})
    assert script.received[0]["body"] == '{"AmountFC": 123456789012345.67}'
    script.answers = [(200, {"Amount": 0.1})]
    script.received.clear()
    http = tool_http()
    assert http.json(http.read("GET", f"{url}/x")) == {"Amount": Decimal("0.1")}


def test_the_exact_client_keeps_its_headers_when_it_retries(server):
    """Finding: ``Prefer: return=representation`` was popped inside the retry loop and lost on the retry."""
    from connectors.targets.exact_online.api import ExactApi

    url, script = server
    script.answers = [(401, {}), (201, {"d": {"EntryID": "e-1"}})]
    api = ExactApi(url, Tokens(), 100001, http=httpx.Client(timeout=5), sleep=lambda seconds: None)
    assert api.post("salesentry/SalesEntries", {"Journal": "70"}) == {"EntryID": "e-1"}
    assert [r["headers"].get("Prefer") for r in script.received] == ["return=representation"] * 2


def test_a_write_is_not_sent_when_its_claim_would_run_out_before_the_answer(server):
    """A post slowed by rate limits or a token refresh must never land after another worker may have taken the
    document over: it is not sent at all."""
    url, script = server
    http = ToolHttp(DIALECT, Tokens(), http=httpx.Client(timeout=5), sleep=lambda seconds: None, clock=lambda: 1000.0)
    with writes_before(1000.0 + 5 + 30 - 1), pytest.raises(NotSent):  # 5 s timeout + 30 s margin not left
        http.write("POST", f"{url}/entries", json={})
    assert script.received == []
    with writes_before(1000.0 + 5 + 30 + 1):
        assert http.write("POST", f"{url}/entries", json={}).status_code == 200


def test_a_write_repeated_after_a_429_wait_is_fenced_too(server):
    url, script = server
    script.answers = [(429, {}), (201, {})]
    now = iter([1000.0, 2000.0])  # the 429 wait took long: the claim has no time left for the repeat

    class Waits:
        def wait_before(self):
            return 0.0

        def observe(self, response):
            return None

        def after_429(self, response, waited):
            return 1.0

    http = ToolHttp(DIALECT, Tokens(), http=httpx.Client(timeout=5), rates=Waits(), sleep=lambda seconds: None,
                    clock=lambda: next(now))
    with writes_before(1100.0), pytest.raises(NotSent):
        http.write("POST", f"{url}/entries", json={})
    assert len(script.received) == 1  # the first attempt went (and was refused with 429); the repeat did not


@pytest.mark.parametrize("body, absent", [
    ({"errorCode": -90, "errorMessage": "No modified bookings found", "technicalInfo": ""}, True),
    ({"errorCode": -20, "errorMessage": "Bookyear 3 not found", "technicalInfo": "bookyearId"}, False),
    ({"title": "No modified bookings found"}, False),  # not Octopus's ErrorResult: a proxy, a gateway
    ("No modified bookings found", False),
])
def test_only_octopus_own_nothing_found_answer_proves_absence(server, body, absent):
    from connectors.targets.octopus.api import nothing_found

    url, script = server
    script.answers = [(404, body)]
    assert nothing_found(httpx.get(f"{url}/dossiers/8001/buysellbookings/modified")) is absent
