"""Cross-region comparison: the same trend statistics per region, ranked, and a panel model.

Ranking: by CAGR (unitless, so regions of different size compare), highest first; regions whose
data cannot support the statistics are listed last with the reason in ``note``.

Panel model: ``log(value) ~ year + C(region)`` by OLS (method "ols_log") or a Poisson GLM
``value ~ year + C(region)`` (method "poisson", for counts, zeros allowed). The year coefficient
is the common trend; it is reported as an annual relative change exp(b) - 1 with its CI. With
3 or more regions the standard errors are cluster-robust by region; with 2 regions clustering is
impossible and heteroskedasticity-robust (HC1) errors are used. Few clusters make even clustered
errors optimistic, which the result's note says.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from uniontrends.data.model import WINDOW_MIN
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.stats.descriptive import cagr
from uniontrends.stats.evidence import classify_evidence
from uniontrends.stats.series import window_series
from uniontrends.stats.trend_tests import mann_kendall, ols_trend, theil_sen

COMPARE_COLUMNS = (
    "rank",
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
    "ols_slope",
    "ols_ci_low",
    "ols_ci_high",
    "theil_sen_slope",
    "mk_s",
    "mk_p",
    "evidence",
    "synthetic",
    "note",
)


def _region_stats(s: pd.DataFrame, indicator: str, region: str) -> dict[str, Any]:
    years = [int(y) for y in s.index]
    values = s["value"].to_numpy(dtype=float)
    if np.all(values == 0):
        raise UniontrendsError("zero in every year")
    ols = ols_trend(years, values)
    ts = theil_sen(years, values)
    mk = mann_kendall(years, values)
    first, last = float(values[0]), float(values[-1])
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
        "ols_slope": ols.slope,
        "ols_ci_low": ols.ci_low,
        "ols_ci_high": ols.ci_high,
        "theil_sen_slope": ts.slope,
        "mk_s": mk.s,
        "mk_p": mk.p_value,
        "evidence": classify_evidence(ols, ts, mk),
        "synthetic": bool((s["provenance"] == "synthetic").any()),
        "note": None if first > 0 else "CAGR undefined: starting value is not positive",
    }


def compare_regions(panel: pd.DataFrame, indicator: str, end: int, window: int = 5) -> pd.DataFrame:
    """Trend statistics of ``indicator`` for every region in the panel, ranked by CAGR.

    Args:
        panel: tidy annual panel (``model.ANNUAL_COLUMNS``).
        indicator: catalog id.
        end: last year of the window.
        window: number of years (>= 3).

    Returns:
        One row per region (``COMPARE_COLUMNS``); rank 1 is the fastest CAGR. Regions without
        usable data have rank None and the reason in ``note``.
    """
    if window < WINDOW_MIN:
        raise ParameterError("window", window, f"a trend needs at least {WINDOW_MIN} years")
    regions = sorted(panel.loc[panel["indicator"] == indicator, "region"].unique())
    if not regions:
        raise UniontrendsError(f"no region has data for indicator {indicator!r}")
    ok, bad = [], []
    for region in regions:
        try:
            s = window_series(panel, indicator, region, end, window)
            ok.append(_region_stats(s, indicator, region))
        except UniontrendsError as exc:
            bad.append({"region": region, "indicator": indicator, "note": str(exc)})
    good = pd.DataFrame(ok, columns=[c for c in COMPARE_COLUMNS if c != "rank"])
    if not good.empty:
        order = good["cagr"].astype(float).rank(ascending=False, method="min")
        good.insert(0, "rank", order.astype("Int64"))
        good = good.sort_values(["rank", "region"], na_position="last", kind="stable")
    out = pd.concat([good, pd.DataFrame(bad)], ignore_index=True) if bad else good
    return out.reindex(columns=list(COMPARE_COLUMNS)).reset_index(drop=True)


@dataclass(frozen=True)
class PanelTrend:
    """Common trend across regions: annual relative change exp(b) - 1 with its CI."""

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


def panel_trend(
    panel: pd.DataFrame,
    indicator: str,
    end: int,
    window: int = 5,
    method: str = "ols_log",
    alpha: float = 0.05,
) -> PanelTrend:
    """Common trend of ``indicator`` across regions with region fixed effects.

    Args:
        panel: tidy annual panel.
        indicator: catalog id.
        end: last year of the window.
        window: years per region (each region needs the full window).
        method: "ols_log" (OLS of log value) or "poisson" (Poisson GLM of counts).
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
    for region in regions:
        s = window_series(panel, indicator, region, end, window)
        frames.append(pd.DataFrame({"region": region, "year": s.index, "value": s["value"]}))
    data = pd.concat(frames, ignore_index=True)
    data["value"] = data["value"].astype(float)
    data["t"] = data["year"] - data["year"].min()
    if method == "ols_log" and not (data["value"] > 0).all():
        raise UniontrendsError(
            f"{indicator}: log-linear panel model needs positive values; use method='poisson'"
        )
    n_regions = len(regions)
    if n_regions >= 3:
        se_type, fit_kw = (
            "cluster",
            {
                "cov_type": "cluster",
                "cov_kwds": {"groups": pd.factorize(data["region"])[0]},
            },
        )
        note = f"cluster-robust by region ({n_regions} clusters; few clusters understate SEs)"
    else:
        se_type, fit_kw = "HC1", {"cov_type": "HC1"}
        note = "2 regions: too few to cluster, heteroskedasticity-robust (HC1) errors"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "ols_log":
            res = smf.ols("np.log(value) ~ t + C(region)", data=data).fit(**fit_kw)
        else:
            res = smf.glm("value ~ t + C(region)", data=data, family=sm.families.Poisson()).fit(
                **fit_kw
            )
    coef = float(res.params["t"])
    low, high = (float(x) for x in res.conf_int(alpha).loc["t"])
    return PanelTrend(
        indicator=indicator,
        method=method,
        coef=coef,
        annual_change=math.expm1(coef),
        ci_low=math.expm1(low),
        ci_high=math.expm1(high),
        p_value=float(res.pvalues["t"]),
        n_regions=n_regions,
        n_obs=len(data),
        se_type=se_type,
        regions=tuple(regions),
        note=note,
    )
