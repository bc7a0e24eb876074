"""``list_includes``: the sandbox's ``includes`` extension on invoices.list / creditNotes.list can be
honoured (default), ignored (the real API's list shape) or refused (400), per config or command line."""

from __future__ import annotations

import pytest

EXTENSION = "grouped_lines,discounts,payments,payment_term"
INFO_FIELDS = {"grouped_lines", "discounts", "payments", "payment_term"}


def test_the_default_honours_the_extension(focus, api):
    assert focus.admin("GET", "config").json()["list_includes"] == "honour"
    assert focus.admin("GET", "health").json()["default_config"]["list_includes"] == "honour"
    item = api.data("invoices.list", {"includes": EXTENSION, "page": {"size": 1}})[0]
    assert set(item) >= INFO_FIELDS


def test_ignore_answers_the_documented_list_shape(focus, api):
    plain = api.data("invoices.list", {"page": {"size": 5}})
    focus.configure(list_includes="ignore")
    ignored = api.data("invoices.list", {"includes": f"{EXTENSION},late_fees", "page": {"size": 5}})
    assert ignored == plain and not INFO_FIELDS & set(ignored[0])
    notes = api.data("creditNotes.list", {"includes": "grouped_lines,discounts"})
    assert notes and not any(INFO_FIELDS & set(note) for note in notes)


def test_ignore_still_honours_pagination(focus, api):
    focus.configure(list_includes="ignore")
    paged = api.post("invoices.list", {"includes": f"{EXTENSION},pagination", "page": {"size": 5}}).json()
    assert paged["meta"] == {"page": {"size": 5, "number": 1}, "matches": 50}


@pytest.mark.parametrize("endpoint, includes", [
    ("invoices.list", "grouped_lines"),
    ("invoices.list", "late_fees,payments"),
    ("creditNotes.list", "discounts"),
    ("creditNotes.list", "pagination,grouped_lines"),
])
def test_refuse_answers_400_in_the_focus_error_format(focus, api, endpoint, includes):
    focus.configure(list_includes="refuse")
    refused = api.post(endpoint, {"includes": includes})
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["status"] == 400 and error["title"].startswith("includes must be a comma-separated list of:")


def test_refuse_accepts_what_the_vendor_documents(focus, api):
    focus.configure(list_includes="refuse")
    invoices = api.post("invoices.list", {"includes": "late_fees,pagination", "page": {"size": 2}})
    assert invoices.status_code == 200 and invoices.json()["meta"]["matches"] == 50
    assert api.post("creditNotes.list", {"includes": "pagination"}).status_code == 200
    assert api.post("invoices.list", {}).status_code == 200


def test_unknown_include_names_are_400_in_every_mode(focus, api):
    for mode in ("honour", "ignore", "refuse"):
        focus.configure(list_includes=mode)
        assert api.post("invoices.list", {"includes": "everything"}).status_code == 400, mode


def test_the_setting_is_validated(focus):
    for value in ("sometimes", 1, None, True):
        refused = focus.admin("POST", "config", {"list_includes": value})
        assert refused.status_code == 400 and "list_includes" in refused.json()["error"]
    assert focus.admin("GET", "config").json()["list_includes"] == "honour"


def test_reset_runtime_restores_honour(focus, api):
    focus.configure(list_includes="refuse")
    focus.reset_runtime()
    assert api.post("invoices.list", {"includes": "grouped_lines"}).status_code == 200


def test_command_line_option(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=3, list_includes="refuse")
    assert sandbox.admin("GET", "config").json()["list_includes"] == "refuse"


def test_the_setting_persists_across_a_restart(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=3)
    sandbox.configure(list_includes="ignore")
    sandbox.restart()
    assert sandbox.admin("GET", "config").json()["list_includes"] == "ignore"
