"""Trend tests on one annual series: OLS slope, Theil-Sen slope and the Mann-Kendall test.

Each takes years and values (at least 3, finite) and returns a small frozen record; how the
three are combined into an evidence level is in ``stats.evidence``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import stats

from uniontrends.errors import UniontrendsError


@dataclass(frozen=True)
class OLSTrend:
    """OLS of value on year: slope in unit per year, intercept at the first year."""

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int


@dataclass(frozen=True)
class TheilSen:
    """Theil-Sen median slope (unit per year) with its confidence interval."""

    slope: float
    intercept: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall S, Kendall tau-b, the two-sided p-value and how it was computed."""

    s: int
    tau: float
    p_value: float
    method: str
    var_s: float


def as_arrays(years: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise UniontrendsError("years and values must be 1-d and of equal length")
    if len(x) < 3:
        raise UniontrendsError(f"a trend needs at least 3 annual values, got {len(x)}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise UniontrendsError("years and values must be finite (no missing values)")
    return x, y


def ols_trend(years: Any, values: Any, alpha: float = 0.05) -> OLSTrend:
    """OLS slope of values on years with a (1 - alpha) t-interval.

    Args:
        years: years (int), at least 3.
        values: one value per year, in the indicator's unit.

    Returns:
        slope (unit per year), intercept (value at the first year), CI and two-sided p-value.
    """
    x, y = as_arrays(years, values)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sm.OLS(y, sm.add_constant(x - x[0])).fit()
        ci = res.conf_int(alpha)
    slope, p = float(res.params[1]), float(res.pvalues[1])
    if not math.isfinite(p):
        # a perfect fit: zero residual variance, the slope is known exactly
        p = 1.0 if slope == 0 else 0.0
    return OLSTrend(slope, float(res.params[0]), float(ci[1][0]), float(ci[1][1]), p, len(y))


def theil_sen(years: Any, values: Any, alpha: float = 0.05) -> TheilSen:
    """Theil-Sen slope (median of pairwise slopes) with a (1 - alpha) CI (scipy)."""
    x, y = as_arrays(years, values)
    res = stats.theilslopes(y, x, alpha=1 - alpha)
    intercept = float(res.intercept + res.slope * x[0])
    return TheilSen(float(res.slope), intercept, float(res.low_slope), float(res.high_slope))


def mann_kendall_s(values: Any) -> int:
    """Mann-Kendall S: sum of sign(x_j - x_i) over i < j (values in time order)."""
    v = np.asarray(values, dtype=float)
    i, j = np.triu_indices(len(v), k=1)
    return int(np.sign(v[j] - v[i]).sum())


def mann_kendall(years: Any, values: Any) -> MannKendall:
    """Mann-Kendall trend test.

    Exact two-sided p (scipy ``kendalltau(method="exact")``) when there are no ties and n <= 50;
    otherwise the normal approximation with tie-corrected variance and continuity correction.
    A constant series has S = 0 and p = 1.
    """
    x, y = as_arrays(years, values)
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    n = len(y)
    s = mann_kendall_s(y)
    _, counts = np.unique(y, return_counts=True)
    ties = counts[counts > 1]
    var_s = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18
    if var_s == 0:
        return MannKendall(0, 0.0, 1.0, "constant series", 0.0)
    if len(ties) == 0 and n <= 50:
        res = stats.kendalltau(x, y, method="exact")
        return MannKendall(s, float(res.statistic), float(res.pvalue), "exact", var_s)
    z = (s - np.sign(s)) / math.sqrt(var_s)
    tau = float(stats.kendalltau(x, y).statistic)
    return MannKendall(s, tau, float(2 * stats.norm.sf(abs(z))), "normal, tie-corrected", var_s)
