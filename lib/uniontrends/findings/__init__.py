"""Layer 3, findings: statistics turned into statements a reader can trust.

The ``Finding`` record (findings.json), the wording of numbers, units and bounds in each
language, the findings of a trend summary, of published figures and of the audit, and the
comparison of two editions.

May import: ``uniontrends.stats``, ``uniontrends.data`` and ``uniontrends.errors``.
"""
