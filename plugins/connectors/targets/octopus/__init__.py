"""Octopus behind the target contract: REST with per-endpoint daily quotas.

Protocol facts this package handles (apis.md §3): three-step authentication
(software-house UUID + user/password → 10-minute token → 10-minute dossier
token in a ``dossierToken`` header, no refresh: authenticate again) (``auth``);
errors as ``{"errorCode", "errorMessage", "technicalInfo"}``; 404 "No … found"
meaning nothing found — any other 404 is an error (``api``); 403 for a closed
book year or journal; per-endpoint daily quotas (accounts and VAT codes twice
a day, relation listing twice a day, bookings 400 a day, ``/modified`` 48 a
day).

How the connector plans around the quotas:

- master data is reused for 12 hours (``master_data_max_age``; the pipeline
  caches it in the state database), book years come from that copy;
- relations are never listed: a new party is looked up by VAT number and the
  connector's own ``externalRelationId`` in one search, and written with one
  upserting ``PUT`` keyed by that number (``parties``);
- a document is one ``POST``; its number in the journal is the journal's
  ``lastBookedDocumentNr`` + 1 (``bookings``);
- the connector's reference travels in ``orderReference``; bookings are read
  back per book year through ``/buysellbookings/modified`` — one journal
  after a lost answer, the whole book year when the ledger is rebuilt.
"""

from __future__ import annotations

from connectors.connections import ConnectionInfo
from connectors.oauth import AuthError
from connectors.targets.base import TargetContext
from connectors.targets.octopus.auth import BASE_URL, RECONNECT_HINT
from connectors.targets.octopus.parties import octopus_vat_number
from connectors.targets.octopus.target import OctopusTarget

__all__ = ["BASE_URL", "OctopusTarget", "build", "oauth", "octopus_vat_number"]


def build(connection: ConnectionInfo, context: TargetContext) -> OctopusTarget:
    """From an Airflow connection: host = API base URL, login/password = the Octopus user,
    extra ``software_house_uuid`` = the UUID Octopus gave the software house, ``timeout`` = seconds to
    wait for an answer (default 30)."""
    software_house = connection.extra.get("software_house_uuid") or ""
    if not software_house:
        raise AuthError(f"Connection {connection.conn_id!r} has no software_house_uuid in its extra; {RECONNECT_HINT}")
    dossier = context.administration
    return OctopusTarget.connect(connection.host or BASE_URL, software_house, connection.login, connection.password,
                                 context.tokens_for(f"dossier:{dossier}"), dossier, external_ids=context.external_ids,
                                 cached_master_data=context.cached_master_data,
                                 timeout=float(connection.extra.get("timeout", 30)))


def oauth(connection: ConnectionInfo) -> None:
    """Octopus has no consent step: the connection's user and password are the credentials."""
    return None
