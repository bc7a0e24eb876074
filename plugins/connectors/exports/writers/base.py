"""The one interface every package writer implements: a new package is one module plus its tests.

A writer turns an ``ExportBatch`` into files in a folder it is given (the export's staging folder); it never
publishes, charges or touches the state database. It says what its package needs of a customer
(``customer_gaps``) so validation can refuse an export before anything is written, and it may check its own
files (``check``) — a file that fails is never published.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from connectors.exports.records import ExportBatch, ExportCustomer


@dataclass(frozen=True)
class PackageParam:
    """One of a package's own parameters, as shown on the trigger form and taken by ``exports setup``."""

    name: str
    default: Any
    title: str
    description: str
    #: JSON Schema type: string | boolean | integer
    type: str = "string"
    enum: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Gap:
    """Something the package needs that a customer lacks: the field and the fix, in words."""

    field: str
    message: str


class Writer(ABC):
    #: The package's key (``--package``, the form's choice, the customer numbers' scope).
    package: ClassVar[str]
    #: How people name it.
    title: ClassVar[str]
    params: ClassVar[tuple[PackageParam, ...]] = ()

    def customer_gaps(self, customer: ExportCustomer, vat_categories: Iterable[str]) -> list[Gap]:
        """What this package needs of ``customer`` that is missing, given the VAT categories of its documents."""
        return []

    @abstractmethod
    def write(self, batch: ExportBatch, folder: Path) -> list[Path]:
        """Write the export's files into ``folder`` (it exists and is empty); return them."""

    def check(self, files: list[Path]) -> list[str]:
        """Problems with files this writer wrote (e.g. official rules they break); empty when they are fine."""
        return []
