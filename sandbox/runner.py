"""Run a sandbox in a child process: for tests, the demo and benchmarks.

The parent binds the listening socket (127.0.0.1, port 0) and hands its file
descriptor to the child, so the port is known before the child starts and
two sandboxes can never race for one. ``RunningSandbox`` wraps the admin API.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Any redirect URI works with the sandbox; this one mirrors a typical local setup.
DEMO_REDIRECT_URI = "http://localhost:8765/callback"


class SandboxStartError(RuntimeError):
    pass


class RunningSandbox:
    def __init__(self, name: str, db_path: Path, args: Sequence[str], startup_timeout: float) -> None:
        self.name = name
        self.db_path = db_path
        self.base_url = ""
        self._args = list(args)
        self._startup_timeout = startup_timeout
        self._log_path = db_path.with_suffix(".log")
        self._socket: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._http: httpx.Client | None = None
        #: ``GET /_sandbox/health`` of the running process: authorize path, production limits.
        self._health: dict[str, Any] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self._socket = sock
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        command = [sys.executable, "-m", "sandbox", self.name, "--fd", str(sock.fileno()),
                   "--db", str(self.db_path), *self._args]
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(command, cwd=REPO_ROOT, pass_fds=(sock.fileno(),),
                                             stdout=log, stderr=subprocess.STDOUT)
        self._http = httpx.Client(base_url=self.base_url, timeout=600)
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                health = httpx.get(f"{self.base_url}/_sandbox/health", timeout=2)
                if health.status_code == 200:
                    self._health = health.json()
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        tail = self._log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise SandboxStartError(f"{self.name} sandbox did not become healthy; its log ends with:\n{tail}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._http is not None:
            self._http.close()
            self._http = None

    def restart(self) -> None:
        """Stop and start again on the same database (the port changes: see ``base_url``)."""
        self.stop()
        self.start()

    # -- admin API -----------------------------------------------------------------------------

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Call the admin API; ``path`` is absolute (``/_sandbox/clock``) or relative (``clock``)."""
        if self._http is None:
            raise RuntimeError(f"{self.name} sandbox is not running")
        url = path if path.startswith("/") else f"/_sandbox/{path}"
        return self._http.request(method, url, json=json)

    def _ok(self, method: str, path: str, json: Any = None) -> Any:
        response = self.admin(method, path, json)
        response.raise_for_status()
        return response.json() if response.content else None

    def manifest(self) -> dict[str, Any]:
        return self._ok("GET", "manifest")

    def requests(self, endpoint: str | None = None, since_id: int | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("endpoint", endpoint), ("since_id", since_id)) if v is not None}
        response = self.admin("GET", "requests?" + urlencode(params))
        response.raise_for_status()
        return response.json()["data"]

    def clear_requests(self) -> None:
        self._ok("DELETE", "requests")

    def add_fault(self, **rule: Any) -> int:
        return int(self._ok("POST", "faults", rule)["data"]["id"])

    def clear_faults(self) -> None:
        self._ok("DELETE", "faults")

    def advance_clock(self, seconds: float) -> None:
        self._ok("POST", "clock", {"advance_seconds": seconds})

    def expire_tokens(self) -> None:
        self._ok("POST", "tokens/expire")

    def configure(self, **config: Any) -> dict[str, Any]:
        return self._ok("POST", "config", config)

    def reset(self) -> None:
        """Wipe everything (tokens, faults, log, clock, config) and reseed the same data."""
        self._ok("POST", "reset")

    def mint_tokens(self, client_id: str | None = None, **body: Any) -> dict[str, Any]:
        """OAuth sandboxes: a token pair for ``client_id``; others take their own keys
        (Octopus: ``mint_tokens(dossier=8001)`` -> ``{"token", "dossierToken"}``)."""
        return self._ok("POST", "tokens", {**({"client_id": client_id} if client_id else {}), **body})

    def authorizes(self) -> bool:
        """Whether the service has an OAuth consent step (Octopus has none: credentials only)."""
        return bool(self._health.get("authorize_path"))

    def authorization_code(self, client_id: str = "sandbox", redirect_uri: str = DEMO_REDIRECT_URI) -> str:
        """The OAuth consent step without a browser: the sandbox approves at once and redirects
        with a code (decoded: Exact Online codes contain ``!``, sent as ``%21``). The authorize
        path is the one the sandbox reports in ``/_sandbox/health``."""
        state = secrets.token_urlsafe(8)
        query = urlencode({"client_id": client_id, "response_type": "code", "state": state,
                           "redirect_uri": redirect_uri})
        path = self._health["authorize_path"]
        response = httpx.get(f"{self.base_url}{path}?{query}", follow_redirects=False)
        if response.status_code not in (302, 303, 307):
            raise SandboxStartError(f"authorize answered {response.status_code}: {response.text[:200]}")
        answer = parse_qs(urlparse(response.headers["location"]).query)
        if answer.get("state") != [state]:
            raise SandboxStartError("authorize redirected with a different state")
        return answer["code"][0]

    # -- Focus test hooks ----------------------------------------------------------------------

    def patch_document(self, doc_type: str, doc_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Focus: overwrite fields of a stored document as is (``{"dotted.path": value}``, list
        indexes allowed); answers the stored document, its ``updated_at`` bumped."""
        return self._ok("POST", "documents/patch", {"type": doc_type, "id": doc_id, "set": changes})["data"]

    def edit_invoice(self, invoice_id: str, line: int, **changes: Any) -> dict[str, Any]:
        """Focus: change ``unit_price`` and/or ``quantity`` of line ``line`` (1-based) of a booked
        invoice, totals recomputed as ``invoices.updateBooked`` would; answers the new invoice."""
        return self._ok("POST", "invoices/edit", {"id": invoice_id, "line": line, **changes})["data"]

    def reset_runtime(self) -> None:
        """Between tests: no faults, real time, the production limits (as the sandbox reports
        them in ``/_sandbox/health``), empty rate windows and log.

        Data and tokens stay; a test that changes data should start its own sandbox.
        """
        self.clear_faults()
        self._ok("POST", "clock", {"offset_seconds": 0})
        self.configure(**self._health["default_config"])
        self._ok("DELETE", "ratelimit")
        self.clear_requests()


def option_args(options: dict[str, Any]) -> list[str]:
    """Keyword options as command-line arguments: ``departments=4`` -> ``--departments 4``,
    ``list_includes="ignore"`` -> ``--list-includes ignore``, ``reset=True`` -> ``--reset``
    (False and None leave the option out)."""
    args: list[str] = []
    for key, value in options.items():
        flag = f"--{key.replace('_', '-')}"
        if value is True:
            args.append(flag)
        elif value is not None and value is not False:
            args += [flag, str(value)]
    return args


@contextmanager
def start_sandbox(
    name: str,
    *,
    invoices: int | None = None,
    seed: int = 42,
    db_path: Path | None = None,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 60,
    **options: Any,
) -> Iterator[RunningSandbox]:
    """Start sandbox ``name`` and stop it on exit; without ``db_path`` the
    database lives in a temporary directory removed afterwards. An existing
    ``db_path`` keeps its data (pass ``extra_args=["--reset"]`` to reseed).
    Other keyword ``options`` become command-line options (``option_args``), e.g.
    ``start_sandbox("focus", departments=4, list_includes="refuse")``."""
    with tempfile.TemporaryDirectory(prefix=f"sandbox-{name}-") as tmp:
        args = ["--seed", str(seed), *option_args({"invoices": invoices, **options}), *extra_args]
        sandbox = RunningSandbox(name, db_path or Path(tmp) / f"{name}.db", args, startup_timeout)
        sandbox.start()
        try:
            yield sandbox
        finally:
            sandbox.stop()
