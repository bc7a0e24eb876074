"""Offline export: files for desktop accounting packages, made from one department's booked Focus documents.

The steps (``job``): collect (Focus → state database) → validate (GX) → quote → review (a person approves) →
write (one writer per package, into a staging folder) → publish and bill (one transaction) → report.
"""
