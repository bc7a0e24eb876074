"""No float in the money path, wire formats included — kept so by reading the source.

Floats are allowed only where they measure time (timeouts, waits, clocks, token lifetimes), in the modules
listed below with that reason. Everywhere else a float literal, a ``float(...)`` call or a bare
``response.json()`` (which parses numbers as floats) fails this test: JSON is read with
``parse_float=Decimal`` and written with exact number literals.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "connectors"

#: Modules where floats are seconds, never money — and why.
TIME_ONLY = {
    "focus/client.py": "retry back-off, rate-limit waits and timeouts in seconds",
    "focus/auth.py": "token lifetimes in seconds",
    "oauth.py": "token expiry times and leeway in seconds",
    "token_requests.py": "token request timeouts and back-off in seconds",
    "orchestration.py": "Airflow's retry back-off factor",
    "progress.py": "the seconds between progress lines",
    "state/db.py": "SQLite busy waits in seconds",
    "targets/http.py": "retry back-off, 429 waits and timeouts in seconds",
    "targets/exact_online/__init__.py": "the connection's timeout in seconds",
    "targets/exact_online/api.py": "minutely rate-limit waits in seconds",
    "targets/exact_online/auth.py": "token lifetimes in seconds",
    "targets/exact_online/target.py": "the default timeout in seconds",
    "targets/octopus/__init__.py": "the connection's timeout in seconds",
    "targets/octopus/api.py": "the (absent) pacing wait in seconds",
    "targets/octopus/auth.py": "token lifetimes in seconds",
    "targets/octopus/target.py": "the default timeout in seconds",
    "targets/yuki/__init__.py": "the connection's timeout in seconds",
    "targets/yuki/client.py": "the HTTP timeout and the session lifetime in seconds",
    "exports/customer_numbers.py": "retry back-off in seconds (no amount in it)",
    "exports/customer_number_import.py": "name-similarity cut-off (no amount in it)",
}
#: ``.json()`` on answers that carry no amounts: token endpoints and error bodies.
PLAIN_JSON = {"token_requests.py", "focus/auth.py", "focus/client.py", "targets/exact_online/auth.py", "targets/octopus/auth.py"}


def findings(path: Path, package: Path = PACKAGE) -> list[str]:
    name = path.relative_to(package).as_posix()
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if name not in TIME_ONLY:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
                out.append(f"{name}:{node.lineno}: float(...)")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                out.append(f"{name}:{node.lineno}: float literal {node.value!r}")
        if (name not in PLAIN_JSON and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "json" and not node.args and not node.keywords):
            out.append(f"{name}:{node.lineno}: .json() parses amounts as floats")
    return out


def test_no_module_of_the_money_path_uses_a_float():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 40
    assert [f for path in modules for f in findings(path)] == []


def test_the_guard_itself_catches_a_float_in_a_money_module(tmp_path):
    """A test that cannot fail is a defect: a money module with a float in it is reported, thrice here."""
    module = tmp_path / "booking.py"
    module.write_text("amount = float(line.amount) * 1.0\nbody = response.json()\n")
    assert sorted(findings(module, tmp_path)) == ["booking.py:1: float literal 1.0", "booking.py:1: float(...)",
                                                 "booking.py:2: .json() parses amounts as floats"]
