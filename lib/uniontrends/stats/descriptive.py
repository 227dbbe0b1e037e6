"""Descriptive statistics of a series: growth rates and period aggregates."""

from __future__ import annotations

import numpy as np

from uniontrends.errors import UniontrendsError


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate (end / start) ** (1 / years) - 1, a share per year.

    Args:
        start: value at the first year (> 0).
        end: value at the last year (>= 0).
        years: years between them (last year - first year, > 0).
    """
    if not start > 0:
        raise UniontrendsError(f"CAGR needs a positive starting value, got {start}")
    if end < 0 or not years > 0:
        raise UniontrendsError(f"CAGR needs end >= 0 and years > 0, got {end}, {years}")
    return float((end / start) ** (1.0 / years) - 1.0)


def aggregate(values: np.ndarray, aggregation: str) -> float:
    """The value of a period as the catalog aggregates it: "sum", "mean" or "last"."""
    if aggregation == "sum":
        return float(values.sum())
    if aggregation == "mean":
        return float(values.mean())
    return float(values[-1])
