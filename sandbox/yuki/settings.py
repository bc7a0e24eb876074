"""Yuki's live-tunable settings, with the values the sandbox takes for production as defaults.

Changed through ``POST /_sandbox/config`` (persisted) or the command line
(``--session-idle``, ``--daily-limit``). Both are SILENT in the sources:
20 minutes is ASP.NET's default session timeout, 1,000 calls per domain per
day is the documented default web-service limit ("Yuki Webservice" raises it
to 5,000, "Extended" to 10,000: set ``daily_limit`` to emulate those).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class YukiSettings:
    #: A session lapses after this many seconds without a call (each call renews it).
    session_idle_seconds: int = 1200
    #: SOAP calls per domain per calendar day (Europe/Amsterdam) before the cap fault.
    daily_limit: int = 1000
