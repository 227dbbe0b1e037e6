"""Trend statistics for one indicator and region over a window, and the findings they support.

Statistics: levels, change, CAGR, annual average, shares of the window total, per-1,000-member
ratios, term-over-term change; OLS slope with a 95 % CI (statsmodels), Theil-Sen slope with CI
(scipy), Mann-Kendall S / Kendall tau with an exact p-value for small n without ties (normal
approximation with tie correction otherwise); Poisson or negative-binomial GLM for counts with
a log-exposure offset; Wilson intervals for shares with counts; a projection (``forecast``).

Evidence levels (``evidence_rules()`` returns this text for the method notes):
- clear: the OLS 95 % CI excludes 0 AND the Mann-Kendall p < 0.05 AND the Theil-Sen slope has
  the sign of the OLS slope.
- suggestive: not clear, but two of three signals hold (OLS CI excludes 0; MK p < 0.05;
  Theil-Sen CI excludes 0), or the MK or OLS p-value is below 0.10.
- inconclusive: otherwise.
- descriptive: levels, totals, changes, shares and projections, which test nothing.
With n = 5 the smallest exact two-sided Mann-Kendall p is 2/120 = 0.0167 (a strictly monotone
series) and the next is 10/120 = 0.083 (one pair out of order), so "clear" needs a strictly
monotone series; every finding from fewer than 8 points is flagged small_sample.

Count models (flows counted in cases, events, person-times, ...): a Poisson GLM of the count on
year with offset log(exposure / 1,000) when an exposure (union members) exists; if the Pearson
chi2 / df exceeds 1.5 the counts are overdispersed and a negative-binomial (NB2) model with alpha
estimated by maximum likelihood is used instead (quasi-Poisson if NB2 does not converge). Its
finding is clear when the 95 % CI of the yearly rate ratio excludes 1 with p < 0.05 and agrees
in sign with Theil-Sen, suggestive when p < 0.10, else inconclusive.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from uniontrends import config, forecast
from uniontrends.derive import (
    catalog_entries,
    combine_statistic_qualifier,
    combine_sum_qualifier,
)
from uniontrends.errors import DataError, ParameterError, Problem, UniontrendsError
from uniontrends.findings import (
    Finding,
    format_number,
    format_percent,
    format_quantity,
    make_id,
    with_synthetic_label,
)

SMALL_SAMPLE_N = 8
DISPERSION_THRESHOLD = 1.5
COUNT_UNITS = ("cases", "events", "items", "person_times", "households", "persons")
TABLE_COLUMNS = (
    "region",
    "indicator",
    "period_start",
    "period_end",
    "statistic",
    "value",
    "ci_low",
    "ci_high",
    "p_value",
    "unit",
    "method",
    "evidence",
    "note",
)


def evidence_rules() -> str:
    """The evidence and count-model rules as text for a report's method notes."""
    doc = __doc__ or ""
    return doc[doc.index("Evidence levels") :].strip()


# ---- statistics on arrays ---------------------------------------------------------------------


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


@dataclass(frozen=True)
class CountTrend:
    """Yearly rate ratio from a count GLM (exp of the year coefficient) with its CI."""

    model: str
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    dispersion: float
    nb_alpha: float | None
    exposure: str | None
    rule: str


def _as_arrays(years: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
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
    x, y = _as_arrays(years, values)
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
    x, y = _as_arrays(years, values)
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
    x, y = _as_arrays(years, values)
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


def wilson_interval(successes: float, trials: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of the share successes / trials (statsmodels)."""
    if not trials > 0:
        raise UniontrendsError(f"a share needs a positive denominator, got {trials}")
    if not 0 <= successes <= trials:
        raise UniontrendsError(f"a share needs 0 <= {successes} <= {trials}")
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(low), float(high)


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


def count_trend(
    years: Any,
    counts: Any,
    exposure: Any = None,
    alpha: float = 0.05,
    exposure_name: str | None = None,
) -> CountTrend:
    """Count GLM on year: Poisson, or negative binomial when overdispersed (see module rules).

    Args:
        years: years (int).
        counts: non-negative whole counts, one per year.
        exposure: optional exposure per year (e.g. members / 1,000); offset log(exposure).

    Returns:
        The yearly rate ratio exp(beta_year) with a (1 - alpha) Wald CI and p-value.
    """
    x, y = _as_arrays(years, counts)
    if np.any(y < 0) or not np.allclose(y, np.round(y)):
        raise UniontrendsError("a count model needs non-negative whole numbers")
    if not np.any(y > 0):
        raise UniontrendsError("a count model needs at least one non-zero count (all are zero)")
    offset = None
    if exposure is not None:
        e = np.asarray(exposure, dtype=float)
        if e.shape != y.shape or not np.all(e > 0):
            raise UniontrendsError("exposure must be positive for every year (zero exposure)")
        offset = np.log(e)
    X = sm.add_constant(x - x[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = float(pois.pearson_chi2 / pois.df_resid)
    rule = f"Pearson chi2/df = {dispersion:.2f}"
    model, res, nb_alpha = "poisson", pois, None
    if dispersion > DISPERSION_THRESHOLD:
        rule += f" > {DISPERSION_THRESHOLD}: overdispersed"
        nb = _fit_nb(y, X, offset)
        if nb is not None:
            model, res, nb_alpha = "negative_binomial", nb, float(nb.params[-1])
            rule += ", negative binomial (NB2, alpha by ML)"
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
            model = "quasi_poisson"
            rule += "; NB2 did not converge, quasi-Poisson (scale = chi2/df)"
    else:
        rule += f" <= {DISPERSION_THRESHOLD}: Poisson"
    ci = np.asarray(res.conf_int(alpha))[1]
    return CountTrend(
        model=model,
        rate_ratio=float(np.exp(res.params[1])),
        ci_low=float(np.exp(ci[0])),
        ci_high=float(np.exp(ci[1])),
        p_value=float(res.pvalues[1]),
        dispersion=dispersion,
        nb_alpha=nb_alpha,
        exposure=exposure_name,
        rule=rule,
    )


def _fit_nb(y: np.ndarray, X: np.ndarray, offset: np.ndarray | None) -> Any:
    """NB2 by maximum likelihood, or None when it fails or does not converge."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.NegativeBinomial(y, X, offset=offset).fit(disp=0, maxiter=200)
    except (np.linalg.LinAlgError, ValueError):
        return None
    ok = res.mle_retvals.get("converged", False)
    if not ok or not np.all(np.isfinite(res.bse)) or not np.all(np.isfinite(res.params)):
        return None
    return res


def classify_evidence(ols: OLSTrend, ts: TheilSen, mk: MannKendall) -> str:
    """Evidence level of a trend from the three tests (rules in ``evidence_rules()``)."""
    ols_sig = ols.ci_low > 0 or ols.ci_high < 0
    mk_sig = mk.p_value < 0.05
    ts_sig = ts.ci_low > 0 or ts.ci_high < 0
    if ols_sig and mk_sig and np.sign(ts.slope) == np.sign(ols.slope) != 0:
        return "clear"
    if sum((ols_sig, mk_sig, ts_sig)) >= 2 or mk.p_value < 0.10 or ols.p_value < 0.10:
        return "suggestive"
    return "inconclusive"


def _count_evidence(ct: CountTrend, ts: TheilSen) -> str:
    excludes = ct.ci_low > 1 or ct.ci_high < 1
    if excludes and ct.p_value < 0.05 and np.sign(math.log(ct.rate_ratio)) == np.sign(ts.slope):
        return "clear"
    return "suggestive" if ct.p_value < 0.10 else "inconclusive"


# ---- panel access -----------------------------------------------------------------------------


def window_series(
    panel: pd.DataFrame, indicator: str, region: str, end: int, window: int = 5
) -> pd.DataFrame:
    """The rows of one indicator and region for the years end - window + 1 ... end, by year.

    Raises:
        ParameterError: window < 3.
        UniontrendsError: no data, or years missing in the window.
        DataError: duplicate years or missing values.
    """
    if window < 3:
        raise ParameterError("window", window, "a trend needs at least 3 years")
    start = end - window + 1
    rows = panel[(panel["indicator"] == indicator) & (panel["region"] == region)]
    if rows.empty:
        raise UniontrendsError(f"no data for indicator {indicator!r} in region {region!r}")
    rows = rows[(rows["year"] >= start) & (rows["year"] <= end)]
    dup = rows["year"].duplicated()
    if dup.any():
        years = sorted(int(y) for y in rows.loc[dup, "year"])
        raise DataError(
            [
                Problem(
                    "panel", "unique_year", f"{region} {indicator} has {y} twice", column="year"
                )
                for y in years
            ]
        )
    missing = sorted(set(range(start, end + 1)) - {int(y) for y in rows["year"]})
    if missing:
        raise UniontrendsError(
            f"{indicator} in {region}: years {missing} missing from the window {start}-{end}; "
            f"a trend over a window with gaps would be misleading"
        )
    if rows["value"].isna().any():
        raise DataError(
            [
                Problem("panel", "value_present", f"{region} {indicator} {int(y)} has no value")
                for y in rows.loc[rows["value"].isna(), "year"]
            ]
        )
    out = rows.sort_values("year").set_index("year")
    out.index = out.index.astype(int)
    return out


@functools.lru_cache(maxsize=1)
def _region_names() -> dict[str, dict[str, str]]:
    path = config.DATA_DIR / config.REGIONS_FILE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")).get("regions", {})
    except (OSError, yaml.YAMLError, AttributeError):
        return {}


def region_name(region: str, lang: str = "en") -> str:
    """Display name of a region from ``regions.yaml`` (the id itself when unknown)."""
    entry = _region_names().get(region, {})
    return str(entry.get(f"name_{lang}", region.title() if lang == "en" else region))


def _indicator_name(entry: dict[str, Any], indicator: str, lang: str) -> str:
    return str(entry.get(f"name_{lang}") or indicator)


# ---- summary ----------------------------------------------------------------------------------


@dataclass
class TrendSummary:
    """Statistics (``table``, tidy: one row per statistic) and the findings they support."""

    indicator: str
    region: str
    period_start: int
    period_end: int
    table: pd.DataFrame
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)


@dataclass
class _Context:
    region: str
    indicator: str
    area: str
    start: int
    end: int
    unit: str
    n: int
    synthetic: bool
    provenance: list[str]
    name: dict[str, str]
    region_name: dict[str, str]

    def period(self, lang: str) -> str:
        return f"{self.start}–{self.end}" if lang == "en" else f"{self.start}—{self.end}年"

    def subject(self, lang: str) -> str:
        if lang == "zh":
            return f"{self.region_name['zh']}{self.name['zh']}"
        return f"{self.name['en']}, {self.region_name['en']}"

    def finding(self, statistic: str, en: str, zh: str, **kw: Any) -> Finding:
        return Finding(
            id=make_id(self.region, self.indicator, statistic),
            area=self.area,
            indicator=self.indicator,
            region=self.region,
            period_start=kw.pop("period_start", self.start),
            period_end=kw.pop("period_end", self.end),
            statistic=statistic,
            statement_en=with_synthetic_label(en, self.synthetic, "en"),
            statement_zh=with_synthetic_label(zh, self.synthetic, "zh"),
            unit=kw.pop("unit", self.unit),
            small_sample=kw.pop("small_sample", self.n < SMALL_SAMPLE_N),
            provenance=list(self.provenance),
            synthetic=self.synthetic,
            **kw,
        )


def _q(value: float, unit: str, lang: str, qualifier: str = "exact") -> str:
    return format_quantity(value, unit, lang, qualifier)


def _num(value: float, unit: str) -> str:
    """A bare number for intervals: shares as percentages."""
    return format_percent(value, 2) if unit.startswith("share") else format_number(value, 2)


def _signed_q(value: float, unit: str, lang: str) -> str:
    if unit == "share":
        # a change of a share is in percentage points, not percent
        points = f"{value * 100:+,.2f}"
        return f"{points} percentage points" if lang == "en" else f"{points}个百分点"
    text = format_quantity(value, unit, lang)
    return f"+{text}" if value > 0 else text


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _direction(slope: float, scale: float) -> str:
    if abs(slope) <= 1e-12 * max(abs(scale), 1.0):
        return "flat"
    return "up" if slope > 0 else "down"


def _row(ctx: _Context, statistic: str, value: float | None, **kw: Any) -> dict[str, Any]:
    row = {c: None for c in TABLE_COLUMNS}
    row.update(
        region=ctx.region,
        indicator=ctx.indicator,
        period_start=ctx.start,
        period_end=ctx.end,
        statistic=statistic,
        value=value,
        unit=ctx.unit,
    )
    row.update(kw)
    return row


def _exposure_series(
    panel: pd.DataFrame, exposure: str | None, region: str, years: list[int]
) -> pd.Series | None:
    if not exposure:
        return None
    rows = panel[(panel["indicator"] == exposure) & (panel["region"] == region)]
    rows = rows[rows["year"].isin(years)].drop_duplicates("year").set_index("year")["value"]
    if len(rows) != len(years):
        return None
    rows.index = rows.index.astype(int)
    return rows.reindex(years).astype(float)


def summarize(
    panel: pd.DataFrame,
    indicator: str,
    region: str,
    end: int,
    window: int = 5,
    reported: pd.DataFrame | None = None,
    catalog: Any = None,
    exposure: str | None = "union_members",
    alpha: float = 0.05,
    horizon: int = 5,
    notebook: str | None = None,
) -> TrendSummary:
    """All trend statistics of one indicator in one region over ``window`` years ending at ``end``.

    Args:
        panel: tidy annual panel (``model.ANNUAL_COLUMNS``), base units.
        indicator: catalog id.
        region: region id.
        end: last year of the window.
        window: number of years (>= 3).
        reported: published figures (``model.REPORTED_COLUMNS``); those of this indicator and
            region become findings too.
        catalog: the indicator catalog (see ``derive.catalog_entries``).
        exposure: indicator used as exposure for per-1,000 ratios and the count model offset.
        alpha: 1 - confidence level of intervals.
        horizon: years to project past ``end``.
        notebook: name of the notebook the findings come from.

    Returns:
        A ``TrendSummary`` with ``.table`` and ``.findings``.
    """
    entry = catalog_entries(catalog).get(indicator, {})
    s = window_series(panel, indicator, region, end, window)
    years = [int(y) for y in s.index]
    values = s["value"].to_numpy(dtype=float)
    if np.all(values == 0):
        raise UniontrendsError(
            f"{indicator} in {region} is zero in every year {years[0]}-{years[-1]}: "
            "no trend, growth rate or count model can be estimated"
        )
    provenance = sorted(set(s["provenance"].astype(str)))
    unit = str(entry.get("unit") or s["unit"].iloc[0])
    ctx = _Context(
        region=region,
        indicator=indicator,
        area=str(entry.get("area", "")),
        start=years[0],
        end=years[-1],
        unit=unit,
        n=len(values),
        synthetic="synthetic" in provenance,
        provenance=provenance,
        name={lang: _indicator_name(entry, indicator, lang) for lang in ("en", "zh")},
        region_name={lang: region_name(region, lang) for lang in ("en", "zh")},
    )
    quals = list(s["qualifier"].astype(str))
    kind = str(entry.get("kind", "flow"))
    aggregation = str(entry.get("aggregation", "sum" if kind in ("flow", "money") else "last"))
    rows: list[dict[str, Any]] = []
    found: list[Finding] = []
    notes: list[str] = []

    _descriptive(ctx, s, values, quals, aggregation, rows, found, notebook)
    _per_capita(ctx, panel, exposure, kind, values, rows, found, notebook)
    _term_over_term(ctx, panel, aggregation, window, rows, found, notes, notebook)
    ts = _tests(ctx, years, values, quals, alpha, rows, found, notebook)
    if kind == "flow" and unit in COUNT_UNITS:
        _count_model(ctx, panel, exposure, years, values, quals, ts, alpha, rows, found, notebook)
    if kind == "rate" and unit == "share":
        _wilson(ctx, panel, entry, alpha, rows, found, notebook)
    _projection(ctx, years, values, alpha, horizon, rows, found, notes, notebook)
    if reported is not None:
        found.extend(
            f
            for f in reported_findings(reported, region, catalog)
            if f.indicator == indicator and f.period_end <= end
        )
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    return TrendSummary(indicator, region, years[0], years[-1], table, found, notes)


def _descriptive(
    ctx: _Context,
    s: pd.DataFrame,
    values: np.ndarray,
    quals: list[str],
    aggregation: str,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notebook: str | None,
) -> None:
    first, last = float(values[0]), float(values[-1])
    change = last - first
    rows += [
        _row(ctx, "n_years", float(ctx.n), unit="years"),
        _row(ctx, "level_start", first, note=str(ctx.start)),
        _row(ctx, "level_end", last, note=str(ctx.end)),
        _row(ctx, "abs_change", change),
        _row(ctx, "annual_average", float(values.mean())),
    ]
    rel = change / first if first != 0 else None
    growth = cagr(first, last, ctx.end - ctx.start) if first > 0 else None
    rows.append(
        _row(ctx, "rel_change", rel, unit="share", note=None if rel is not None else "start is 0")
    )
    rows.append(
        _row(
            ctx,
            "cagr",
            growth,
            unit="share per year",
            note=None if growth is not None else "undefined: starting value is not positive",
        )
    )
    rel_en = f", {format_percent(rel, signed=True)}" if rel is not None else ""
    cagr_en = f"; CAGR {format_percent(growth, signed=True)} a year" if growth is not None else ""
    cagr_zh = f"，年均复合增长{format_percent(growth, signed=True)}" if growth is not None else ""
    q0, q1 = quals[0], quals[-1]
    u = ctx.unit
    found.append(
        ctx.finding(
            "level_change",
            f"{ctx.subject('en')}: from {_q(first, u, 'en', q0)} in {ctx.start} to "
            f"{_q(last, u, 'en', q1)} in {ctx.end} ({_signed_q(change, u, 'en')}{rel_en}"
            f"{cagr_en}).",
            f"{ctx.subject('zh')}由{ctx.start}年的{_q(first, u, 'zh', q0)}变为{ctx.end}年的"
            f"{_q(last, u, 'zh', q1)}（{_signed_q(change, u, 'zh')}"
            f"{'，' + format_percent(rel, signed=True) if rel is not None else ''}{cagr_zh}）。",
            value=change,
            direction=_direction(change, first),
            evidence="descriptive",
            qualifier=combine_statistic_qualifier([q0, q1]),
            effect=growth,
            notebook=notebook,
            method="levels at the window's first and last year",
        )
    )
    if aggregation == "sum":
        total = float(values.sum())
        tq = combine_sum_qualifier(quals)
        rows.append(_row(ctx, "total", total, note=f"qualifier {tq}"))
        for year, v in zip(s.index, values, strict=True):
            rows.append(
                _row(ctx, f"share_of_total_{int(year)}", float(v / total), unit="share")
                if total != 0
                else _row(ctx, f"share_of_total_{int(year)}", None, note="total is 0")
            )
        found.append(
            ctx.finding(
                "total",
                f"{ctx.subject('en')}: {_q(total, u, 'en', tq)} in {ctx.period('en')} "
                f"(annual average {_q(float(values.mean()), u, 'en')}).",
                f"{ctx.subject('zh')}{ctx.period('zh')}合计{_q(total, u, 'zh', tq)}"
                f"（年均{_q(float(values.mean()), u, 'zh')}）。",
                value=total,
                interval_low=total if tq == "at_least" else None,
                evidence="descriptive",
                qualifier=tq,
                notebook=notebook,
                method="sum over the window",
            )
        )


def _per_capita(
    ctx: _Context,
    panel: pd.DataFrame,
    exposure: str | None,
    kind: str,
    values: np.ndarray,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notebook: str | None,
) -> None:
    if kind != "flow" or ctx.unit not in COUNT_UNITS or exposure == ctx.indicator:
        return
    years = list(range(ctx.start, ctx.end + 1))
    members = _exposure_series(panel, exposure, ctx.region, years)
    if members is None:
        rows.append(_row(ctx, "per_1000_members", None, note=f"no {exposure} for every year"))
        return
    if not np.all(members.to_numpy() > 0):
        bad = [int(y) for y, m in members.items() if not m > 0]
        raise UniontrendsError(
            f"{exposure} in {ctx.region} is zero or negative in {bad}: "
            f"a rate per 1,000 members is undefined (zero exposure)"
        )
    per = values / members.to_numpy() * 1000
    rows.append(_row(ctx, "per_1000_members_end", float(per[-1]), unit="per_1000_members"))
    rows.append(_row(ctx, "per_1000_members_mean", float(per.mean()), unit="per_1000_members"))
    u = "per_1000_members"
    found.append(
        ctx.finding(
            "per_1000_members",
            f"{ctx.subject('en')}: {format_number(float(per[-1]), 2)} per 1,000 members in "
            f"{ctx.end} (average {format_number(float(per.mean()), 2)} over {ctx.period('en')}).",
            f"{ctx.subject('zh')}{ctx.end}年为{_q(float(per[-1]), u, 'zh', 'exact')}"
            f"（{ctx.period('zh')}平均{format_number(float(per.mean()), 2)}）。",
            value=float(per[-1]),
            unit=u,
            evidence="descriptive",
            notebook=notebook,
            method=f"value / {exposure} x 1,000",
        )
    )


def _aggregate(values: np.ndarray, aggregation: str) -> float:
    if aggregation == "sum":
        return float(values.sum())
    if aggregation == "mean":
        return float(values.mean())
    return float(values[-1])


def _term_over_term(
    ctx: _Context,
    panel: pd.DataFrame,
    aggregation: str,
    window: int,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notes: list[str],
    notebook: str | None,
) -> None:
    prev_end = ctx.start - 1
    prev_start = prev_end - window + 1
    try:
        prev = window_series(panel, ctx.indicator, ctx.region, prev_end, window)
    except UniontrendsError:
        note = f"no previous term: {prev_start}-{prev_end} is not fully in the data"
        rows.append(_row(ctx, "term_over_term", None, unit="share", note=note))
        notes.append(note)
        return
    this_rows = window_series(panel, ctx.indicator, ctx.region, ctx.end, window)
    this = _aggregate(this_rows["value"].to_numpy(float), aggregation)
    before = _aggregate(prev["value"].to_numpy(float), aggregation)
    rel = (this - before) / before if before != 0 else None
    note = f"{aggregation} {prev_start}-{prev_end} = {before:g}; this term = {this:g}"
    rows.append(_row(ctx, "term_over_term", rel, unit="share", note=note))
    synthetic = ctx.synthetic or "synthetic" in set(prev["provenance"].astype(str))
    u = ctx.unit
    word = {"sum": ("total", "合计"), "mean": ("average", "平均"), "last": ("end level", "期末")}
    w_en, w_zh = word.get(aggregation, word["last"])
    rel_en = f" ({format_percent(rel, signed=True)})" if rel is not None else ""
    rel_zh = f"（{format_percent(rel, signed=True)}）" if rel is not None else ""
    f = ctx.finding(
        "term_over_term",
        f"{ctx.subject('en')}: {w_en} {_q(this, u, 'en')} in {ctx.period('en')} against "
        f"{_q(before, u, 'en')} in {prev_start}–{prev_end}{rel_en}.",
        f"{ctx.subject('zh')}{ctx.period('zh')}{w_zh}{_q(this, u, 'zh')}，上一届"
        f"（{prev_start}—{prev_end}年）为{_q(before, u, 'zh')}{rel_zh}。",
        value=rel,
        unit="share",
        direction=_direction(this - before, before),
        evidence="descriptive",
        effect=rel,
        notebook=notebook,
        method=f"{aggregation} of this window vs the previous window of {window} years",
    )
    if synthetic and not ctx.synthetic:
        f.synthetic = True
        f.statement_en = with_synthetic_label(f.statement_en, True, "en")
        f.statement_zh = with_synthetic_label(f.statement_zh, True, "zh")
    found.append(f)


def _tests(
    ctx: _Context,
    years: list[int],
    values: np.ndarray,
    quals: list[str],
    alpha: float,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notebook: str | None,
) -> TheilSen:
    ols = ols_trend(years, values, alpha)
    ts = theil_sen(years, values, alpha)
    mk = mann_kendall(years, values)
    ev = classify_evidence(ols, ts, mk)
    rows += [
        _row(ctx, "ols_slope", ols.slope, ci_low=ols.ci_low, ci_high=ols.ci_high,
             p_value=ols.p_value, unit=f"{ctx.unit} per year", method="OLS", evidence=ev),
        _row(ctx, "theil_sen_slope", ts.slope, ci_low=ts.ci_low, ci_high=ts.ci_high,
             unit=f"{ctx.unit} per year", method="Theil-Sen"),
        _row(ctx, "mann_kendall_s", float(mk.s), p_value=mk.p_value, unit="",
             method=f"Mann-Kendall ({mk.method})"),
        _row(ctx, "kendall_tau", mk.tau, p_value=mk.p_value, unit="",
             method=f"Mann-Kendall ({mk.method})"),
    ]  # fmt: skip
    u = f"{ctx.unit}"
    mean = float(values.mean())
    pct = int(round((1 - alpha) * 100))
    verdict_en = {
        "clear": "a clear trend",
        "suggestive": "a suggestive trend",
        "inconclusive": "no clear trend",
    }[ev]
    verdict_zh = {"clear": "趋势明确", "suggestive": "趋势提示性", "inconclusive": "趋势不明确"}[ev]
    small_en = f", n = {ctx.n}, small sample" if ctx.n < SMALL_SAMPLE_N else f", n = {ctx.n}"
    small_zh = f"，样本量{ctx.n}，小样本" if ctx.n < SMALL_SAMPLE_N else f"，样本量{ctx.n}"
    if combine_statistic_qualifier(quals) != "exact":
        # bounds or estimates among the inputs make the slope itself approximate
        small_en += "; some inputs are bounds or approximations"
        small_zh += "；部分原始数据为约数或下限"
    en = (
        f"{ctx.subject('en')}, {ctx.period('en')}: {verdict_en} "
        f"({_signed_q(ols.slope, u, 'en')} a year by OLS, {pct}% CI "
        f"{_num(ols.ci_low, u)} to {_num(ols.ci_high, u)}; Theil–Sen "
        f"{_signed_q(ts.slope, u, 'en')} a year; Mann–Kendall S = {mk.s}, p = "
        f"{mk.p_value:.3f} ({mk.method}){small_en})."
    )
    zh = (
        f"{ctx.subject('zh')}{ctx.period('zh')}{verdict_zh}"
        f"（OLS年均变化{_signed_q(ols.slope, u, 'zh')}，"
        f"{pct}%置信区间{_num(ols.ci_low, u)}至{_num(ols.ci_high, u)}；"
        f"Theil–Sen年均{_signed_q(ts.slope, u, 'zh')}；Mann–Kendall S = {mk.s}，"
        f"{_p(mk.p_value)}{small_zh}）。"
    )
    found.append(
        ctx.finding(
            "trend",
            en,
            zh,
            value=ols.slope,
            unit=f"{ctx.unit}_per_year",
            interval_low=ols.ci_low,
            interval_high=ols.ci_high,
            p_value=mk.p_value,
            direction=_direction(ols.slope, mean),
            evidence=ev,
            qualifier=combine_statistic_qualifier(quals),
            effect=ols.slope / mean if mean != 0 else None,
            notebook=notebook,
            method=f"OLS slope + Theil-Sen + Mann-Kendall ({mk.method})",
        )
    )
    return ts


def _count_model(
    ctx: _Context,
    panel: pd.DataFrame,
    exposure: str | None,
    years: list[int],
    values: np.ndarray,
    quals: list[str],
    ts: TheilSen,
    alpha: float,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notebook: str | None,
) -> None:
    if not np.allclose(values, np.round(values)) or np.any(values < 0):
        rows.append(_row(ctx, "glm_rate_ratio", None, note="values are not whole counts"))
        return
    members = (
        None if exposure == ctx.indicator else _exposure_series(panel, exposure, ctx.region, years)
    )
    exp_values = None if members is None else members.to_numpy() / 1000
    ct = count_trend(years, values, exp_values, alpha, exposure if members is not None else None)
    ev = _count_evidence(ct, ts)
    per = " per 1,000 members" if ct.exposure else ""
    per_zh = "（每千名会员）" if ct.exposure else ""
    rows.append(
        _row(ctx, "glm_rate_ratio", ct.rate_ratio, ci_low=ct.ci_low, ci_high=ct.ci_high,
             p_value=ct.p_value, unit="ratio per year", method=ct.model, evidence=ev,
             note=ct.rule)
    )  # fmt: skip
    rows.append(_row(ctx, "pearson_dispersion", ct.dispersion, unit="", note=ct.rule))
    change = ct.rate_ratio - 1
    model_en = {"poisson": "Poisson GLM", "negative_binomial": "negative-binomial GLM",
                "quasi_poisson": "quasi-Poisson GLM"}[ct.model]  # fmt: skip
    model_zh = {"poisson": "泊松回归", "negative_binomial": "负二项回归",
                "quasi_poisson": "准泊松回归"}[ct.model]  # fmt: skip
    found.append(
        ctx.finding(
            "count_trend",
            f"{ctx.subject('en')}, {ctx.period('en')}: {format_percent(change, signed=True)} a year"
            f"{per} ({model_en}, rate ratio {ct.rate_ratio:.3f}, {int(round((1 - alpha) * 100))}% "
            f"CI {ct.ci_low:.3f}–{ct.ci_high:.3f}, {_p(ct.p_value)}; {ct.rule}; evidence "
            f"{ev}).",
            f"{ctx.subject('zh')}{ctx.period('zh')}{per_zh}年均变化"
            f"{format_percent(change, signed=True)}"
            f"（{model_zh}，率比{ct.rate_ratio:.3f}，置信区间{ct.ci_low:.3f}–{ct.ci_high:.3f}，"
            f"{_p(ct.p_value)}；{ct.rule}）。",
            value=ct.rate_ratio,
            unit="rate_ratio_per_year",
            interval_low=ct.ci_low,
            interval_high=ct.ci_high,
            p_value=ct.p_value,
            direction=_direction(math.log(ct.rate_ratio), 1.0),
            evidence=ev,
            qualifier=combine_statistic_qualifier(quals),
            effect=change,
            notebook=notebook,
            method=f"{ct.model}; {ct.rule}",
        )
    )


def _wilson(
    ctx: _Context,
    panel: pd.DataFrame,
    entry: dict[str, Any],
    alpha: float,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notebook: str | None,
) -> None:
    num_id, den_id = entry.get("numerator"), entry.get("denominator")
    if not num_id or not den_id:
        return
    sel = panel[(panel["region"] == ctx.region) & (panel["year"] == ctx.end)]
    num = sel.loc[sel["indicator"] == num_id, "value"]
    den = sel.loc[sel["indicator"] == den_id, "value"]
    if len(num) != 1 or len(den) != 1:
        rows.append(_row(ctx, "wilson_share_end", None, note="no counts for a Wilson interval"))
        return
    k, n = float(num.iloc[0]), float(den.iloc[0])
    low, high = wilson_interval(k, n, alpha)
    share = k / n
    rows.append(
        _row(ctx, "wilson_share_end", share, ci_low=low, ci_high=high, unit="share",
             method="Wilson score interval", note=f"{k:g} / {n:g} in {ctx.end}")
    )  # fmt: skip
    found.append(
        ctx.finding(
            "share_end",
            f"{ctx.subject('en')}: {format_percent(share)} in {ctx.end} "
            f"({format_number(k)} of {format_number(n)}; Wilson "
            f"{int(round((1 - alpha) * 100))}% CI {format_percent(low)}–{format_percent(high)}).",
            f"{ctx.subject('zh')}{ctx.end}年为{format_percent(share)}"
            f"（{format_number(n)}中{format_number(k)}；Wilson置信区间"
            f"{format_percent(low)}–{format_percent(high)}）。",
            value=share,
            unit="share",
            interval_low=low,
            interval_high=high,
            evidence="descriptive",
            notebook=notebook,
            method="Wilson score interval",
        )
    )


def _projection(
    ctx: _Context,
    years: list[int],
    values: np.ndarray,
    alpha: float,
    horizon: int,
    rows: list[dict[str, Any]],
    found: list[Finding],
    notes: list[str],
    notebook: str | None,
) -> None:
    proj = forecast.project(years, values, horizon=horizon, alpha=alpha)
    last = proj.final
    year = int(last["year"])
    rows.append(
        _row(ctx, f"projection_{year}", float(last["mean"]), ci_low=float(last["pi_low"]),
             ci_high=float(last["pi_high"]), method=proj.method, note=" ".join(proj.notes))
    )  # fmt: skip
    notes.extend(proj.notes)
    u = ctx.unit
    pct = int(round((1 - alpha) * 100))
    found.append(
        ctx.finding(
            f"projection_{year}",
            f"{ctx.subject('en')}: projected {_q(float(last['mean']), u, 'en')} in {year} "
            f"({pct}% prediction interval {_num(float(last['pi_low']), u)} to "
            f"{_num(float(last['pi_high']), u)}; {forecast.METHOD_TEXT[proj.method]} "
            f"on n = {ctx.n} points, an illustrative extrapolation).",
            f"{ctx.subject('zh')}预计{year}年为{_q(float(last['mean']), u, 'zh')}"
            f"（{pct}%预测区间{_num(float(last['pi_low']), u)}至"
            f"{_num(float(last['pi_high']), u)}；"
            f"{forecast.METHOD_TEXT_ZH[proj.method]}，基于{ctx.n}个数据点的示意性外推）。",
            value=float(last["mean"]),
            interval_low=float(last["pi_low"]),
            interval_high=float(last["pi_high"]),
            evidence="descriptive",
            period_end=year,
            notebook=notebook,
            method=proj.method,
        )
    )


# ---- reported figures ------------------------------------------------------------------------


def reported_findings(
    reported: pd.DataFrame, region: str, catalog: Any = None, notebook: str | None = None
) -> list[Finding]:
    """Findings stating published figures as they were published.

    A lower bound ("1200余件") reads "at least 1,200 cases" / "超过1,200件" with interval
    [value, None]; an upper bound the reverse; "approx" reads "about" with no interval.

    Args:
        reported: published figures (``model.REPORTED_COLUMNS``).
        region: region id.
        catalog: the indicator catalog (names, area, kind).
    """
    entries = catalog_entries(catalog)
    rows = reported[reported["region"] == region]
    out: list[Finding] = []
    for r in rows.itertuples(index=False):
        entry = entries.get(str(r.indicator), {})
        unit = str(entry.get("unit") or r.unit)
        qualifier = str(r.qualifier)
        value = float(r.value)
        synthetic = str(r.provenance) == "synthetic"
        ctx = _Context(
            region=region,
            indicator=str(r.indicator),
            area=str(entry.get("area", "")),
            start=int(r.period_start),
            end=int(r.period_end),
            unit=unit,
            n=1,
            synthetic=synthetic,
            provenance=[str(r.provenance)],
            name={lang: _indicator_name(entry, str(r.indicator), lang) for lang in ("en", "zh")},
            region_name={lang: region_name(region, lang) for lang in ("en", "zh")},
        )
        is_total = entry.get("aggregation", "sum") == "sum" and ctx.start != ctx.end
        low = value if qualifier in ("exact", "at_least") else None
        high = value if qualifier in ("exact", "at_most") else None
        source = str(r.source)
        bound_en = {"at_least": ", a lower bound", "at_most": ", an upper bound"}.get(qualifier, "")
        bound_zh = {"at_least": "，下限", "at_most": "，上限"}.get(qualifier, "")
        label = "reported" if str(r.provenance) == "reported" else str(r.provenance)
        label_zh = "公开报道数" if str(r.provenance) == "reported" else label
        amount_en, amount_zh = _q(value, unit, "en", qualifier), _q(value, unit, "zh", qualifier)
        when_en = f"in total over {ctx.period('en')}" if is_total else f"by {ctx.end}"
        when_zh = f"{ctx.period('zh')}累计" if is_total else f"截至{ctx.end}年"
        en = f"{ctx.subject('en')}: {amount_en} {when_en} ({label} figure{bound_en}; {source})."
        zh = f"{ctx.subject('zh')}{when_zh}{amount_zh}（{label_zh}{bound_zh}；{source}）。"
        out.append(
            ctx.finding(
                "reported_total" if is_total else "reported_level",
                en,
                zh,
                value=value,
                interval_low=low,
                interval_high=high,
                evidence="descriptive",
                direction="none",
                qualifier=qualifier,
                small_sample=False,
                notebook=notebook,
                method="published figure",
            )
        )
    return out


# ---- area -------------------------------------------------------------------------------------


@dataclass
class AreaSummary:
    """Summaries of every indicator of an area present in the panel; ``skipped`` says why not."""

    area: str
    region: str
    summaries: dict[str, TrendSummary]
    skipped: dict[str, str]

    @property
    def table(self) -> pd.DataFrame:
        """All statistics, one row per indicator and statistic."""
        frames = [s.table for s in self.summaries.values()]
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=list(TABLE_COLUMNS))
        )

    @property
    def findings(self) -> list[Finding]:
        """All findings of the area, in indicator order."""
        return [f for s in self.summaries.values() for f in s.findings]


def summarize_area(
    panel: pd.DataFrame,
    area: str,
    region: str,
    end: int,
    window: int = 5,
    reported: pd.DataFrame | None = None,
    catalog: Any = None,
    **kwargs: Any,
) -> AreaSummary:
    """``summarize`` every catalog indicator of ``area`` that the panel has for ``region``.

    Indicators whose data cannot support a trend (gaps, all zeros, too few years) are listed in
    ``skipped`` with the reason instead of stopping the area.
    """
    if window < 3:
        raise ParameterError("window", window, "a trend needs at least 3 years")
    entries = catalog_entries(catalog)
    ids = [i for i, e in entries.items() if e.get("area") == area]
    if not ids:
        raise UniontrendsError(f"no indicators of area {area!r} in the catalog")
    have = set(panel.loc[panel["region"] == region, "indicator"])
    summaries: dict[str, TrendSummary] = {}
    skipped: dict[str, str] = {}
    for ind in ids:
        if ind not in have:
            skipped[ind] = "no annual data"
            continue
        try:
            summaries[ind] = summarize(
                panel, ind, region, end, window, reported=reported, catalog=catalog, **kwargs
            )
        except UniontrendsError as exc:
            skipped[ind] = str(exc)
    return AreaSummary(area, region, summaries, skipped)
