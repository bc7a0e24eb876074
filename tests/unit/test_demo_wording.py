"""``make demo``'s closing lines say what the second run proved, apart from the run's red status."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def second_run_line(*args, **kwargs) -> str:
    spec = importlib.util.spec_from_file_location("demo_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.second_run_line(*args, **kwargs)


def test_a_red_second_run_that_wrote_nothing_reads_as_proof_not_failure():
    line = second_run_line("demo_be", 0, 0, green=False)
    assert "0 documents booked, 0 write calls — nothing was booked twice" in line
    assert "(failed)" not in line
    assert "red only because the demo's deliberately bad documents still wait for a fix" in line


def test_a_second_run_that_wrote_says_so():
    assert "SOMETHING WAS WRITTEN AGAIN" in second_run_line("demo_be", 1, 1, green=True)
