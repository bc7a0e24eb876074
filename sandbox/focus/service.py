"""Seeding and the manifest: the Focus side of the shared admin API."""

from __future__ import annotations

from typing import Any

from sandbox.common.store import Meta
from sandbox.focus.catalog import MAX_DEPARTMENTS, MIN_DEPARTMENTS
from sandbox.focus.generator import MAX_INVOICES, generate
from sandbox.focus.manifest import build_manifest
from sandbox.focus.store import FocusStore

_SEED_KEY = "focus.seed"


def _validated(params: dict[str, Any]) -> dict[str, int]:
    """``seed``, ``invoices`` and ``departments`` (absent: 3, as before the option existed)."""
    params = {"departments": MIN_DEPARTMENTS, **params}
    unknown = set(params) - {"seed", "invoices", "departments"}
    if unknown:
        raise ValueError(f"unknown seed parameters: {sorted(unknown)}")
    for key in ("seed", "invoices", "departments"):
        if isinstance(params.get(key), bool) or not isinstance(params.get(key), int):
            raise ValueError(f"{key} must be an integer")
    if not 1 <= params["invoices"] <= MAX_INVOICES:
        raise ValueError(f"invoices must be between 1 and {MAX_INVOICES}")
    if not MIN_DEPARTMENTS <= params["departments"] <= MAX_DEPARTMENTS:
        raise ValueError(f"departments must be between {MIN_DEPARTMENTS} and {MAX_DEPARTMENTS}")
    return {"seed": params["seed"], "invoices": params["invoices"], "departments": params["departments"]}


class FocusService:
    name = "focus"

    def __init__(self, store: FocusStore, meta: Meta, defaults: dict[str, int]) -> None:
        self._store = store
        self._meta = meta
        self._defaults = defaults

    def seed_params(self) -> dict[str, Any]:
        return _validated(dict(self._meta.get(_SEED_KEY) or self._defaults))

    def seed(self, params: dict[str, Any]) -> dict[str, Any]:
        clean = _validated(params)
        self._store.load(generate(clean["seed"], clean["invoices"], clean["departments"]))
        self._meta.put(_SEED_KEY, clean)
        return clean

    def manifest(self) -> dict[str, Any]:
        return build_manifest(self._store)
