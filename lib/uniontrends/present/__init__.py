"""Layer 4, present: documents made from findings and data.

Figures, tables for notebooks and spreadsheets, HTML export, the annual report's sections and
its PDF. Text from data files is escaped where it enters a document (``uniontrends.safe``).

May import: ``uniontrends.findings``, ``uniontrends.stats``, ``uniontrends.data`` and
``uniontrends.errors``.
"""
