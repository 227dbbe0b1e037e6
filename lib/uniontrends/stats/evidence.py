"""How trend tests become an evidence level: one set of rules, used everywhere a grade is shown.

Evidence levels (``evidence_rules()`` returns this text for the method notes):
- Each series has one grading test, chosen by what the series is. Flows, money and rates of
  flows (a period's value is their sum or mean): the OLS slope of the values on year, read
  against t(n - 2); for a rate per member (a stock in the denominator) the variance that the
  members' own random-walk wander gives the slope is added (Welch-Satterthwaite df). Stocks and
  level shares (kind stock, or a rate whose period value is its
  last), which move like random walks, so that their levels are not independent from year to
  year: the mean yearly change from the year-to-year changes, t(n - 2). Counts per member: the
  quasi-Poisson rate ratio, t(n - 2) (rules in ``stats.counts``).
- Multiplicity: the p-values of one family (the tests of one area notebook for one region-year;
  the reference series of one report) are adjusted by Benjamini-Hochberg. Each finding keeps its
  raw and its adjusted p; grades use the adjusted one, so a finding has the same grade in its
  notebook, in the report and in findings.json.
- clear: adjusted p < 0.05 and every check holds: at least 5 years; the methods agree (the
  Mann-Kendall S and the Theil-Sen slope have the sign of the grading estimate; for a count
  model those of the same rate per member); the direction stays the same when the data
  package's shock years are left out; no input is a bound.
- suggestive: adjusted p < 0.10 but not clear (p between 0.05 and 0.10, or a check failed:
  fewer than 5 years, methods disagree, the direction rests on a shock year).
- inconclusive: otherwise.
- descriptive: levels, totals, changes, shares and projections, which test nothing; and trends
  through values that are only bounds ("at least", "at most": such a slope is not determined)
  or through points on an exact straight line (no sampling error is left to test: it is
  reported as a perfect fit).
Mann-Kendall is exact (all orderings, ties included) and shown, but it is a check, not the
grading test: with n = 5 its smallest two-sided p is 2/120 = 0.017, which cannot survive a
family of ten tests. Theil-Sen's interval is shown at its attained level (98.3 % for n = 5).
Every finding from fewer than 8 points is flagged small_sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from uniontrends.stats.counts import CountTrend
from uniontrends.stats.trend_tests import (
    DriftTest,
    MannKendall,
    OLSTrend,
    TheilSen,
    drift_test,
    mann_kendall,
    ols_trend,
    theil_sen,
    welch_df,
)

# The version of the grading methods; findings.json records it and "what changed" says when
# an evidence level moved because the method changed rather than the data.
METHOD_VERSION = 2
SMALL_SAMPLE_N = 8
CLEAR_N = 5
CLEAR_Q = 0.05
SUGGESTIVE_Q = 0.10
LEVELS = ("inconclusive", "suggestive", "clear")  # weakest first


def is_stock_like(kind: str, aggregation: str) -> bool:
    """Whether a series moves like a stock (graded and projected by its yearly changes): a
    stock, or a rate whose period value is its last (a level share such as coverage)."""
    return kind == "stock" or (kind == "rate" and aggregation == "last")


def evidence_rules() -> str:
    """The evidence rules as text for a report's method notes."""
    doc = __doc__ or ""
    return doc[doc.index("Evidence levels") :].strip()


@dataclass(frozen=True)
class Evidence:
    """What a grade rests on: the grading test's raw p-value and the checks beside it.

    Attributes:
        test: the grading test ("OLS slope", "mean yearly change", "quasi-Poisson").
        p_value: its raw two-sided p-value; None when it gives none (a perfect fit, bounds).
        direction: "up", "down" or "flat" from the grading estimate.
        n: years used.
        ceiling: the best grade the checks allow ("clear", "suggestive" or "descriptive").
        caps: why the ceiling is below "clear", as codes ("short_series" (fewer than
            ``CLEAR_N`` years), "methods_disagree", "shock_year", "bounded", "perfect_fit");
            a finding's statement words them (``messages.yaml``: ``evidence.cap.*``).
        shock_robust: whether the direction is the same without the shock years; None when
            no shock year is in the window or too few years would remain.
    """

    test: str
    p_value: float | None
    direction: str
    n: int
    ceiling: str
    caps: tuple[str, ...] = ()
    shock_robust: bool | None = None


def grade(evidence: Evidence, p_value: float | None) -> str:
    """The evidence level from the checks and a p-value (raw, or adjusted for the family)."""
    if evidence.ceiling == "descriptive" or p_value is None:
        return "descriptive"
    if p_value < CLEAR_Q:
        level = "clear"
    elif p_value < SUGGESTIVE_Q:
        level = "suggestive"
    else:
        level = "inconclusive"
    return min(level, evidence.ceiling, key=LEVELS.index)


def _direction(estimate: float) -> str:
    return "flat" if estimate == 0 or not math.isfinite(estimate) else (
        "up" if estimate > 0 else "down"
    )  # fmt: skip


def _ceiling(
    n: int, agree: bool, shock_robust: bool | None, bounded: bool, perfect: bool
) -> tuple[str, tuple[str, ...]]:
    if bounded:
        return "descriptive", ("bounded",)
    if perfect:
        return "descriptive", ("perfect_fit",)
    caps = []
    if n < CLEAR_N:
        caps.append("short_series")
    if not agree:
        caps.append("methods_disagree")
    if shock_robust is False:
        caps.append("shock_year")
    return ("suggestive" if caps else "clear"), tuple(caps)


def _without(years: np.ndarray, shock_years: Iterable[int]) -> np.ndarray | None:
    """A mask of the years to keep without the shock years; None when none is in the window
    or fewer than 3 years would remain."""
    keep = ~np.isin(years.astype(int), np.asarray(list(shock_years), dtype=int))
    if keep.all() or keep.sum() < 3:
        return None
    return keep


@dataclass(frozen=True)
class SeriesTrend:
    """Every trend test of one series and the evidence its grade rests on.

    estimate, ci_low and ci_high are the grading test's (unit per year): the OLS slope, or for
    a stock the mean yearly change; CI None for a perfect fit.
    """

    ols: OLSTrend
    theil_sen: TheilSen
    mann_kendall: MannKendall
    drift: DriftTest | None
    evidence: Evidence
    estimate: float
    ci_low: float | None
    ci_high: float | None
    df: float | None = None


def series_trend(
    years: Iterable[float],
    values: Iterable[float],
    *,
    stock_like: bool,
    bounded: bool = False,
    shock_years: Iterable[int] = (),
    alpha: float = 0.05,
    denominator_walk: tuple[float, int] | None = None,
) -> SeriesTrend:
    """The trend tests of one series and its evidence (rules in the module doc).

    Args:
        years: years (int), at least 3, distinct.
        values: one value per year in the indicator's unit.
        stock_like: a stock or level share: graded by its mean yearly change.
        bounded: some values are bounds (at least / at most): never graded above descriptive.
        shock_years: years left out for the direction check.
        alpha: 1 - confidence level of the intervals.
        denominator_walk: (variance, df) the slope gets from the denominator wandering like a
            random walk (``trend_tests.walk_slope_variance``, in the series' unit); added to
            the OLS slope's variance.
    """
    x, y = np.asarray(list(years), dtype=float), np.asarray(list(values), dtype=float)
    ols = ols_trend(x, y, alpha)
    ts = theil_sen(x, y, alpha)
    mk = mann_kendall(x, y)
    drift = drift_test(x, y, alpha) if stock_like else None
    if drift is not None:
        estimate, low, high, p, perfect = (
            drift.drift, drift.ci_low, drift.ci_high, drift.p_value, drift.perfect_fit
        )  # fmt: skip
        test = "mean yearly change"
        df: float | None = drift.df
    else:
        estimate, low, high, p, perfect = ols.slope, ols.ci_low, ols.ci_high, ols.p_value, (
            ols.perfect_fit
        )  # fmt: skip
        test, df = "OLS slope", float(len(y) - 2)
        if denominator_walk is not None and not perfect and ols.se is not None:
            walk, walk_df = denominator_walk
            df = welch_df(ols.se**2, len(y) - 2, walk, walk_df)
            se = math.sqrt(ols.se**2 + walk)
            half = float(stats.t.ppf(1 - alpha / 2, df)) * se
            low, high = estimate - half, estimate + half
            p = float(2 * stats.t.sf(abs(estimate) / se, df))
            test = "OLS slope with the denominator's wander"
    direction = _direction(estimate)
    keep = _without(x, shock_years)
    shock_robust = None
    if keep is not None and direction != "flat":
        xs, ys = x[keep], y[keep]
        again = drift_test(xs, ys).drift if stock_like else ols_trend(xs, ys).slope
        shock_robust = _direction(again) == direction
    agree = direction != "flat" and all(_direction(v) == direction for v in (float(mk.s), ts.slope))
    ceiling, caps = _ceiling(len(y), agree, shock_robust, bounded, perfect)
    ev = Evidence(test, None if perfect or bounded else p, direction, len(y), ceiling, caps,
                  shock_robust)  # fmt: skip
    return SeriesTrend(ols, ts, mk, drift, ev, float(estimate), low, high, df)


def count_evidence(
    ct: CountTrend,
    rate_years: Iterable[float],
    rate: Iterable[float],
    *,
    shock_rate_ratio: float | None = None,
    bounded: bool = False,
) -> Evidence:
    """The evidence of a count model, its direction checked like with like.

    Args:
        ct: the fitted count model.
        rate_years: the years of the series.
        rate: the same quantity the model describes (counts per exposure, or the counts),
            for the Mann-Kendall and Theil-Sen direction check.
        shock_rate_ratio: the model's rate ratio refitted without the shock years (None when
            no shock year is in the window).
        bounded: some counts are bounds.
    """
    x, y = np.asarray(list(rate_years), dtype=float), np.asarray(list(rate), dtype=float)
    direction = _direction(math.log(ct.rate_ratio))
    mk, ts = mann_kendall(x, y), theil_sen(x, y)
    agree = direction != "flat" and all(_direction(v) == direction for v in (float(mk.s), ts.slope))
    shock_robust = (
        None
        if shock_rate_ratio is None or direction == "flat"
        else _direction(math.log(shock_rate_ratio)) == direction
    )
    ceiling, caps = _ceiling(len(y), agree, shock_robust, bounded, perfect=False)
    return Evidence(
        "quasi-Poisson", None if bounded else ct.p_value, direction, len(y), ceiling, caps,
        shock_robust,
    )  # fmt: skip
