"""Export settings per department (``focus-connector exports setup``), so that a trigger needs only the period.

A profile names a Focus department for offline export (its entity name is what the DAG form and the command
line use) and holds: the ledger account per VAT rate for lines without one (Teamleader's "auto-suggest
accounts at certain VAT tariffs", used only when ``fill_lines_by_rate`` is on), the sales discount account,
the default journals, how customer numbers are managed, the VAT category of rates that are not standard-rated
(0 % zero-rated, reverse charge, intra-community, export, exempt), the default package and each package's
parameters. The DAG reads a snapshot of the profiles (``export_entities.json``), never the database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from connectors import entities
from connectors.state.db import session_scope, sessions
from connectors.state.export_models import ExportProfile

#: UNCL5305 categories a 0 % rate can mean, with the VATEX code and text the Peppol rules want for each.
ZERO_RATE_CATEGORIES = {
    "Z": (None, None),
    "E": ("VATEX-EU-132", "Exempt from VAT"),
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Intra-community supply"),
    "G": ("VATEX-EU-G", "Export outside the EU"),
    "O": ("VATEX-EU-O", "Not subject to VAT"),
}
#: Words in a Focus tax rate's description that say what a 0 % rate is (Teamleader's own names and the usual
#: Dutch, French and English ones); a setting always wins over a suggestion.
CATEGORY_WORDS = (
    ("AE", ("medecontract", "cocontract", "reverse", "verlegd", "autoliquidation", "verlegging")),
    ("K", ("intracom", "intra-com", "intra com", "intra-eu", "ic-lever", "ic levering")),
    ("G", ("export", "buiten de eu", "hors ue", "outside the eu", "extra-eu")),
    ("E", ("exempt", "vrijgesteld", "exonér", "exoner", "art. 44", "artikel 44", "article 44")),
    ("O", ("not subject", "niet onderworpen", "hors champ", "outside scope", "out of scope")),
)
CUSTOMER_NUMBER_MODES = ("generate", "manual")
DEFAULT_NUMBER_START = 100000


class ProfileMissing(LookupError):
    """No export profile with that entity name."""


@dataclass(frozen=True)
class ExportSettings:
    #: VAT rate as fraction text ("0.21") → ledger account for lines without one.
    ledger_by_rate: dict[str, str] = field(default_factory=dict)
    fill_lines_by_rate: bool = False
    sales_discount_account: str | None = None
    invoice_journal: str = "VF"
    credit_note_journal: str = "VC"
    customer_numbers: str = "generate"
    number_start: int = DEFAULT_NUMBER_START
    #: Focus tax rate description ("0% Medecontractant") or rate text ("0") → UNCL5305 category, for 0 % rates.
    vat_categories: dict[str, str] = field(default_factory=dict)
    package: str = "ubl"
    export_customers: bool = True
    #: package → {parameter: value}
    package_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def ledger_for(self, rate: Decimal) -> str | None:
        return {Decimal(k): v for k, v in self.ledger_by_rate.items()}.get(rate)

    def category_for(self, rate: Decimal, description: str | None = None) -> str:
        """The UNCL5305 category of a Focus tax rate: S above zero; for 0 %, the setting for its description,
        else the setting for the rate, else what its description says (reverse charge, intra-community…),
        else Z (zero-rated)."""
        if rate > 0:
            return "S"
        if description and description in self.vat_categories:
            return self.vat_categories[description]
        by_rate = {Decimal(k): v for k, v in self.vat_categories.items() if _is_rate(k)}
        if rate in by_rate:
            return by_rate[rate]
        return suggested_category(description)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ExportSettings:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def updated(self, **changes: Any) -> ExportSettings:
        """A copy with the given settings changed (``None`` leaves a setting as it is); dicts are merged."""
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if value is None:
                continue
            current = getattr(self, name)
            if isinstance(current, dict) and name == "package_params":
                merged = {k: dict(v) for k, v in current.items()}
                for package, params in value.items():
                    merged.setdefault(package, {}).update(params)
                values[name] = merged
            elif isinstance(current, dict):
                values[name] = {**current, **value}
            else:
                values[name] = value
        return replace(self, **values)


def _is_rate(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def suggested_category(description: str | None) -> str:
    """What a 0 % tax rate's description says it is; Z when it says nothing more."""
    text = (description or "").casefold()
    for category, words in CATEGORY_WORDS:
        if any(word in text for word in words):
            return category
    return "Z"


@dataclass(frozen=True)
class Profile:
    entity: str
    department_id: str
    department_name: str
    country: str | None
    settings: ExportSettings


def _profile(row: ExportProfile) -> Profile:
    return Profile(row.entity, row.department_id, row.department_name, row.country,
                   ExportSettings.from_json(row.settings))


def load_profile(engine: Engine, entity: str) -> Profile:
    with sessions(engine)() as session:
        row = session.scalars(select(ExportProfile).where(ExportProfile.entity == entity)).first()
    if row is None:
        raise ProfileMissing(f"no export profile {entity!r}; set one up with `focus-connector exports setup "
                             f"{entity} --department <Focus department>`")
    return _profile(row)


def list_profiles(engine: Engine) -> list[Profile]:
    with sessions(engine)() as session:
        return [_profile(row) for row in session.scalars(select(ExportProfile).order_by(ExportProfile.entity))]


def save_profile(engine: Engine, profile: Profile) -> Profile:
    """Create or update the profile of ``profile.entity`` and rewrite the snapshot the DAG reads."""
    with session_scope(engine) as session:
        row = session.scalars(select(ExportProfile).where(ExportProfile.entity == profile.entity)).first()
        if row is None:
            row = ExportProfile(entity=profile.entity)
            session.add(row)
        row.department_id = profile.department_id
        row.department_name = profile.department_name
        row.country = profile.country
        row.settings = profile.settings.to_json()
    write_snapshot(list_profiles(engine))
    return profile


# -- the snapshot the offline-export DAG's form reads ----------------------------------------------------


def snapshot_file() -> Path:
    """``CONNECTOR_EXPORT_ENTITIES_FILE``, or ``export_entities.json`` in the include folder."""
    return entities.snapshot_file("CONNECTOR_EXPORT_ENTITIES_FILE", "export_entities.json")


@dataclass(frozen=True)
class ExportEntity:
    """What the trigger form shows for a department and pre-fills from its settings."""

    entity: str
    department_name: str
    package: str
    invoice_journal: str
    credit_note_journal: str
    customer_numbers: str


def write_snapshot(profiles: list[Profile], path: Path | None = None) -> None:
    path = path or snapshot_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [asdict(ExportEntity(p.entity, p.department_name, p.settings.package, p.settings.invoice_journal,
                                p.settings.credit_note_journal, p.settings.customer_numbers))
            for p in sorted(profiles, key=lambda p: p.entity)]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=2) + "\n")
    tmp.replace(path)


def read_snapshot(path: Path | None = None) -> list[ExportEntity]:
    """The export entities for the DAG form; an unreadable snapshot gives none (the form then says so)."""
    path = path or snapshot_file()
    try:
        rows = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return []
    known = ExportEntity.__dataclass_fields__
    out = []
    for row in rows if isinstance(rows, list) else []:
        try:
            out.append(ExportEntity(**{k: v for k, v in row.items() if k in known}))
        except TypeError:
            continue
    return out
