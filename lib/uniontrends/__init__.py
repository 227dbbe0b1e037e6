"""uniontrends: five-year trends in trade-union work, from validated data to findings.

The public API, what a notebook or a script uses::

    import uniontrends as ut

    s = ut.start("02_dispute_resolution", region="putuo", year=2022)   # in a notebook
    ut.explore()                                                        # the explorer
    package = ut.open_package("data/")                                  # a data package
    summary = ut.run(["putuo"], [2022])                                 # the batch runner

Everything else is internal and may change. Names are imported when first used, so
``import uniontrends`` (and the command line) starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "start": "uniontrends.notebook.session",
    "explore": "uniontrends.notebook.explorer",
    "Session": "uniontrends.notebook.session",
    "open_package": "uniontrends.data.package",
    "DataPackage": "uniontrends.data.package",
    "validate_package": "uniontrends.data.package",
    "Finding": "uniontrends.findings.record",
    "read_findings": "uniontrends.findings.record",
    "summarize": "uniontrends.findings.trend",
    "load_registry": "uniontrends.notebook.registry",
    "run": "uniontrends.run.runner",
    "UniontrendsError": "uniontrends.errors",
    "DataError": "uniontrends.errors",
    "ParameterError": "uniontrends.errors",
}
__all__ = [
    "DataError",
    "DataPackage",
    "Finding",
    "ParameterError",
    "Session",
    "UniontrendsError",
    "__version__",
    "explore",
    "load_registry",
    "open_package",
    "preload",
    "read_findings",
    "run",
    "start",
    "summarize",
    "validate_package",
]

if TYPE_CHECKING:
    from uniontrends.data.package import DataPackage, open_package, validate_package
    from uniontrends.errors import DataError, ParameterError, UniontrendsError
    from uniontrends.findings.record import Finding, read_findings
    from uniontrends.findings.trend import summarize
    from uniontrends.notebook.explorer import explore
    from uniontrends.notebook.registry import load_registry
    from uniontrends.notebook.session import Session, start
    from uniontrends.run.runner import run


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'uniontrends' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


def preload() -> None:
    """Import what a notebook uses (data, statistics, plotting) now rather than in its first
    cell: a kernel launched ahead of its notebooks calls this while the data are checked."""
    for module in (
        "uniontrends.notebook.session",
        "uniontrends.notebook.views",
        "uniontrends.present.plots",
        "uniontrends.present.export",
    ):
        importlib.import_module(module)
