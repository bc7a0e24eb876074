"""Octopus emulator: 3-step session authentication (user token, then a dossier token), REST endpoints
under ``/octopus-rest-api/v1`` for reference data, relations, buy/sell bookings and open items, and
Octopus's per-endpoint daily quotas."""
