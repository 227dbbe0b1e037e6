"""Layer 1, data: what a data package holds, read and checked.

Holds the data model (columns, units, qualifiers, the domain's bounds), the Chinese quantity
parser, table readers, the indicator catalog, regions, validation rules, derived rates, the
reference series, the synthetic generator and ``DataPackage``, the one object a run passes down.

May import: ``uniontrends.errors`` and its own modules. Nothing here knows about statistics,
findings, documents, notebooks or runs.
"""
