"""Cross-region comparison: the same statistics per region, ranked with their uncertainty, and a
small-sample panel model of the common trend.

Ranking: by the trend growth a year, exp(b) - 1 with b the OLS slope of log(value) on year (a
unitless rate, so regions of different size compare), with its t(n - 2) interval. A rank is
uncertain when the intervals overlap: ``rank_low`` .. ``rank_high`` is the range of ranks the
intervals allow (best: 1 + the regions whose whole interval lies above; worst: the number
ranked minus those whose whole interval lies below). Regions whose data cannot support the
statistics (fewer than 3 years, values that are not positive) are listed last with the reason
in ``note``.

Panel model of the common trend (``panel_trend``): the year effects of a two-way model
(log(value) ~ region + year by OLS, or a Poisson GLM for counts) are regressed on year; their
slope is the common trend. Its standard error is the larger of two: the year effects' residual
error, t(T - 2) (it carries shocks common to all regions in a year, which region-clustered
errors miss) and the spread of the regions' own slopes, sd / sqrt(G), t(G - 1) (few clusters:
the small-G reference instead of the normal). With fewer than 5 regions no pooled claim is made
(``pooled_claim`` is False): report the regions' own slopes instead.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from uniontrends.data.model import WINDOW_MIN
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.stats.descriptive import cagr
from uniontrends.stats.series import indexed_rows, window_series
from uniontrends.stats.trend_tests import mann_kendall, ols_trend, theil_sen

POOLED_MIN_REGIONS = 5
COMPARE_COLUMNS = (
    "rank",
    "rank_low",
    "rank_high",
    "region",
    "indicator",
    "period_start",
    "period_end",
    "n",
    "level_start",
    "level_end",
    "abs_change",
    "rel_change",
    "cagr",
    "growth",
    "growth_ci_low",
    "growth_ci_high",
    "ols_slope",
    "ols_ci_low",
    "ols_ci_high",
    "theil_sen_slope",
    "mk_s",
    "mk_p",
    "synthetic",
    "note",
)


def _region_stats(s: pd.DataFrame, indicator: str, region: str, alpha: float) -> dict[str, Any]:
    years = [int(y) for y in s.index]
    values = s["value"].to_numpy(dtype=float)
    if np.all(values == 0):
        raise UniontrendsError("zero in every year")
    ols = ols_trend(years, values, alpha)
    ts = theil_sen(years, values, alpha)
    mk = mann_kendall(years, values)
    first, last = float(values[0]), float(values[-1])
    notes = []
    growth = low = high = None
    if np.all(values > 0):
        log_fit = ols_trend(years, np.log(values), alpha)
        growth = math.expm1(log_fit.slope)
        low = math.expm1(log_fit.ci_low) if log_fit.ci_low is not None else growth
        high = math.expm1(log_fit.ci_high) if log_fit.ci_high is not None else growth
    else:
        notes.append("not ranked: growth needs positive values")
    if first <= 0:
        notes.append("CAGR undefined: starting value is not positive")
    return {
        "region": region,
        "indicator": indicator,
        "period_start": years[0],
        "period_end": years[-1],
        "n": len(values),
        "level_start": first,
        "level_end": last,
        "abs_change": last - first,
        "rel_change": (last - first) / first if first != 0 else None,
        "cagr": cagr(first, last, years[-1] - years[0]) if first > 0 else None,
        "growth": growth,
        "growth_ci_low": low,
        "growth_ci_high": high,
        "ols_slope": ols.slope,
        "ols_ci_low": ols.ci_low,
        "ols_ci_high": ols.ci_high,
        "theil_sen_slope": ts.slope,
        "mk_s": mk.s,
        "mk_p": mk.p_value,
        "synthetic": bool((s["provenance"] == "synthetic").any()),
        "note": "; ".join(notes) or None,
    }


def _rank_ranges(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst rank each interval allows (1 = fastest growth)."""
    best = np.array([1 + int(np.sum(low > h)) for h in high])
    worst = np.array([len(low) - int(np.sum(high < lo)) for lo in low])
    return best, worst


def compare_regions(
    panel: pd.DataFrame, indicator: str, end: int, window: int = 5, alpha: float = 0.05
) -> pd.DataFrame:
    """Statistics of ``indicator`` for every region in the panel, ranked by trend growth.

    Args:
        panel: tidy annual panel (``model.ANNUAL_COLUMNS``).
        indicator: catalog id.
        end: last year of the window.
        window: number of years (>= 3); years without a value are left out.
        alpha: 1 - confidence level of the growth intervals.

    Returns:
        One row per region (``COMPARE_COLUMNS``); rank 1 is the fastest trend growth, rank_low
        .. rank_high the ranks its interval allows. Regions without usable data have rank None
        and the reason in ``note``.
    """
    if window < WINDOW_MIN:
        raise ParameterError("window", window, f"a trend needs at least {WINDOW_MIN} years")
    regions = sorted(panel.loc[panel["indicator"] == indicator, "region"].unique())
    if not regions:
        raise UniontrendsError(f"no region has data for indicator {indicator!r}")
    ok, bad = [], []
    with indexed_rows(panel):
        for region in regions:
            try:
                s = window_series(panel, indicator, region, end, window)
                ok.append(_region_stats(s, indicator, region, alpha))
            except UniontrendsError as exc:
                bad.append({"region": region, "indicator": indicator, "note": str(exc)})
    good = pd.DataFrame(ok, columns=[c for c in COMPARE_COLUMNS if not c.startswith("rank")])
    if not good.empty:
        growth = good["growth"].astype(float)
        good.insert(0, "rank", growth.rank(ascending=False, method="min").astype("Int64"))
        ranked = growth.notna().to_numpy()
        best = pd.array([pd.NA] * len(good), dtype="Int64")
        worst = pd.array([pd.NA] * len(good), dtype="Int64")
        if ranked.any():
            b, w = _rank_ranges(
                good.loc[ranked, "growth_ci_low"].to_numpy(float),
                good.loc[ranked, "growth_ci_high"].to_numpy(float),
            )
            best[ranked], worst[ranked] = b, w
        good.insert(1, "rank_low", best)
        good.insert(2, "rank_high", worst)
        good = good.sort_values(["rank", "region"], na_position="last", kind="stable")
    out = pd.concat([good, pd.DataFrame(bad)], ignore_index=True) if bad else good
    return out.reindex(columns=list(COMPARE_COLUMNS)).reset_index(drop=True)


@dataclass(frozen=True)
class PanelTrend:
    """Common trend across regions: annual relative change exp(b) - 1 with its CI.

    Attributes:
        coef: the common slope b on the log scale (per year).
        annual_change, ci_low, ci_high: exp(b) - 1 and its interval (0.05 = 5 % a year).
        p_value: two-sided, against t(df).
        df: degrees of freedom of the reference t (T - 2 or G - 1, whichever error is larger).
        se_type: which error was larger ("year effects" or "region slopes").
        pooled_claim: whether there are enough regions (>= 5) to state a common trend; with
            fewer, report ``region_changes`` (each region's own exp(b_r) - 1) instead.
    """

    indicator: str
    method: str
    coef: float
    annual_change: float
    ci_low: float
    ci_high: float
    p_value: float
    n_regions: int
    n_obs: int
    se_type: str
    regions: tuple[str, ...]
    note: str
    df: int = 0
    pooled_claim: bool = False
    region_changes: tuple[float, ...] = ()


def _year_effects(
    data: pd.DataFrame, regions: list[str], years: list[int], method: str
) -> np.ndarray:
    """Year effects of the two-way model (region + year), the first year's set to 0."""
    r = pd.Categorical(data["region"], categories=regions).codes
    t = pd.Categorical(data["year"].astype(int), categories=years).codes
    X = np.zeros((len(data), len(regions) + len(years) - 1))
    X[np.arange(len(data)), r] = 1.0
    later = t > 0
    X[np.flatnonzero(later), len(regions) + t[later] - 1] = 1.0
    if method == "ols_log":
        beta = np.linalg.lstsq(X, np.log(data["value"].to_numpy(float)), rcond=None)[0]
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            beta = (
                sm.GLM(data["value"].to_numpy(float), X, family=sm.families.Poisson()).fit().params
            )
    return np.concatenate([[0.0], np.asarray(beta)[len(regions) :]])


def _year_effect_slope(effects: pd.Series) -> tuple[float, float, int]:
    """Slope of the year effects on year, its standard error and residual df."""
    t = effects.index.to_numpy(dtype=float)
    fit = ols_trend(t, effects.to_numpy(dtype=float))
    n = len(t)
    if fit.perfect_fit:
        return fit.slope, 0.0, n - 2
    resid = effects.to_numpy(float) - (fit.intercept + fit.slope * (t - t.min()))
    se = math.sqrt(float(np.sum(resid**2)) / (n - 2) / float(np.sum((t - t.mean()) ** 2)))
    return fit.slope, se, n - 2


def panel_trend(
    panel: pd.DataFrame,
    indicator: str,
    end: int,
    window: int = 5,
    method: str = "ols_log",
    alpha: float = 0.05,
) -> PanelTrend:
    """Common trend of ``indicator`` across regions (rules in the module doc).

    Args:
        panel: tidy annual panel.
        indicator: catalog id.
        end: last year of the window.
        window: years per region (years without a value are left out; at least 3 remain).
        method: "ols_log" (log values) or "poisson" (counts, zeros allowed).
        alpha: 1 - confidence level.

    Returns:
        A ``PanelTrend``; annual_change and its CI are relative changes per year (0.05 = 5 %).
    """
    if method not in ("ols_log", "poisson"):
        raise ParameterError("method", method, "must be 'ols_log' or 'poisson'")
    regions = sorted(panel.loc[panel["indicator"] == indicator, "region"].unique())
    if len(regions) < 2:
        raise UniontrendsError(
            f"a panel model of {indicator!r} needs at least 2 regions, found {len(regions)} "
            f"({', '.join(regions) or 'none'}); use findings.trend.summarize for one region"
        )
    frames = []
    with indexed_rows(panel):
        for region in regions:
            s = window_series(panel, indicator, region, end, window)
            frames.append(pd.DataFrame({"region": region, "year": s.index, "value": s["value"]}))
    data = pd.concat(frames, ignore_index=True)
    data["value"] = data["value"].astype(float)
    if method == "ols_log" and not (data["value"] > 0).all():
        raise UniontrendsError(
            f"{indicator}: log-linear panel model needs positive values; use method='poisson'"
        )
    slopes = []
    for region in regions:
        part = data[data["region"] == region]
        if method == "ols_log":
            slopes.append(ols_trend(part["year"], np.log(part["value"])).slope)
        else:
            x = part["year"].to_numpy(float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.GLM(part["value"].to_numpy(float), sm.add_constant(x - x.mean()),
                             family=sm.families.Poisson()).fit()  # fmt: skip
            slopes.append(float(fit.params[1]))
    years = sorted(int(y) for y in data["year"].unique())
    if len(years) < 3:
        raise UniontrendsError(f"{indicator}: a common trend needs at least 3 years")
    effects = pd.Series(_year_effects(data, regions, years, method), index=years)
    coef, se_year, df_year = _year_effect_slope(effects)
    g = len(regions)
    se_region = float(np.std(slopes, ddof=1)) / math.sqrt(g)
    if se_year >= se_region:
        se, df, se_type = se_year, df_year, "year effects"
    else:
        se, df, se_type = se_region, g - 1, "region slopes"
    if not se > 0:
        raise UniontrendsError(
            f"{indicator}: every region lies exactly on one common line; no error to test with"
        )
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(coef) / se, df))
    pooled = g >= POOLED_MIN_REGIONS
    note = (
        f"{g} regions, {len(years)} years: error = the larger of year effects (t({df_year})) "
        f"and region slopes (t({g - 1})); here {se_type}"
    )
    if not pooled:
        note += (
            f"; fewer than {POOLED_MIN_REGIONS} regions: no pooled claim, compare the regions' "
            "own trends"
        )
    return PanelTrend(
        indicator=indicator,
        method=method,
        coef=coef,
        annual_change=math.expm1(coef),
        ci_low=math.expm1(coef - q * se),
        ci_high=math.expm1(coef + q * se),
        p_value=p,
        n_regions=g,
        n_obs=len(data),
        se_type=se_type,
        regions=tuple(regions),
        note=note,
        df=df,
        pooled_claim=pooled,
        region_changes=tuple(math.expm1(b) for b in slopes),
    )
