"""Accounting tools behind one contract (``targets.base.Target``)."""
