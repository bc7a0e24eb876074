"""The package writers, by package key. Adding a package: one module here with a ``Writer`` subclass, one line
in ``_MODULES``, and its tests (``tests/exports/``)."""

from __future__ import annotations

from importlib import import_module

from connectors.exports.writers.base import Gap, PackageParam, Writer

__all__ = ["PACKAGES", "Gap", "PackageParam", "Writer", "writer_for", "writers"]

#: package key → module holding its ``Writer`` (the module's ``WRITER`` attribute).
_MODULES = {
    "ubl": "connectors.exports.writers.ubl",
    "csv": "connectors.exports.writers.generic_csv",
}
PACKAGES = tuple(_MODULES)


def writer_for(package: str) -> Writer:
    """A fresh writer for ``package``; a ``KeyError`` names the packages there are."""
    if package not in _MODULES:
        raise KeyError(f"unknown package {package!r}; choose one of {', '.join(PACKAGES)}")
    return import_module(_MODULES[package]).WRITER()


def writers() -> dict[str, type[Writer]]:
    return {package: import_module(module).WRITER for package, module in _MODULES.items()}
