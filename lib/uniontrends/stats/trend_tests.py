"""Trend tests on one annual series: OLS slope, mean yearly change, Theil-Sen and Mann-Kendall.

Each takes years and values (at least 3, finite; years need not be consecutive) and returns a
small frozen record; which test grades which kind of series, and how, is in ``stats.evidence``.

- ``ols_trend``: OLS slope with a t(n - 2) interval. A perfect fit (residuals all zero) has no
  sampling interval and no p-value: it is reported as a perfect fit, never as p = 0 with a
  zero-width interval.
- ``drift_test``: the mean yearly change of a stock from its year-to-year changes
  d_i = y_i - y_(i-1) over gaps g_i: d_i ~ (drift x g_i, tau^2 x g_i), drift = (y_last -
  y_first) / span, t(m - 1) on the m changes. Valid when the series is a random walk (a stock's
  changes are its independent part); conservative when it is noise around a level.
- ``walk_slope_variance``: the variance an OLS slope would get from a random walk with the
  series' own step variance (estimated from its changes, as in ``drift_test``): what a rate
  per member inherits from its members wandering (a stock in the denominator).
- ``theil_sen``: median of pairwise slopes with Sen's distribution-free interval from the exact
  null distribution of Kendall's S; the interval's attained confidence level is reported
  (with n = 5 the nearest level at or above 95 % is 98.3 %, the min-max of the slopes; n < 5
  gives none).
- ``mann_kendall``: S and the exact two-sided p-value from all n! orderings of the observed
  values, ties included, for n <= 9 (cached by tie pattern); for untied series up to n = 50 the
  exact distribution of S (the Mahonian numbers, as scipy's exact Kendall test); otherwise
  the normal approximation with tie-corrected variance and continuity correction.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from uniontrends.errors import UniontrendsError

# Up to 9! = 362,880 orderings are enumerated for an exact p with ties (about 0.2 s once per
# tie pattern); beyond that the normal approximation is close enough.
EXACT_TIES_MAX_N = 9
EXACT_NO_TIES_MAX_N = 50
# A fit is perfect when the residual sum of squares is this small relative to the values' sum
# of squares about their mean (floating-point noise of an exactly linear series).
PERFECT_FIT_TOL = 1e-20


@dataclass(frozen=True)
class OLSTrend:
    """OLS of value on year: slope in unit per year, intercept at the first year.

    ci_low, ci_high and p_value are None for a perfect fit (``perfect_fit``).
    """

    slope: float
    intercept: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n: int
    perfect_fit: bool = False
    se: float | None = None


@dataclass(frozen=True)
class DriftTest:
    """Mean yearly change from the year-to-year changes: drift in unit per year, t(df) interval.

    ci_low, ci_high and p_value are None when every change equals the drift (``perfect_fit``).
    """

    drift: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    df: int
    n: int
    perfect_fit: bool = False


@dataclass(frozen=True)
class TheilSen:
    """Theil-Sen median slope (unit per year) with Sen's interval at its attained level.

    ci_low and ci_high are NaN and ci_level None when n is too small for the nominal level.
    """

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    ci_level: float | None = None


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall S, Kendall tau-b, the two-sided p-value and how it was computed."""

    s: int
    tau: float
    p_value: float
    method: str
    var_s: float


def as_arrays(years: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Years and values as float arrays, checked: 1-d, equal length, at least 3, finite."""
    x, y = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise UniontrendsError("years and values must be 1-d and of equal length")
    if len(x) < 3:
        raise UniontrendsError(f"a trend needs at least 3 annual values, got {len(x)}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise UniontrendsError("years and values must be finite (no missing values)")
    if len(np.unique(x)) != len(x):
        raise UniontrendsError("years must be distinct")
    return x, y


def _perfect(residuals: np.ndarray, values: np.ndarray) -> bool:
    spread = float(np.sum((values - values.mean()) ** 2))
    return float(np.sum(residuals**2)) <= PERFECT_FIT_TOL * max(spread, 1e-300)


def ols_trend(years: Any, values: Any, alpha: float = 0.05) -> OLSTrend:
    """OLS slope of values on years with a (1 - alpha) t(n - 2) interval.

    Args:
        years: years (int), at least 3, distinct.
        values: one value per year, in the indicator's unit.
        alpha: 1 - confidence level.

    Returns:
        slope (unit per year), intercept (value at the first year), CI and two-sided p-value;
        for a perfect fit CI and p-value are None.
    """
    x, y = as_arrays(years, values)
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    xc = x - x.mean()
    sxx = float(np.sum(xc**2))
    slope = float(np.sum(xc * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * (x.mean() - x[0]))
    residuals = y - (intercept + slope * (x - x[0]))
    if _perfect(residuals, y):
        return OLSTrend(slope, intercept, None, None, None, len(y), perfect_fit=True)
    df = len(y) - 2
    se = math.sqrt(float(np.sum(residuals**2)) / df / sxx)
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    p = float(2 * stats.t.sf(abs(slope) / se, df))
    return OLSTrend(slope, intercept, slope - half, slope + half, p, len(y), se=se)


def walk_slope_variance(years: Any, values: Any) -> tuple[float, int]:
    """Variance of an OLS slope of ``values`` on year if they were a random walk (module doc).

    Args:
        years: years (int), at least 3, distinct.
        values: the walking series (e.g. log members), one per year.

    Returns:
        (variance in (unit per year)^2, degrees of freedom of the step-variance estimate).
    """
    x, z = as_arrays(years, values)
    order = np.argsort(x, kind="stable")
    x, z = x[order], z[order]
    gaps, changes = np.diff(x), np.diff(z)
    drift = (z[-1] - z[0]) / (x[-1] - x[0])
    df = len(changes) - 1
    tau2 = float(np.sum((changes - drift * gaps) ** 2 / gaps)) / df
    xc = x - x.mean()
    tails = np.cumsum(xc[::-1])[::-1][1:]  # sum of centred years after each change
    return tau2 * float(np.sum(gaps * tails**2)) / float(np.sum(xc**2)) ** 2, df


def welch_df(v1: float, df1: int, v2: float, df2: int) -> float:
    """Welch-Satterthwaite degrees of freedom of the sum of two estimated variances."""
    denom = (v1**2 / df1 if df1 else 0.0) + (v2**2 / df2 if df2 else 0.0)
    return (v1 + v2) ** 2 / denom if denom > 0 else float(min(df1, df2))


def drift_test(years: Any, values: Any, alpha: float = 0.05) -> DriftTest:
    """Mean yearly change of a stock from its year-to-year changes (module doc), t(m - 1).

    Args:
        years: years (int), at least 3, distinct (gaps allowed: a change over g years counts
            g years of drift and g years of variance).
        values: one value per year.
        alpha: 1 - confidence level.

    Returns:
        A ``DriftTest``: drift in unit per year, CI, two-sided p-value, df = changes - 1.
    """
    x, y = as_arrays(years, values)
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    gaps, changes = np.diff(x), np.diff(y)
    span = float(x[-1] - x[0])
    drift = float((y[-1] - y[0]) / span)
    scaled = (changes - drift * gaps) / np.sqrt(gaps)
    df = len(changes) - 1
    ss_changes = float(np.sum(changes**2))
    if float(np.sum(scaled**2)) <= PERFECT_FIT_TOL * ss_changes or ss_changes == 0.0:
        return DriftTest(drift, None, None, None, df, len(y), perfect_fit=True)
    tau = math.sqrt(float(np.sum(scaled**2)) / df)
    se = tau / math.sqrt(span)
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    p = float(2 * stats.t.sf(abs(drift) / se, df))
    return DriftTest(drift, drift - half, drift + half, p, df, len(y))


@functools.lru_cache(maxsize=64)
def _no_ties_s_counts(n: int) -> tuple[int, ...]:
    """Number of the n! orderings of n distinct values with S = N - 2k, for k = 0..N.

    S = concordant - discordant pairs = N - 2 x inversions; inversions follow the Mahonian
    numbers, the coefficients of prod_{j=1..n} (1 + q + ... + q^(j-1)).
    """
    counts = [1]
    for j in range(1, n + 1):
        new = [0] * (len(counts) + j - 1)
        for k, c in enumerate(counts):
            for m in range(j):
                new[k + m] += c
        counts = new
    return tuple(counts)


@functools.lru_cache(maxsize=8)
def _orderings(n: int) -> np.ndarray:
    return np.array(list(itertools.permutations(range(n))), dtype=np.int8)


@functools.lru_cache(maxsize=256)
def _ties_abs_s_counts(pattern: tuple[int, ...]) -> np.ndarray:
    """Counts of |S| over all n! orderings of values whose tie groups have sizes ``pattern``."""
    ranks = np.repeat(np.arange(len(pattern), dtype=np.int8), pattern)
    v = ranks[_orderings(len(ranks))]
    s = np.zeros(len(v), dtype=np.int32)
    for i in range(len(ranks) - 1):
        s += np.sign(v[:, i + 1 :] - v[:, i : i + 1]).sum(axis=1, dtype=np.int32)
    return np.bincount(np.abs(s))


def mann_kendall_s(values: Any) -> int:
    """Mann-Kendall S: sum of sign(x_j - x_i) over i < j (values in time order)."""
    v = np.asarray(values, dtype=float)
    i, j = np.triu_indices(len(v), k=1)
    return int(np.sign(v[j] - v[i]).sum())


def mann_kendall(years: Any, values: Any) -> MannKendall:
    """Mann-Kendall trend test, exact with ties for small n (see the module doc).

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
    pairs = n * (n - 1) // 2
    tied_pairs = float(np.sum(ties * (ties - 1) / 2))
    tau = s / math.sqrt(pairs * (pairs - tied_pairs))  # tau-b (years are never tied)
    if len(ties) and n <= EXACT_TIES_MAX_N:
        dist = _ties_abs_s_counts(tuple(sorted(int(c) for c in counts)))
        p = float(dist[abs(s) :].sum() / dist.sum())
        return MannKendall(s, tau, p, "exact, with ties", var_s)
    if not len(ties) and n <= EXACT_NO_TIES_MAX_N:
        counts_s = _no_ties_s_counts(n)  # index k: S = pairs - 2k
        k = (pairs - abs(s)) // 2
        tail = (
            sum(counts_s[: k + 1]) + sum(counts_s[pairs - k :]) if 2 * k < pairs else sum(counts_s)
        )
        return MannKendall(s, tau, min(1.0, tail / math.factorial(n)), "exact", var_s)
    z = (s - np.sign(s)) / math.sqrt(var_s)
    return MannKendall(s, tau, float(2 * stats.norm.sf(abs(z))), "normal, tie-corrected", var_s)


def _sen_rank(n: int, alpha: float) -> tuple[int, float] | None:
    """(c, attained level): the smallest attainable |S| = c with P(|S| >= c) <= alpha, n untied.

    None when even the largest |S| is too likely (n < 5 at alpha = 0.05).
    """
    pairs = n * (n - 1) // 2
    if n > EXACT_NO_TIES_MAX_N:
        var = n * (n - 1) * (2 * n + 5) / 18
        c = int(math.ceil(stats.norm.ppf(1 - alpha / 2) * math.sqrt(var)))
        c += (pairs - c) % 2  # S has the parity of the number of pairs
        return (c, 1 - alpha) if c <= pairs else None
    counts = np.array(_no_ties_s_counts(n), dtype=float)  # index k: S = pairs - 2k
    total = counts.sum()
    # P(|S| >= pairs - 2k) for k = 0, 1, ...: both tails, the middle counted once
    for k in range(pairs // 2, -1, -1):
        c = pairs - 2 * k
        tail = counts[: k + 1].sum() + counts[pairs - k :].sum()
        if c == 0:
            continue
        if tail / total <= alpha:
            return c, float(1 - tail / total)
    return None


def theil_sen(years: Any, values: Any, alpha: float = 0.05) -> TheilSen:
    """Theil-Sen slope (median of pairwise slopes) with Sen's exact interval (module doc).

    Args:
        years: years (int), at least 3, distinct.
        values: one value per year.
        alpha: the interval's level is the smallest attainable at or above 1 - alpha.

    Returns:
        slope (unit per year), intercept at the first year (scipy's median intercept), the
        interval and its attained level (NaN and None when n cannot reach 1 - alpha).
    """
    x, y = as_arrays(years, values)
    i, j = np.triu_indices(len(x), k=1)
    slopes = np.sort((y[j] - y[i]) / (x[j] - x[i]))
    slope = float(np.median(slopes))
    # scipy's convention: the line through (median year, median value)
    intercept = float(np.median(y) - slope * (np.median(x) - x.min()))
    rank = _sen_rank(len(x), alpha)
    if rank is None:
        return TheilSen(slope, intercept, math.nan, math.nan, None)
    c, level = rank
    pairs = len(slopes)
    low, high = (pairs - c) // 2 + 1, (pairs + c) // 2  # 1-based order statistics
    return TheilSen(slope, intercept, float(slopes[low - 1]), float(slopes[high - 1]), level)
