"""Exact Online emulator: OAuth2 with rotating 10-minute tokens, an OData v2 JSON API per
division (accounts, masters, sales/purchase entries, open items) and Exact's rate limits."""
