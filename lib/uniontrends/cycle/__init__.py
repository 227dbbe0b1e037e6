"""Layer 7, cycle: the yearly round of a federation's figures.

The workbook a clerk fills in for a new year (``template``) and its intake into the annual
tables (``add_year``).

May import: ``uniontrends.data`` and ``uniontrends.errors`` (and any layer below).
"""
