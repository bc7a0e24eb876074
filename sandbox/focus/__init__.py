"""Teamleader Focus API emulator (see sandbox/README.md)."""
