"""Octopus's live-tunable settings, with the production values as defaults.

Changed through ``POST /_sandbox/config`` (persisted) or the command line
(``--token-ttl``, ``--no-quotas``). The quotas themselves are fixed per
operation (``quotas.QUOTAS``): the point of this sandbox is that a client
lives within the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OctopusSettings:
    #: Lifetime (s) of both the user token and the dossier token ("valid for 10 minutes").
    token_ttl: int = 600
    #: Refuse calls over the daily quota (429); when off, calls are still counted.
    enforce_quotas: bool = True
