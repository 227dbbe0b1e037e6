"""The findings of one indicator in one region over a window: statistics table and statements.

``summarize`` computes every statistic the series supports (levels and change, CAGR, totals,
per-1,000-member ratios, term-over-term change, trend tests, a count model for counts, a
Wilson interval for shares, a projection) and words each as a finding; ``summarize_area``
does it for every indicator of an area and says why any indicator was left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from uniontrends.data.derive import (
    catalog_entries,
    combine_statistic_qualifier,
    combine_sum_qualifier,
)
from uniontrends.data.model import WINDOW_MIN
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.findings.projections import METHOD_TEXT, METHOD_TEXT_ZH
from uniontrends.findings.published import reported_findings
from uniontrends.findings.record import Finding, make_id
from uniontrends.findings.wording import (
    format_number,
    format_percent,
    format_quantity,
    with_synthetic_label,
)
from uniontrends.stats import forecast
from uniontrends.stats.counts import COUNT_UNITS, count_trend
from uniontrends.stats.descriptive import aggregate, cagr
from uniontrends.stats.evidence import SMALL_SAMPLE_N, classify_evidence, count_evidence
from uniontrends.stats.rates import wilson_interval
from uniontrends.stats.series import exposure_series, window_series
from uniontrends.stats.trend_tests import TheilSen, mann_kendall, ols_trend, theil_sen

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
class _Part:
    """What one section of a summary adds: statistics rows, findings and notes."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Series:
    """One indicator of one region over the window, with everything its sections need."""

    panel: pd.DataFrame
    frame: pd.DataFrame  # the window's rows, indexed by year
    region: str
    indicator: str
    area: str
    unit: str
    kind: str
    aggregation: str
    names: dict[str, str]  # indicator name by language
    region_names: dict[str, str]  # region name by language
    window: int
    exposure: str | None
    alpha: float
    notebook: str | None

    def __post_init__(self) -> None:
        self.years = [int(y) for y in self.frame.index]
        self.values = self.frame["value"].to_numpy(dtype=float)
        self.quals = list(self.frame["qualifier"].astype(str))
        self.provenance = sorted(set(self.frame["provenance"].astype(str)))
        self.synthetic = "synthetic" in self.provenance

    @property
    def start(self) -> int:
        return self.years[0]

    @property
    def end(self) -> int:
        return self.years[-1]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def pct(self) -> int:
        """The confidence level in percent, e.g. 95."""
        return int(round((1 - self.alpha) * 100))

    def period(self, lang: str) -> str:
        return f"{self.start}–{self.end}" if lang == "en" else f"{self.start}—{self.end}年"

    def subject(self, lang: str) -> str:
        if lang == "zh":
            return f"{self.region_names['zh']}{self.names['zh']}"
        return f"{self.names['en']}, {self.region_names['en']}"

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
            notebook=self.notebook,
            **kw,
        )

    def row(self, statistic: str, value: float | None, **kw: Any) -> dict[str, Any]:
        row = {c: None for c in TABLE_COLUMNS}
        row.update(
            region=self.region,
            indicator=self.indicator,
            period_start=self.start,
            period_end=self.end,
            statistic=statistic,
            value=value,
            unit=self.unit,
        )
        row.update(kw)
        return row


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


def summarize(
    panel: pd.DataFrame,
    indicator: str,
    region: str,
    end: int,
    window: int = 5,
    *,
    catalog: Any,
    region_names: dict[str, str],
    reported: pd.DataFrame | None = None,
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
        catalog: the indicator catalog (see ``derive.catalog_entries``).
        region_names: the region's display name by language ({"en": ..., "zh": ...}).
        reported: published figures (``model.REPORTED_COLUMNS``); those of this indicator and
            region become findings too.
        exposure: indicator used as exposure for per-1,000 ratios and the count model offset.
        alpha: 1 - confidence level of intervals.
        horizon: years to project past ``end``.
        notebook: name of the notebook the findings come from.

    Returns:
        A ``TrendSummary`` with ``.table`` and ``.findings``.
    """
    entries = catalog_entries(catalog)
    entry = entries.get(indicator, {})
    frame = window_series(panel, indicator, region, end, window)
    if np.all(frame["value"].to_numpy(dtype=float) == 0):
        years = [int(y) for y in frame.index]
        raise UniontrendsError(
            f"{indicator} in {region} is zero in every year {years[0]}-{years[-1]}: "
            "no trend, growth rate or count model can be estimated"
        )
    kind = str(entry.get("kind", "flow"))
    series = _Series(
        panel=panel,
        frame=frame,
        region=region,
        indicator=indicator,
        area=str(entry.get("area", "")),
        unit=str(entry.get("unit") or frame["unit"].iloc[0]),
        kind=kind,
        aggregation=str(entry.get("aggregation", "sum" if kind in ("flow", "money") else "last")),
        names={lang: str(entry.get(f"name_{lang}") or indicator) for lang in ("en", "zh")},
        region_names=dict(region_names),
        window=window,
        exposure=exposure,
        alpha=alpha,
        notebook=notebook,
    )
    tests, ts = _tests(series)
    parts = [_descriptive(series), _per_capita(series), _term_over_term(series), tests]
    if series.kind == "flow" and series.unit in COUNT_UNITS:
        parts.append(_count_model(series, ts))
    if series.kind == "rate" and series.unit == "share":
        parts.append(_wilson(series, entry))
    parts.append(_projection(series, horizon))
    found = [f for part in parts for f in part.findings]
    if reported is not None:
        found.extend(
            f
            for f in reported_findings(
                reported, region, catalog, region_names=region_names, notebook=notebook
            )
            if f.indicator == indicator and f.period_end <= end
        )
    table = pd.DataFrame([r for part in parts for r in part.rows], columns=list(TABLE_COLUMNS))
    notes = [note for part in parts for note in part.notes]
    return TrendSummary(indicator, region, series.start, series.end, table, found, notes)


def _descriptive(s: _Series) -> _Part:
    first, last = float(s.values[0]), float(s.values[-1])
    change = last - first
    part = _Part(
        rows=[
            s.row("n_years", float(s.n), unit="years"),
            s.row("level_start", first, note=str(s.start)),
            s.row("level_end", last, note=str(s.end)),
            s.row("abs_change", change),
            s.row("annual_average", float(s.values.mean())),
        ]
    )
    rel = change / first if first != 0 else None
    growth = cagr(first, last, s.end - s.start) if first > 0 else None
    part.rows.append(
        s.row("rel_change", rel, unit="share", note=None if rel is not None else "start is 0")
    )
    part.rows.append(
        s.row(
            "cagr",
            growth,
            unit="share per year",
            note=None if growth is not None else "undefined: starting value is not positive",
        )
    )
    rel_en = f", {format_percent(rel, signed=True)}" if rel is not None else ""
    cagr_en = f"; CAGR {format_percent(growth, signed=True)} a year" if growth is not None else ""
    cagr_zh = f"，年均复合增长{format_percent(growth, signed=True)}" if growth is not None else ""
    q0, q1 = s.quals[0], s.quals[-1]
    u = s.unit
    part.findings.append(
        s.finding(
            "level_change",
            f"{s.subject('en')}: from {_q(first, u, 'en', q0)} in {s.start} to "
            f"{_q(last, u, 'en', q1)} in {s.end} ({_signed_q(change, u, 'en')}{rel_en}"
            f"{cagr_en}).",
            f"{s.subject('zh')}由{s.start}年的{_q(first, u, 'zh', q0)}变为{s.end}年的"
            f"{_q(last, u, 'zh', q1)}（{_signed_q(change, u, 'zh')}"
            f"{'，' + format_percent(rel, signed=True) if rel is not None else ''}{cagr_zh}）。",
            value=change,
            direction=_direction(change, first),
            evidence="descriptive",
            qualifier=combine_statistic_qualifier([q0, q1]),
            effect=growth,
            method="levels at the window's first and last year",
        )
    )
    if s.aggregation == "sum":
        total = float(s.values.sum())
        tq = combine_sum_qualifier(s.quals)
        part.rows.append(s.row("total", total, note=f"qualifier {tq}"))
        for year, v in zip(s.years, s.values, strict=True):
            part.rows.append(
                s.row(f"share_of_total_{year}", float(v / total), unit="share")
                if total != 0
                else s.row(f"share_of_total_{year}", None, note="total is 0")
            )
        mean = float(s.values.mean())
        part.findings.append(
            s.finding(
                "total",
                f"{s.subject('en')}: {_q(total, u, 'en', tq)} in {s.period('en')} "
                f"(annual average {_q(mean, u, 'en')}).",
                f"{s.subject('zh')}{s.period('zh')}合计{_q(total, u, 'zh', tq)}"
                f"（年均{_q(mean, u, 'zh')}）。",
                value=total,
                interval_low=total if tq == "at_least" else None,
                evidence="descriptive",
                qualifier=tq,
                method="sum over the window",
            )
        )
    return part


def _per_capita(s: _Series) -> _Part:
    if s.kind != "flow" or s.unit not in COUNT_UNITS or s.exposure == s.indicator:
        return _Part()
    members = exposure_series(s.panel, s.exposure, s.region, s.years)
    if members is None:
        return _Part(rows=[s.row("per_1000_members", None, note=f"no {s.exposure} for every year")])
    if not np.all(members.to_numpy() > 0):
        bad = [int(y) for y, m in members.items() if not m > 0]
        raise UniontrendsError(
            f"{s.exposure} in {s.region} is zero or negative in {bad}: "
            f"a rate per 1,000 members is undefined (zero exposure)"
        )
    per = s.values / members.to_numpy() * 1000
    u = "per_1000_members"
    finding = s.finding(
        "per_1000_members",
        f"{s.subject('en')}: {format_number(float(per[-1]), 2)} per 1,000 members in "
        f"{s.end} (average {format_number(float(per.mean()), 2)} over {s.period('en')}).",
        f"{s.subject('zh')}{s.end}年为{_q(float(per[-1]), u, 'zh', 'exact')}"
        f"（{s.period('zh')}平均{format_number(float(per.mean()), 2)}）。",
        value=float(per[-1]),
        unit=u,
        evidence="descriptive",
        method=f"value / {s.exposure} x 1,000",
    )
    return _Part(
        rows=[
            s.row("per_1000_members_end", float(per[-1]), unit=u),
            s.row("per_1000_members_mean", float(per.mean()), unit=u),
        ],
        findings=[finding],
    )


def _term_over_term(s: _Series) -> _Part:
    prev_end = s.start - 1
    prev_start = prev_end - s.window + 1
    try:
        prev = window_series(s.panel, s.indicator, s.region, prev_end, s.window)
    except UniontrendsError:
        note = f"no previous term: {prev_start}-{prev_end} is not fully in the data"
        return _Part(rows=[s.row("term_over_term", None, unit="share", note=note)], notes=[note])
    this = aggregate(s.values, s.aggregation)
    before = aggregate(prev["value"].to_numpy(float), s.aggregation)
    rel = (this - before) / before if before != 0 else None
    note = f"{s.aggregation} {prev_start}-{prev_end} = {before:g}; this term = {this:g}"
    synthetic = s.synthetic or "synthetic" in set(prev["provenance"].astype(str))
    u = s.unit
    word = {"sum": ("total", "合计"), "mean": ("average", "平均"), "last": ("end level", "期末")}
    w_en, w_zh = word.get(s.aggregation, word["last"])
    rel_en = f" ({format_percent(rel, signed=True)})" if rel is not None else ""
    rel_zh = f"（{format_percent(rel, signed=True)}）" if rel is not None else ""
    f = s.finding(
        "term_over_term",
        f"{s.subject('en')}: {w_en} {_q(this, u, 'en')} in {s.period('en')} against "
        f"{_q(before, u, 'en')} in {prev_start}–{prev_end}{rel_en}.",
        f"{s.subject('zh')}{s.period('zh')}{w_zh}{_q(this, u, 'zh')}，上一届"
        f"（{prev_start}—{prev_end}年）为{_q(before, u, 'zh')}{rel_zh}。",
        value=rel,
        unit="share",
        direction=_direction(this - before, before),
        evidence="descriptive",
        effect=rel,
        method=f"{s.aggregation} of this window vs the previous window of {s.window} years",
    )
    if synthetic and not s.synthetic:
        # the previous term alone is synthetic: the comparison rests on it too
        f.synthetic = True
        f.statement_en = with_synthetic_label(f.statement_en, True, "en")
        f.statement_zh = with_synthetic_label(f.statement_zh, True, "zh")
    return _Part(rows=[s.row("term_over_term", rel, unit="share", note=note)], findings=[f])


def _tests(s: _Series) -> tuple[_Part, TheilSen]:
    ols = ols_trend(s.years, s.values, s.alpha)
    ts = theil_sen(s.years, s.values, s.alpha)
    mk = mann_kendall(s.years, s.values)
    ev = classify_evidence(ols, ts, mk)
    part = _Part(
        rows=[
            s.row("ols_slope", ols.slope, ci_low=ols.ci_low, ci_high=ols.ci_high,
                  p_value=ols.p_value, unit=f"{s.unit} per year", method="OLS", evidence=ev),
            s.row("theil_sen_slope", ts.slope, ci_low=ts.ci_low, ci_high=ts.ci_high,
                  unit=f"{s.unit} per year", method="Theil-Sen"),
            s.row("mann_kendall_s", float(mk.s), p_value=mk.p_value, unit="",
                  method=f"Mann-Kendall ({mk.method})"),
            s.row("kendall_tau", mk.tau, p_value=mk.p_value, unit="",
                  method=f"Mann-Kendall ({mk.method})"),
        ]
    )  # fmt: skip
    u = s.unit
    mean = float(s.values.mean())
    verdict_en = {
        "clear": "a clear trend",
        "suggestive": "a suggestive trend",
        "inconclusive": "no clear trend",
    }[ev]
    verdict_zh = {"clear": "趋势明确", "suggestive": "趋势提示性", "inconclusive": "趋势不明确"}[ev]
    small_en = f", n = {s.n}, small sample" if s.n < SMALL_SAMPLE_N else f", n = {s.n}"
    small_zh = f"，样本量{s.n}，小样本" if s.n < SMALL_SAMPLE_N else f"，样本量{s.n}"
    if combine_statistic_qualifier(s.quals) != "exact":
        # bounds or estimates among the inputs make the slope itself approximate
        small_en += "; some inputs are bounds or approximations"
        small_zh += "；部分原始数据为约数或下限"
    en = (
        f"{s.subject('en')}, {s.period('en')}: {verdict_en} "
        f"({_signed_q(ols.slope, u, 'en')} a year by OLS, {s.pct}% CI "
        f"{_num(ols.ci_low, u)} to {_num(ols.ci_high, u)}; Theil–Sen "
        f"{_signed_q(ts.slope, u, 'en')} a year; Mann–Kendall S = {mk.s}, p = "
        f"{mk.p_value:.3f} ({mk.method}){small_en})."
    )
    zh = (
        f"{s.subject('zh')}{s.period('zh')}{verdict_zh}"
        f"（OLS年均变化{_signed_q(ols.slope, u, 'zh')}，"
        f"{s.pct}%置信区间{_num(ols.ci_low, u)}至{_num(ols.ci_high, u)}；"
        f"Theil–Sen年均{_signed_q(ts.slope, u, 'zh')}；Mann–Kendall S = {mk.s}，"
        f"{_p(mk.p_value)}{small_zh}）。"
    )
    part.findings.append(
        s.finding(
            "trend",
            en,
            zh,
            value=ols.slope,
            unit=f"{s.unit}_per_year",
            interval_low=ols.ci_low,
            interval_high=ols.ci_high,
            p_value=mk.p_value,
            direction=_direction(ols.slope, mean),
            evidence=ev,
            qualifier=combine_statistic_qualifier(s.quals),
            effect=ols.slope / mean if mean != 0 else None,
            method=f"OLS slope + Theil-Sen + Mann-Kendall ({mk.method})",
        )
    )
    return part, ts


def _count_model(s: _Series, ts: TheilSen) -> _Part:
    if not np.allclose(s.values, np.round(s.values)) or np.any(s.values < 0):
        return _Part(rows=[s.row("glm_rate_ratio", None, note="values are not whole counts")])
    members = (
        None
        if s.exposure == s.indicator
        else exposure_series(s.panel, s.exposure, s.region, s.years)
    )
    exp_values = None if members is None else members.to_numpy() / 1000
    ct = count_trend(
        s.years, s.values, exp_values, s.alpha, s.exposure if members is not None else None
    )
    ev = count_evidence(ct, ts)
    per = " per 1,000 members" if ct.exposure else ""
    per_zh = "（每千名会员）" if ct.exposure else ""
    change = ct.rate_ratio - 1
    model_en = {"poisson": "Poisson GLM", "negative_binomial": "negative-binomial GLM",
                "quasi_poisson": "quasi-Poisson GLM"}[ct.model]  # fmt: skip
    model_zh = {"poisson": "泊松回归", "negative_binomial": "负二项回归",
                "quasi_poisson": "准泊松回归"}[ct.model]  # fmt: skip
    finding = s.finding(
        "count_trend",
        f"{s.subject('en')}, {s.period('en')}: {format_percent(change, signed=True)} a year"
        f"{per} ({model_en}, rate ratio {ct.rate_ratio:.3f}, {s.pct}% "
        f"CI {ct.ci_low:.3f}–{ct.ci_high:.3f}, {_p(ct.p_value)}; {ct.rule}; evidence "
        f"{ev}).",
        f"{s.subject('zh')}{s.period('zh')}{per_zh}年均变化"
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
        qualifier=combine_statistic_qualifier(s.quals),
        effect=change,
        method=f"{ct.model}; {ct.rule}",
    )
    return _Part(
        rows=[
            s.row("glm_rate_ratio", ct.rate_ratio, ci_low=ct.ci_low, ci_high=ct.ci_high,
                  p_value=ct.p_value, unit="ratio per year", method=ct.model, evidence=ev,
                  note=ct.rule),
            s.row("pearson_dispersion", ct.dispersion, unit="", note=ct.rule),
        ],
        findings=[finding],
    )  # fmt: skip


def _wilson(s: _Series, entry: dict[str, Any]) -> _Part:
    num_id, den_id = entry.get("numerator"), entry.get("denominator")
    if not num_id or not den_id:
        return _Part()
    sel = s.panel[(s.panel["region"] == s.region) & (s.panel["year"] == s.end)]
    num = sel.loc[sel["indicator"] == num_id, "value"]
    den = sel.loc[sel["indicator"] == den_id, "value"]
    if len(num) != 1 or len(den) != 1:
        return _Part(rows=[s.row("wilson_share_end", None, note="no counts for a Wilson interval")])
    k, n = float(num.iloc[0]), float(den.iloc[0])
    low, high = wilson_interval(k, n, s.alpha)
    share = k / n
    finding = s.finding(
        "share_end",
        f"{s.subject('en')}: {format_percent(share)} in {s.end} "
        f"({format_number(k)} of {format_number(n)}; Wilson "
        f"{s.pct}% CI {format_percent(low)}–{format_percent(high)}).",
        f"{s.subject('zh')}{s.end}年为{format_percent(share)}"
        f"（{format_number(n)}中{format_number(k)}；Wilson置信区间"
        f"{format_percent(low)}–{format_percent(high)}）。",
        value=share,
        unit="share",
        interval_low=low,
        interval_high=high,
        evidence="descriptive",
        method="Wilson score interval",
    )
    row = s.row("wilson_share_end", share, ci_low=low, ci_high=high, unit="share",
                method="Wilson score interval", note=f"{k:g} / {n:g} in {s.end}")  # fmt: skip
    return _Part(rows=[row], findings=[finding])


def _projection(s: _Series, horizon: int) -> _Part:
    proj = forecast.project(s.years, s.values, horizon=horizon, alpha=s.alpha)
    last = proj.final
    year = int(last["year"])
    mean, low, high = float(last["mean"]), float(last["pi_low"]), float(last["pi_high"])
    u = s.unit
    finding = s.finding(
        f"projection_{year}",
        f"{s.subject('en')}: projected {_q(mean, u, 'en')} in {year} "
        f"({s.pct}% prediction interval {_num(low, u)} to "
        f"{_num(high, u)}; {METHOD_TEXT[proj.method]} "
        f"on n = {s.n} points, an illustrative extrapolation).",
        f"{s.subject('zh')}预计{year}年为{_q(mean, u, 'zh')}"
        f"（{s.pct}%预测区间{_num(low, u)}至"
        f"{_num(high, u)}；"
        f"{METHOD_TEXT_ZH[proj.method]}，基于{s.n}个数据点的示意性外推）。",
        value=mean,
        interval_low=low,
        interval_high=high,
        evidence="descriptive",
        period_end=year,
        method=proj.method,
    )
    row = s.row(f"projection_{year}", mean, ci_low=low, ci_high=high, method=proj.method,
                note=" ".join(proj.notes))  # fmt: skip
    return _Part(rows=[row], findings=[finding], notes=list(proj.notes))


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
    *,
    catalog: Any,
    region_names: dict[str, str],
    **kwargs: Any,
) -> AreaSummary:
    """``summarize`` every catalog indicator of ``area`` that the panel has for ``region``.

    Indicators whose data cannot support a trend (gaps, all zeros, too few years) are listed in
    ``skipped`` with the reason instead of stopping the area.
    """
    if window < WINDOW_MIN:
        raise ParameterError("window", window, f"a trend needs at least {WINDOW_MIN} years")
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
                panel, ind, region, end, window, catalog=catalog, region_names=region_names,
                **kwargs,
            )  # fmt: skip
        except UniontrendsError as exc:
            skipped[ind] = str(exc)
    return AreaSummary(area, region, summaries, skipped)
