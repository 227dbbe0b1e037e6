"""Layer 5, notebook: what a notebook calls.

Checked parameters, the notebook registry (which notebook exists, its area, which findings it
needs), and ``Session``, the one object a notebook uses.

May import: every layer below (present, findings, stats, data) and ``uniontrends.errors``;
``uniontrends.config`` only in ``session.start``, an entry point.
"""
