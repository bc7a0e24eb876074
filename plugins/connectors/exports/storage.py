"""Where export files go: an exports location that Airflow's ``ObjectStoragePath`` understands.

``CONNECTOR_EXPORTS_URL`` picks it — a local folder by default (``exports/`` in a checkout, else
``$AIRFLOW_HOME/exports``), or any URL ObjectStoragePath supports (``s3://conn_id@bucket/exports``,
``gcs://…``, ``file:///…``). A writer writes into a local temporary folder; its files are staged under
``.staging/export-<id>/`` of the location (so the publishing task may run on another worker), and publishing
copies them to ``<entity>/<period>_<package>_export-<id>/``. Problems reports go to ``<entity>/reports/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from connectors.entities import SOURCE_INCLUDE

BLOCK = 1 << 20
#: A location chosen for one command (``focus-connector export --out DIR``), over the configured one.
_OVERRIDE: ContextVar[str | None] = ContextVar("exports_location", default=None)


@contextlib.contextmanager
def location(url: str | None) -> Iterator[None]:
    """Use ``url`` as the exports location inside the block (nothing changes when it is None)."""
    token = _OVERRIDE.set(url) if url else None
    try:
        yield
    finally:
        if token is not None:
            _OVERRIDE.reset(token)


def exports_url() -> str:
    configured = _OVERRIDE.get() or os.environ.get("CONNECTOR_EXPORTS_URL")
    if configured:
        return configured
    if SOURCE_INCLUDE.is_dir():  # a checkout: exports/ at the repository root (git-ignored)
        return (SOURCE_INCLUDE.parent / "exports").as_uri()
    return (Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow")) / "exports").as_uri()


def root():
    from airflow.sdk import ObjectStoragePath

    url = exports_url()
    if "://" not in url:
        url = Path(url).resolve().as_uri()
    return ObjectStoragePath(url)


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


def _copy(source, target) -> StoredFile:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, target.open("wb") as dst:
        while block := src.read(BLOCK):
            digest.update(block)
            size += len(block)
            dst.write(block)
    return StoredFile(target.name, size, digest.hexdigest())


def checksum(files: list[StoredFile]) -> str:
    """One SHA-256 for an export: over each file's name and SHA-256, in name order."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f"{f.name}  {f.sha256}\n".encode())
    return digest.hexdigest()


def stage(local_files: list[Path], export_id: int) -> tuple[str, list[StoredFile]]:
    """Copy a writer's files to the location's staging folder for this export (replacing an earlier try)."""
    folder = root() / ".staging" / f"export-{export_id}"
    _empty(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stored = [_copy(_local(path), folder / path.name) for path in local_files]
    return str(folder), stored


def publish(staging: str, entity: str, name: str) -> tuple[str, list[StoredFile]]:
    """Copy the staged files to their published folder; returns it and the files as published."""
    from airflow.sdk import ObjectStoragePath

    source = ObjectStoragePath(staging)
    target = root() / entity / name
    _empty(target)
    target.mkdir(parents=True, exist_ok=True)
    try:
        stored = [_copy(path, target / path.name) for path in sorted(source.iterdir(), key=lambda p: p.name)]
    except BaseException:
        _empty(target, remove=True)  # never leave half an export where people download them
        raise
    return str(target), stored


def unpublish(location: str) -> None:
    """Remove a published folder whose export could not be recorded (best effort)."""
    from airflow.sdk import ObjectStoragePath

    _empty(ObjectStoragePath(location), remove=True)


def drop_staging(staging: str | None) -> None:
    if staging:
        from airflow.sdk import ObjectStoragePath

        _empty(ObjectStoragePath(staging), remove=True)


def write_report(entity: str, export_id: int, text: str) -> str:
    """A problems report for people to read (``<entity>/reports/export-<id>-problems.txt``)."""
    folder = root() / entity / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"export-{export_id}-problems.txt"
    with path.open("wb") as handle:
        handle.write(text.encode())
    return str(path)


def _local(path: Path):
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(path.resolve().as_uri())


def _empty(folder, *, remove: bool = False) -> None:
    try:
        children = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return
    for child in children:
        if child.is_dir():
            _empty(child, remove=True)
        else:
            child.unlink()
    if remove:
        with contextlib.suppress(OSError):
            folder.rmdir()
