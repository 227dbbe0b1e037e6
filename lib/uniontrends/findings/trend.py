"""The findings of one indicator in one region over a window: statistics table and statements.

``summarize`` computes every statistic the series supports (levels and change, CAGR, totals,
per-1,000-member rates with the count's Poisson interval, term-over-term change, the trend
tests, a count model for counts, a sampling interval for survey shares, a projection) and words
each as a finding; ``summarize_area`` does it for every indicator of an area, grades the area's
tests as one family (Benjamini-Hochberg, rules in ``stats.evidence``) and says why any
indicator was left out. Years without a value are left out (and said); a statistic through a
bound carries the bound (``stats.bounds``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from uniontrends.data.derive import catalog_entries
from uniontrends.data.model import LANGS, WINDOW_MIN
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.findings.projections import horizon_text, method_text
from uniontrends.findings.published import reported_findings
from uniontrends.findings.record import Finding, make_id
from uniontrends.findings.wording import both, with_synthetic_label
from uniontrends.messages import message
from uniontrends.notes import Note, NotedError, Number, Sentences, named, years_field
from uniontrends.numbers import estimate_decimals, number_format
from uniontrends.stats import forecast
from uniontrends.stats.bounds import (
    UNDETERMINED,
    difference_qualifier,
    is_bound,
    ratio_qualifier,
    statistic_qualifier,
    sum_qualifier,
)
from uniontrends.stats.counts import COUNT_UNITS, CountModelRefused, CountTrend, count_trend
from uniontrends.stats.descriptive import aggregate, cagr
from uniontrends.stats.evidence import (
    CLEAR_N,
    METHOD_VERSION,
    SMALL_SAMPLE_N,
    Evidence,
    count_evidence,
    grade,
    is_stock_like,
    series_trend,
)
from uniontrends.stats.multiplicity import grouped_bh_adjust
from uniontrends.stats.rates import poisson_rate_interval, survey_share_interval
from uniontrends.stats.series import (
    exposure_series,
    indexed_rows,
    missing_years,
    series_rows,
    window_series,
)
from uniontrends.stats.trend_tests import walk_slope_variance

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
    "p_adjusted",
    "unit",
    "method",
    "evidence",
    "note",
)
_QUALIFIERS = ("exact", "at_least", "at_most", "approx")
_UP_DOWN = ("up", "down")


@dataclass
class _Tested:
    """A tested finding waiting for its family's adjusted p-value: its evidence, how to word it
    for a grade, and which table rows show that grade."""

    id: str
    evidence: Evidence
    words: Callable[[str, float | None, int, str], tuple[str, str]]
    fields: dict[str, Any]
    rows: tuple[str, ...]


@dataclass
class TrendSummary:
    """Statistics (``table``, tidy: one row per statistic) and the findings they support.

    ``tests`` maps each tested finding's id to the evidence its grade rests on; ``regrade``
    grades it again with a family's adjusted p-value (``summarize_area`` does this).
    """

    indicator: str
    region: str
    period_start: int
    period_end: int
    table: pd.DataFrame
    findings: list[Finding]
    notes: list[Note] = field(default_factory=list)
    tested: dict[str, _Tested] = field(default_factory=dict, repr=False)
    build: Callable[..., Finding] | None = field(default=None, repr=False)

    @property
    def tests(self) -> dict[str, Evidence]:
        """Evidence of every tested finding, by finding id."""
        return {ident: t.evidence for ident, t in self.tested.items()}

    def regrade(self, ident: str, p_adjusted: float | None, family: str, size: int) -> None:
        """Grade the tested finding ``ident`` on ``p_adjusted`` within ``family`` of ``size``."""
        t = self.tested[ident]
        level = grade(t.evidence, p_adjusted)
        en, zh = t.words(level, p_adjusted, size, family)
        assert self.build is not None
        new = self.build(
            t.fields["statistic"], en, zh, evidence=level, p_adjusted=p_adjusted, family=family,
            family_size=size, **{k: v for k, v in t.fields.items() if k != "statistic"},
        )  # fmt: skip
        self.findings = [new if f.id == ident else f for f in self.findings]
        rows = self.table["statistic"].isin(t.rows)
        self.table.loc[rows, "evidence"] = level
        self.table.loc[rows, "p_adjusted"] = p_adjusted


def grade_family(
    summaries: Iterable[TrendSummary], family: str, groups: dict[str, str] | None = None
) -> int:
    """Grade every tested finding of ``summaries`` as one family (``stats.multiplicity``).

    Args:
        summaries: the summaries whose tests form the family (e.g. one area's indicators).
        family: the family's name, recorded in each finding (e.g. "putuo 2018-2022 disputes").
        groups: indicator -> group of indicators that share data (a rate with its numerator
            and denominator), within each region; by default each indicator is its own group.

    Returns:
        The number of tests in the family.
    """
    members = [(s, ident) for s in summaries for ident in s.tested]
    keys = [(s.region, (groups or {}).get(s.indicator, s.indicator)) for s, _ in members]
    adjusted = grouped_bh_adjust([s.tested[i].evidence.p_value for s, i in members], keys)
    for (s, ident), p in zip(members, adjusted, strict=True):
        s.regrade(ident, p, family, len(members))
    return len(members)


def overlap_groups(indicators: Iterable[str], entries: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Indicators that share data, as groups: a derived rate joins its numerator and
    denominator (transitively), among the given indicators.

    Returns:
        indicator -> the group's first indicator (catalog order of ``indicators``).
    """
    ids = list(indicators)
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in ids:
        for part in (entries.get(i, {}).get("numerator"), entries.get(i, {}).get("denominator")):
            if part in parent:
                a, b = sorted((root(i), root(str(part))), key=ids.index)
                parent[b] = a
    return {i: root(i) for i in ids}


@dataclass
class _Part:
    """What one section of a summary adds: statistics rows, findings and notes."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tested: list[_Tested] = field(default_factory=list)


@dataclass
class _Series:
    """One indicator of one region over the window, with everything its sections need."""

    panel: pd.DataFrame
    frame: pd.DataFrame  # the window's rows with a value, indexed by year
    region: str
    indicator: str
    area: str
    unit: str
    kind: str
    aggregation: str
    names: dict[str, str]  # indicator name by language
    region_names: dict[str, str]  # region name by language
    window: int
    end_year: int  # the window's last year (the frame may lack it)
    exposure: str | None
    alpha: float
    notebook: str | None
    shock_years: tuple[int, ...]
    denominator: str | None = None  # a rate's denominator when it is a stock (members)
    denominator_names: dict[str, str] = field(default_factory=dict)  # its name by language
    exposure_walks: bool = False  # the exposure is a stock: it wanders like a random walk

    def __post_init__(self) -> None:
        self.years = [int(y) for y in self.frame.index]
        self.values = self.frame["value"].to_numpy(dtype=float)
        self.quals = [str(q) for q in self.frame["qualifier"]]
        self.provenance = sorted(set(self.frame["provenance"].astype(str)))
        self.synthetic = "synthetic" in self.provenance
        self.missing = missing_years(self.frame, self.end_year, self.window)
        self.stock_like = is_stock_like(self.kind, self.aggregation)
        self.bounded = any(is_bound(q) for q in self.quals)

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

    @property
    def family(self) -> str:
        """The family this indicator's tests form on their own."""
        return f"{self.region} {self.start}-{self.end} {self.indicator}"

    def period(self, lang: str) -> str:
        return message("plain.period", lang, start=self.start, end=self.end)

    def subject(self, lang: str) -> str:
        return message(
            "finding.subject", lang, name=self.names[lang], region=self.region_names[lang]
        )

    def gaps(self, lang: str) -> str:
        """ "; no value for 2020" when years of the window are missing."""
        if not self.missing:
            return ""
        years = message("separator.list", lang).join(str(y) for y in self.missing)
        return message("finding.gaps", lang, years=years)

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
            synthetic=kw.pop("synthetic", self.synthetic),
            notebook=self.notebook,
            n=kw.pop("n", self.n),
            method_version=METHOD_VERSION,
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

    def tested(
        self,
        statistic: str,
        evidence: Evidence,
        words: Callable[[str, float | None, int, str], tuple[str, str]],
        rows: tuple[str, ...],
        **fields: Any,
    ) -> _Tested:
        return _Tested(
            make_id(self.region, self.indicator, statistic), evidence, words,
            {"statistic": statistic, "p_value": evidence.p_value,
             "shock_robust": evidence.shock_robust, "n": evidence.n, **fields},
            rows,
        )  # fmt: skip


# ---- wording helpers --------------------------------------------------------------------------


def _q(
    value: float, unit: str, lang: str, qualifier: str = "exact", decimals: int | None = None
) -> str:
    """A level as stored or published, its bound in words: "more than 1,200 cases" /
    "超过1,200件", "346万元" (``numbers.NumberFormat.quantity``)."""
    shown = qualifier if qualifier in _QUALIFIERS else "exact"
    return number_format(lang).quantity(value, unit, shown, decimals)


def _derived(value: float, unit: str, lang: str, qualifier: str = "exact") -> str:
    """A statistic of levels (a total, a mean) with the bound it inherits from them: "at least
    6,210 cases" / "至少6,210件"; "undetermined" when the bounds do not combine."""
    shown = qualifier if qualifier in _QUALIFIERS else "exact"
    return _bounded(number_format(lang).amount(value, unit, shown), qualifier, lang)


def _estimate(value: float, unit: str, lang: str) -> str:
    """A modelled value (a projection, an interval end): no false precision on large numbers."""
    decimals = None if unit == "share" or abs(value) >= 100 else 2
    return _q(value, unit, lang, decimals=decimals)


def _bounded(text: str, qualifier: str, lang: str) -> str:
    """A number's text with its qualifier in front ("at least +173 cases")."""
    if qualifier == UNDETERMINED:
        return number_format(lang).bounded(text, qualifier)
    return number_format(lang).bounded(text, qualifier if qualifier in _QUALIFIERS else "exact")


def _num(value: float, unit: str, lang: str) -> str:
    """A bare number for intervals: shares as percentages, large numbers without decimals."""
    fmt = number_format(lang)
    if unit.startswith("share"):
        return fmt.percentage(value, 2)
    return fmt.value(value, 0 if abs(value) >= 1000 else 2)


def _signed_q(value: float, unit: str, lang: str) -> str:
    """A change or a slope with its sign and unit: "+173 cases", "−2.8万人"; a share's in
    percentage points."""
    decimals = 2 if unit == "share" else estimate_decimals(value)
    return number_format(lang).change(value, unit, decimals)


def _slope_interval(low: float, high: float, unit: str, lang: str) -> str:
    """A slope's interval in the slope's own unit: percentage points for a share."""
    if unit == "share":
        fmt = number_format(lang)
        a, b = fmt.signed(low * 100, 2), fmt.signed(high * 100, 2)
        return message("number.points", lang, value=message("finding.range", lang, low=a, high=b))
    if unit.startswith("share"):
        return message(
            "finding.range", lang, low=_num(low, unit, lang), high=_num(high, unit, lang)
        )
    a, b = number_format(lang).span(low, high, 0 if max(abs(low), abs(high)) >= 1000 else 2)
    return message("finding.range", lang, low=a, high=b)


def _p(p: float, lang: str) -> str:
    return number_format(lang).p_value(p)


def _fixed(value: float, decimals: int, lang: str) -> str:
    """A model's coefficient as tests print it: a fixed number of decimals ("1.230")."""
    return number_format(lang).number(value, decimals, fixed=True)


def _qualifier(qualifier: str) -> Note | str:
    """A qualifier in a note: its word in the catalog ("at_least" / "不少于（下限）")."""
    return Note.of(f"word.{qualifier}") if qualifier in (*_QUALIFIERS, UNDETERMINED) else qualifier


def _plain(value: float | None) -> Number | str:
    """A number in a note as data hold it: up to 2 decimals, trailing zeros dropped."""
    return "" if value is None else Number(float(value), 2)


def _direction(slope: float, scale: float) -> str:
    if abs(slope) <= 1e-12 * max(abs(scale), 1.0):
        return "flat"
    return "up" if slope > 0 else "down"


def _verdict(level: str, direction: str, lang: str) -> str:
    # a flat or unknown direction has no word: "no clear trend", "a clear trend"
    words = message(f"finding.trend.direction.{direction}", lang) if direction in _UP_DOWN else ""
    verdict = message(f"finding.trend.verdict.{level}", lang, direction=words)
    return verdict.replace("  ", " ")


def _family_words(p_adjusted: float | None, size: int, lang: str) -> str:
    if p_adjusted is None or size <= 1:
        return ""
    return message("finding.trend.family", lang, p=_fixed(p_adjusted, 3, lang), size=size)


def _cap_words(ev: Evidence, lang: str) -> str:
    """Why the grade is capped at suggestive, in words (``evidence.cap.*``)."""
    words = []
    for cap in ev.caps:
        try:
            words.append(message(f"evidence.cap.{cap}", lang, n=ev.n, needed=CLEAR_N))
        except KeyError:  # a cap without words of its own reads as its code
            words.append(cap)
    return message("separator.list", lang).join(words)


def _check_words(ev: Evidence, shock_years: tuple[int, ...], level: str, lang: str) -> str:
    """Shock-year robustness and why the grade is capped, when it is."""
    parts = []
    shocks = message("separator.list", lang).join(str(y) for y in shock_years)
    if ev.shock_robust is True:
        parts.append(message("finding.trend.shock_robust", lang, years=shocks))
    elif ev.shock_robust is False:
        parts.append(message("finding.trend.shock_changes", lang, years=shocks))
    if ev.caps and ev.ceiling == "suggestive" and level == "suggestive":
        parts.append(message("finding.trend.capped", lang, reasons=_cap_words(ev, lang)))
    sep = message("separator.clause", lang)
    return "".join(sep + p for p in parts)


def _small(s: _Series, lang: str) -> str:
    small = message("finding.trend.small_sample", lang) if s.n < SMALL_SAMPLE_N else ""
    return message("finding.trend.sample_size", lang, n=s.n) + small


_MANN_KENDALL_METHODS = {"exact": "exact", "exact, with ties": "exact_ties",
                         "normal, tie-corrected": "normal",
                         "constant series": "constant"}  # fmt: skip


def _mann_kendall_note(method: str) -> Note | str:
    """The Mann-Kendall row's method, its variant in words ("Mann-Kendall (exact)")."""
    key = _MANN_KENDALL_METHODS.get(method)
    if key is None:
        return f"Mann-Kendall ({method})"
    return Note.of("note.method.mann_kendall", variant=Note.of(f"finding.trend.mann_kendall.{key}"))


def _mann_kendall_method(method: str, lang: str) -> str:
    key = _MANN_KENDALL_METHODS.get(method)
    return message(f"finding.trend.mann_kendall.{key}", lang) if key else method


# ---- summarize --------------------------------------------------------------------------------


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
    shock_years: Iterable[int] = (),
) -> TrendSummary:
    """All statistics of one indicator in one region over ``window`` years ending at ``end``.

    The indicator's own tests form its family (graded together); ``summarize_area`` grades an
    area's indicators as one family instead.

    Args:
        panel: tidy annual panel (``model.ANNUAL_COLUMNS``; optional ``sample_size``,
            ``design_effect`` and ``missing_reason``), base units.
        indicator: catalog id.
        region: region id.
        end: last year of the window.
        window: number of years (>= 3); years without a value are left out when 3 remain.
        catalog: the indicator catalog (see ``derive.catalog_entries``).
        region_names: the region's display name by language ({"en": ..., "zh": ...}).
        reported: published figures (``model.REPORTED_COLUMNS``); those of this indicator and
            region become findings too.
        exposure: indicator used as exposure for per-1,000 rates and the count model offset.
        alpha: 1 - confidence level of intervals.
        horizon: years to project past ``end``.
        notebook: name of the notebook the findings come from.
        shock_years: years that moved many series (the data package's ``shock_years``); each
            trend says whether its direction survives leaving them out.

    Returns:
        A ``TrendSummary`` with ``.table`` and ``.findings``.
    """
    entries = catalog_entries(catalog)
    entry = entries.get(indicator, {})
    frame = window_series(panel, indicator, region, end, window)
    if np.all(frame["value"].to_numpy(dtype=float) == 0):
        years = [int(y) for y in frame.index]
        raise NotedError(Note.of("skip.all_zero", indicator=indicator, region=region,
                                 start=years[0], end=years[-1]))  # fmt: skip
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
        end_year=end,
        exposure=exposure,
        alpha=alpha,
        notebook=notebook,
        shock_years=tuple(sorted(int(y) for y in shock_years)),
        denominator=_stock_denominator(entry, entries),
        denominator_names=_names(entries.get(_stock_denominator(entry, entries) or "", {})),
        exposure_walks=str(entries.get(exposure or "", {}).get("kind", "")) == "stock",
    )
    parts = [_descriptive(series), _per_capita(series), _term_over_term(series), _tests(series)]
    if series.kind == "rate" and series.unit == "share":
        parts.append(_share_interval(series, entry))
    parts.append(_projection(series, horizon))
    found = [f for part in parts for f in part.findings]
    if reported is not None:
        mine = reported[reported["indicator"] == indicator]  # worded for this indicator only
        found.extend(
            f
            for f in reported_findings(
                mine, region, catalog, region_names=region_names, notebook=notebook
            )
            if f.indicator == indicator and f.period_end <= end
        )
    table = pd.DataFrame([r for part in parts for r in part.rows], columns=list(TABLE_COLUMNS))
    notes = [note for part in parts for note in part.notes]
    if series.missing:
        notes.insert(0, Note.of("note.years_used", indicator=indicator,
                                years=years_field(series.missing), n=series.n))  # fmt: skip
    summary = TrendSummary(indicator, region, series.start, series.end, table, found, notes,
                           build=series.finding)  # fmt: skip
    for part in parts:
        for t in part.tested:
            summary.tested[t.id] = t
            summary.findings.append(Finding(**_placeholder(series, t)))
    grade_family([summary], series.family)
    _order(summary, _section_order(parts, found))
    return summary


def _names(entry: dict[str, Any]) -> dict[str, str]:
    """An indicator's name by language (none for an unknown indicator)."""
    return {lang: str(entry[f"name_{lang}"]) for lang in LANGS if entry.get(f"name_{lang}")}


def _stock_denominator(entry: dict[str, Any], entries: dict[str, dict[str, Any]]) -> str | None:
    """A rate of flows' denominator when it is a stock (its wander moves the rate)."""
    den = entry.get("denominator")
    if not den or is_stock_like(str(entry.get("kind")), str(entry.get("aggregation"))):
        return None
    return str(den) if entries.get(str(den), {}).get("kind") == "stock" else None


def _denominator_walk(s: _Series, years: list[int], values: np.ndarray) -> tuple[float, int] | None:
    """(variance, df) a rate's slope gets from its stock denominator's random-walk wander."""
    if s.denominator is None:
        return None
    den = exposure_series(s.panel, s.denominator, s.region, years)
    if den is None or not np.all(den.to_numpy() > 0):
        return None
    walk, df = walk_slope_variance(years, np.log(den.to_numpy()))
    return float(np.mean(values)) ** 2 * walk, df


def _placeholder(s: _Series, t: _Tested) -> dict[str, Any]:
    """A minimal finding holding a tested finding's place until it is graded."""
    return dict(id=t.id, area=s.area, indicator=s.indicator, region=s.region,
                period_start=s.start, period_end=s.end, statistic=t.fields["statistic"],
                statement_en="", statement_zh="", value=None, unit=s.unit)  # fmt: skip


def _section_order(parts: list[_Part], found: list[Finding]) -> list[str]:
    """Finding ids in the order of the sections (a section's tested findings after its facts)."""
    ids = []
    for part in parts:
        ids += [f.id for f in part.findings] + [t.id for t in part.tested]
    ids += [f.id for f in found if f.id not in ids]
    return ids


def _order(summary: TrendSummary, ids: list[str]) -> None:
    rank = {ident: i for i, ident in enumerate(ids)}
    summary.findings.sort(key=lambda f: rank.get(f.id, len(rank)))


def _descriptive(s: _Series) -> _Part:
    first, last = float(s.values[0]), float(s.values[-1])
    q0, q1 = s.quals[0], s.quals[-1]
    cq = difference_qualifier(q1, q0)
    change = last - first
    determined = cq != UNDETERMINED
    undetermined = Note.of("note.undetermined_ends")
    part = _Part(
        rows=[
            s.row("n_years", float(s.n), unit="years",
                  note=Note.of("note.no_value_for", years=years_field(s.missing))
                  if s.missing else None),
            s.row("level_start", first, note=Note.of("note.level", year=s.start,
                                                     qualifier=_qualifier(q0))),
            s.row("level_end", last, note=Note.of("note.level", year=s.end,
                                                  qualifier=_qualifier(q1))),
            s.row("abs_change", change if determined else None,
                  note=None if cq == "exact" else (
                      undetermined if not determined else _qualifier(cq))),
            s.row("annual_average", float(s.values.mean()),
                  note=_qualifier(sum_qualifier(s.quals))),
        ]
    )  # fmt: skip
    rel = change / first if first != 0 and determined else None
    start_note = Note.of("note.start_zero") if first == 0 else undetermined
    growth = cagr(first, last, s.end - s.start) if first > 0 and determined else None
    part.rows.append(
        s.row(
            "rel_change",
            rel,
            unit="share",
            note=None if rel is not None else start_note,
        )
    )
    part.rows.append(
        s.row("cagr", growth, unit="share per year", note=None if growth is not None else (
            Note.of("note.start_not_positive") if first <= 0 else undetermined))
    )  # fmt: skip
    u = s.unit

    def change_words(lang: str) -> str:
        if not determined:
            return message("finding.level_change.undetermined", lang)
        text = _bounded(_signed_q(change, u, lang), cq, lang)
        if rel is not None:
            percent = _bounded(number_format(lang).change_percent(rel), cq, lang)
            text += message("finding.level_change.relative", lang, percent=percent)
        if growth is not None:
            percent = _bounded(number_format(lang).change_percent(growth), cq, lang)
            text += message("finding.level_change.cagr", lang, percent=percent)
        return text

    en, zh = both(
        "finding.level_change", subject=s.subject, start=s.start, end=s.end,
        first=lambda lang: _q(first, u, lang, q0), last=lambda lang: _q(last, u, lang, q1),
        change=change_words, gaps=s.gaps,
    )  # fmt: skip
    part.findings.append(
        s.finding(
            "level_change",
            en,
            zh,
            value=change if determined else None,
            direction=_direction(change, first) if cq == "exact" or cq == "approx" else "none",
            evidence="descriptive",
            qualifier=cq,
            effect=growth,
            method="levels at the window's first and last year with a value",
        )
    )  # fmt: skip
    if s.aggregation == "sum":
        total = float(s.values.sum())
        tq = sum_qualifier(s.quals)
        if s.missing and tq in ("exact", "at_least"):
            tq = "at_least"  # counts of the years with a value: the period's total is at least this
        part.rows.append(
            s.row("total", total, note=Note.of("note.qualifier", qualifier=_qualifier(tq)))
        )
        for year, v in zip(s.years, s.values, strict=True):
            if total == 0:
                part.rows.append(
                    s.row(f"share_of_total_{year}", None, note=Note.of("note.total_zero"))
                )
            elif tq != "exact":
                part.rows.append(s.row(f"share_of_total_{year}", None, unit="share",
                                       note=Note.of("note.total_bound",
                                                    qualifier=_qualifier(tq))))  # fmt: skip
            else:
                part.rows.append(s.row(f"share_of_total_{year}", float(v / total), unit="share"))
        mean = float(s.values.mean())
        mq = sum_qualifier(s.quals)
        en, zh = both(
            "finding.total", subject=s.subject, period=s.period,
            total=lambda lang: _derived(total, u, lang, tq),
            mean=lambda lang: _derived(mean, u, lang, mq),
            years=lambda lang: (
                message("finding.total.years_with_value", lang, n=s.n) if s.missing else ""
            ),
        )  # fmt: skip
        part.findings.append(
            s.finding(
                "total",
                en,
                zh,
                value=total,
                interval_low=total if tq == "at_least" else None,
                evidence="descriptive",
                qualifier=tq,
                method="sum over the window's years with a value",
            )
        )
    return part


def _per_capita(s: _Series) -> _Part:
    if s.kind != "flow" or s.unit not in COUNT_UNITS or s.exposure == s.indicator:
        return _Part()
    members = exposure_series(s.panel, s.exposure, s.region, s.years)
    if members is None:
        note = Note.of("note.no_exposure", exposure=s.exposure)
        return _Part(rows=[s.row("per_1000_members", None, note=note)])
    if not np.all(members.to_numpy() > 0):
        bad = [int(y) for y, m in members.items() if not m > 0]
        raise NotedError(Note.of("skip.zero_exposure", exposure=s.exposure, region=s.region,
                                 years=years_field(bad)))  # fmt: skip
    exp_rows = series_rows(s.panel, s.exposure, s.region)
    exp_q = dict(zip(exp_rows["year"].astype(int), exp_rows["qualifier"].astype(str), strict=False))
    per = s.values / members.to_numpy() * 1000
    q_end = ratio_qualifier(s.quals[-1], exp_q.get(s.end, "exact"))
    q_mean = sum_qualifier(ratio_qualifier(a, exp_q.get(y, "exact"))
                           for a, y in zip(s.quals, s.years, strict=True))  # fmt: skip
    u = "per_1000_members"
    count, thousands = float(s.values[-1]), float(members.iloc[-1]) / 1000
    low = high = None
    if q_end == "exact" and count == round(count):
        low, high = poisson_rate_interval(count, thousands, s.alpha)
    elif q_end == "at_least":
        low = float(per[-1])
    mean = float(per.mean())

    def interval_words(lang: str) -> str:
        if high is None or low is None:
            return ""
        fmt = number_format(lang)
        return message("finding.per_1000.poisson", lang, pct=s.pct, low=fmt.number(low, 2),
                       high=fmt.number(high, 2))  # fmt: skip

    en, zh = both(
        "finding.per_1000", subject=s.subject, end=s.end, period=s.period,
        rate=lambda lang: _bounded(number_format(lang).number(per[-1], 2, q_end), q_end, lang),
        mean=lambda lang: _bounded(number_format(lang).number(mean, 2, q_mean), q_mean, lang),
        interval=interval_words,
    )  # fmt: skip
    finding = s.finding(
        "per_1000_members",
        en,
        zh,
        value=float(per[-1]) if q_end != UNDETERMINED else None,
        unit=u,
        interval_low=low,
        interval_high=high,
        evidence="descriptive",
        qualifier=q_end,
        n=1,
        method=f"value / {s.exposure} x 1,000; exact Poisson interval of the count",
    )  # fmt: skip
    return _Part(
        rows=[
            s.row("per_1000_members_end", float(per[-1]), ci_low=low, ci_high=high, unit=u,
                  method=Note.of("note.method.garwood") if high is not None else None,
                  note=_qualifier(q_end)),
            s.row("per_1000_members_mean", mean, unit=u, note=_qualifier(q_mean)),
        ],
        findings=[finding],
    )  # fmt: skip


def _term_over_term(s: _Series) -> _Part:
    prev_end = s.end_year - s.window
    prev_start = prev_end - s.window + 1
    try:
        prev = window_series(s.panel, s.indicator, s.region, prev_end, s.window)
    except UniontrendsError:
        note = Note.of("note.no_previous_term", start=prev_start, end=prev_end)
        return _Part(rows=[s.row("term_over_term", None, unit="share", note=note)], notes=[note])
    gaps = missing_years(prev, prev_end, s.window) + s.missing
    needs_all = s.aggregation == "sum" or (
        s.aggregation == "last" and (prev_end in gaps or s.end_year in gaps)
    )
    if needs_all and gaps:
        note = Note.of("note.no_term_comparison", years=years_field(sorted(gaps)))
        return _Part(rows=[s.row("term_over_term", None, unit="share", note=note)], notes=[note])
    this = aggregate(s.values, s.aggregation)
    before_values = prev["value"].to_numpy(float)
    before = aggregate(before_values, s.aggregation)
    prev_quals = [str(q) for q in prev["qualifier"]]
    if s.aggregation == "last":
        q_this, q_before = s.quals[-1], prev_quals[-1]
    else:
        q_this, q_before = sum_qualifier(s.quals), sum_qualifier(prev_quals)
    cq = difference_qualifier(q_this, q_before)
    rel = (this - before) / before if before != 0 and cq != UNDETERMINED else None
    note = Note.of(
        f"note.term_over_term.{s.aggregation}" if s.aggregation in ("sum", "mean", "last")
        else "note.term_over_term", aggregation=s.aggregation, start=prev_start, end=prev_end,
        before=_plain(before), this=_plain(this),
    )  # fmt: skip
    synthetic = s.synthetic or "synthetic" in set(prev["provenance"].astype(str))
    u = s.unit
    what = s.aggregation if s.aggregation in ("sum", "mean") else "last"

    def level(value: float, lang: str, qualifier: str) -> str:
        if what == "last":
            return _q(value, u, lang, qualifier)
        return _derived(value, u, lang, qualifier)

    def relative_words(lang: str) -> str:
        if cq == UNDETERMINED:
            return message("finding.term_over_term.undetermined", lang)
        if rel is None:
            return ""
        percent = _bounded(number_format(lang).change_percent(rel), cq, lang)
        return message("finding.term_over_term.relative", lang, percent=percent)

    en, zh = both(
        "finding.term_over_term", subject=s.subject, period=s.period,
        what=lambda lang: message(f"finding.term_over_term.{what}", lang),
        # the end level as stored; a total or an average is a statistic of the years
        this=lambda lang: level(this, lang, q_this),
        before=lambda lang: level(before, lang, q_before),
        before_start=prev_start, before_end=prev_end, relative=relative_words,
    )  # fmt: skip
    f = s.finding(
        "term_over_term",
        en,
        zh,
        value=rel,
        unit="share",
        direction=_direction(this - before, before) if not is_bound(cq) else "none",
        evidence="descriptive",
        qualifier=cq,
        effect=rel,
        synthetic=synthetic,
        n=s.n + len(before_values),
        method=f"{s.aggregation} of this window vs the previous window of {s.window} years",
    )  # fmt: skip
    if synthetic and not s.synthetic:
        # the previous term alone is synthetic: the comparison rests on it too
        f.statement_en = with_synthetic_label(f.statement_en, True, "en")
        f.statement_zh = with_synthetic_label(f.statement_zh, True, "zh")
    return _Part(rows=[s.row("term_over_term", rel, unit="share", note=note)], findings=[f])


def _since_launch(s: _Series) -> tuple[list[int], np.ndarray, Note | None]:
    """The years a flow is tested on: from its launch when it is zero before (a new service)."""
    if s.kind not in ("flow", "money") or s.values[0] != 0 or not np.any(s.values > 0):
        return s.years, s.values, None
    first = int(np.flatnonzero(s.values > 0)[0])
    note = Note.of("note.launched", before=s.years[first - 1],
                   first=s.years[first], end=s.end)  # fmt: skip
    return s.years[first:], s.values[first:], note


def _is_count(s: _Series) -> bool:
    return s.kind == "flow" and s.unit in COUNT_UNITS


def _count_grading(
    s: _Series, years: list[int], values: np.ndarray
) -> tuple[CountTrend | None, Evidence | None, Note | None]:
    """The quasi-Poisson model that grades a count flow, its evidence, or why it is refused."""
    if not np.allclose(values, np.round(values)) or np.any(values < 0):
        return None, None, Note.of("count_refusal.not_whole")
    if s.bounded:
        return None, None, Note.of("count_refusal.bounds")
    try:
        ct = count_trend(years, values, alpha=s.alpha)
    except CountModelRefused as exc:
        return None, None, exc.reason
    keep = ~np.isin(np.array(years), np.array(s.shock_years, dtype=int))
    shock_rr = None
    if not keep.all() and keep.sum() >= WINDOW_MIN:
        try:
            shock_rr = count_trend(np.array(years)[keep], values[keep], alpha=s.alpha).rate_ratio
        except UniontrendsError:
            shock_rr = None
    return ct, count_evidence(ct, years, values, shock_rate_ratio=shock_rr), None


def _tests(s: _Series) -> _Part:
    years, values, launch = _since_launch(s)
    if len(values) < WINDOW_MIN:
        note = Note.of("note.too_few_since_launch", first=years[0], needed=WINDOW_MIN)
        listed = Note.of("note.indicator", indicator=s.indicator, note=note)
        return _Part(rows=[s.row("ols_slope", None, note=note)], notes=[listed])
    walk = _denominator_walk(s, years, values)
    st = series_trend(years, values, stock_like=s.stock_like, bounded=s.bounded,
                      shock_years=s.shock_years, alpha=s.alpha,
                      denominator_walk=walk)  # fmt: skip
    ev, ols, ts, mk = st.evidence, st.ols, st.theil_sen, st.mann_kendall
    ct, refused = None, None
    if _is_count(s):
        ct, count_ev, refused = _count_grading(s, years, values)
        if count_ev is not None:
            ev = count_ev
        elif not s.bounded:
            # a count series the count model refuses (a structural zero ...) is not graded
            ev = Evidence("quasi-Poisson", None, st.evidence.direction, len(values),
                          "descriptive", ("no_count_model",))  # fmt: skip
    slope_unit = f"{s.unit} per year"
    ts_note = (Note.of("note.sen_interval", level=Number(ts.ci_level, 1, percent=True))
               if ts.ci_level is not None
               else Note.of("note.no_sen_interval", n=len(values), pct=s.pct))  # fmt: skip
    rows = [
        s.row("ols_slope", ols.slope, ci_low=ols.ci_low, ci_high=ols.ci_high,
              p_value=ols.p_value, unit=slope_unit, method="OLS",
              note=Note.of("note.perfect_fit") if ols.perfect_fit else launch),
        s.row("theil_sen_slope", ts.slope, ci_low=None if ts.ci_level is None else ts.ci_low,
              ci_high=None if ts.ci_level is None else ts.ci_high, unit=slope_unit,
              method="Theil-Sen", note=ts_note),
        s.row("mann_kendall_s", float(mk.s), p_value=mk.p_value, unit="",
              method=_mann_kendall_note(mk.method)),
        s.row("kendall_tau", mk.tau, p_value=mk.p_value, unit="",
              method=_mann_kendall_note(mk.method)),
    ]  # fmt: skip
    graded_rows: tuple[str, ...] = ("ols_slope",)
    notes = [Note.of("note.indicator", indicator=s.indicator, note=launch)] if launch else []
    if _is_count(s):
        graded_rows = ("glm_rate_ratio",)
        if ct is not None:
            rows += [
                s.row("glm_rate_ratio", ct.rate_ratio, ci_low=ct.ci_low, ci_high=ct.ci_high,
                      p_value=ct.p_value, unit="ratio per year", method=ct.model,
                      note=ct.rule_note()),
                s.row("pearson_dispersion", ct.dispersion, unit="", note=ct.rule_note()),
            ]  # fmt: skip
        else:
            rows.append(s.row("glm_rate_ratio", None, method="quasi_poisson", note=refused))
            notes.append(Note.of("note.no_count_model", indicator=s.indicator, reason=refused))
    elif st.drift is not None:
        d = st.drift
        rows.insert(0, s.row("mean_yearly_change", d.drift, ci_low=d.ci_low, ci_high=d.ci_high,
                             p_value=d.p_value, unit=slope_unit,
                             method=Note.of("note.method.drift", df=d.df),
                             note=Note.of("note.every_change_equal")
                             if d.perfect_fit else None))  # fmt: skip
        graded_rows = ("mean_yearly_change",)
    elif walk is not None and st.ci_low is not None:
        rows.insert(0, s.row("ols_slope_with_denominator_walk", st.estimate, ci_low=st.ci_low,
                             ci_high=st.ci_high, p_value=ev.p_value, unit=slope_unit,
                             method=Note.of(
                                 "note.method.denominator_walk", df=Number(st.df, 1, fixed=True),
                                 denominator=named(s.denominator_names
                                                   or {"en": str(s.denominator)})),
                             ))  # fmt: skip
        graded_rows = ("ols_slope_with_denominator_walk",)
    for r in rows:
        if r["statistic"] in graded_rows:
            r["evidence"] = "descriptive"
    u = s.unit
    mean = float(np.mean(values))
    qualifier = statistic_qualifier(s.quals)

    def core_words(lang: str) -> str:
        est = _signed_q(st.estimate, u, lang)
        if s.bounded:
            return message("finding.trend.bounded", lang, estimate=est)
        if st.ci_low is None and st.estimate == 0:
            return message("finding.trend.constant", lang, level=_q(float(values[0]), u, lang))
        if ct is not None:
            return message(
                "finding.trend.count", lang,
                change=number_format(lang).change_percent(ct.rate_ratio - 1),
                ratio=_fixed(ct.rate_ratio, 3, lang), pct=s.pct, low=_fixed(ct.ci_low, 3, lang),
                high=_fixed(ct.ci_high, 3, lang), dispersion=_fixed(ct.dispersion, 2, lang),
                df=f"{ct.df:g}", p=_p(ct.p_value, lang),
            )  # fmt: skip
        if refused is not None:
            return message("finding.trend.no_count_model", lang, estimate=est,
                           reason=refused.text(lang))  # fmt: skip
        if st.ci_low is None:
            return message("finding.trend.perfect_fit", lang, estimate=est)
        fields = dict(
            estimate=est, pct=s.pct, interval=_slope_interval(st.ci_low, st.ci_high, u, lang),
            p=_p(st.evidence.p_value, lang) if st.evidence.p_value is not None else "",
        )  # fmt: skip
        if st.drift is not None:
            return message("finding.trend.drift", lang, **fields)
        if walk is not None:
            denominator = s.denominator_names.get(lang) or str(s.denominator)
            return message("finding.trend.denominator_walk", lang, **fields,
                           denominator=denominator)  # fmt: skip
        return message("finding.trend.ols", lang, **fields)

    def body_words(level: str, p_adj: float | None, size: int, lang: str) -> str:
        ols_words = ""
        if ct is not None:
            ols_words = message(
                "finding.trend.check_ols", lang, estimate=_signed_q(ols.slope, u, lang)
            )
        checks = ols_words + message(
            "finding.trend.checks", lang, slope=_signed_q(ts.slope, u, lang),
            s=number_format(lang).value(mk.s, large=False),
            p=_p(mk.p_value, lang), method=_mann_kendall_method(mk.method, lang),
        )  # fmt: skip
        return (
            core_words(lang)
            + _family_words(p_adj, size, lang)
            + message("separator.clause", lang)
            + checks
            + _check_words(ev, s.shock_years, level, lang)
            + _small(s, lang)
            + s.gaps(lang)
        )

    def words(level: str, p_adj: float | None, size: int, family: str) -> tuple[str, str]:
        return both(
            "finding.trend", subject=s.subject, period=s.period,
            verdict=lambda lang: _verdict(level, ev.direction, lang),
            body=lambda lang: body_words(level, p_adj, size, lang),
        )  # fmt: skip

    if ct is not None:
        fields: dict[str, Any] = dict(
            value=ct.rate_ratio, unit="rate_ratio_per_year", interval_low=ct.ci_low,
            interval_high=ct.ci_high, effect=ct.rate_ratio - 1,
            method=f"{ct.model}; {ct.rule}; checked with Theil-Sen + Mann-Kendall ({mk.method})",
        )  # fmt: skip
    else:
        fields = dict(
            value=st.estimate, unit=f"{s.unit}_per_year", interval_low=st.ci_low,
            interval_high=st.ci_high, effect=st.estimate / mean if mean != 0 else None,
            method=((st.evidence.test if st.drift is None else "mean yearly change (stock)")
                    + f" + Theil-Sen + Mann-Kendall ({mk.method})"),
        )  # fmt: skip
    tested = s.tested("trend", ev, words, graded_rows, direction=ev.direction,
                      qualifier=qualifier, **fields)  # fmt: skip
    return _Part(rows=rows, tested=[tested], notes=notes)


def _end_row(s: _Series, indicator: str) -> pd.Series | None:
    rows = series_rows(s.panel, indicator, s.region)
    sel = rows[(rows["year"] == s.end) & rows["value"].notna()]
    return None if len(sel) != 1 else sel.iloc[0]


def _number(row: pd.Series | None, column: str) -> float | None:
    """An optional numeric column of a row (``sample_size``, ``design_effect``), or None."""
    if row is None or column not in row.index:
        return None
    try:
        v = float(row[column])
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _share_interval(s: _Series, entry: dict[str, Any]) -> _Part:
    """A share at the end of the window: a sampling interval only where a sample exists."""
    share, q = float(s.values[-1]), s.quals[-1]
    own = _end_row(s, s.indicator)
    n = _number(own, "sample_size")
    num_id, den_id = entry.get("numerator"), entry.get("denominator")
    num, den = (_end_row(s, i) if i else None for i in (num_id, den_id))
    if n is not None and not is_bound(q):
        deff = _number(own, "design_effect")
        low, high, n_eff = survey_share_interval(share, n, deff, s.alpha)
        en, zh = both(
            "finding.share.survey", subject=s.subject, end=s.end, pct=s.pct,
            share=lambda lang: number_format(lang).percent(share),
            n=lambda lang: number_format(lang).number(n),
            low=lambda lang: number_format(lang).percent(low),
            high=lambda lang: number_format(lang).percent(high),
            design=lambda lang: message(
                "finding.share.design_effect", lang, effect=number_format(lang).number(deff, 2),
                n=number_format(lang).number(round(n_eff)),
            ) if deff else "",
        )  # fmt: skip
        method = "Wilson score interval on the survey's effective sample size"
        row = s.row(
            "share_end",
            share,
            ci_low=low,
            ci_high=high,
            unit="share",
            method=Note.of("note.method.wilson"),
            note=Note.of("note.sample_size.design_effect", n=_plain(n), effect=_plain(deff))
            if deff
            else Note.of("note.sample_size", n=_plain(n)),
        )
        f = s.finding("share_end", en, zh, value=share, unit="share", interval_low=low,
                      interval_high=high, evidence="descriptive", qualifier=q, n=1,
                      method=method)  # fmt: skip
        return _Part(rows=[row], findings=[f])
    if num is None or den is None:
        note = Note.of("note.no_sample_size_no_counts")
        return _Part(rows=[s.row("share_end", share, unit="share", note=note)])
    k, total = float(num["value"]), float(den["value"])
    en, zh = both(
        "finding.share.counts", subject=s.subject, end=s.end,
        share=lambda lang: _bounded(number_format(lang).percent(share, qualifier=q), q, lang),
        part=lambda lang: number_format(lang).value(k, estimate_decimals(k)),
        whole=lambda lang: number_format(lang).value(total, estimate_decimals(total)),
        why=lambda lang: message("finding.share.no_sample_size", lang),
    )  # fmt: skip
    row = s.row(
        "share_end",
        share,
        unit="share",
        method=Note.of("note.method.ratio_of_counts"),
        note=Note.of("note.ratio_of_counts", part=_plain(k), whole=_plain(total), year=s.end),
    )
    f = s.finding("share_end", en, zh, value=share, unit="share", evidence="descriptive",
                  qualifier=q, n=1, method="ratio of counts; no sampling interval without a "
                  "sample size")  # fmt: skip
    return _Part(rows=[row], findings=[f])


PROJECTION_MIN_VALUES = 4


def series_projection(
    years: list[int],
    values: np.ndarray,
    qualifiers: list[str],
    *,
    kind: str,
    unit: str,
    aggregation: str,
    horizon: int = 5,
    alpha: float = 0.05,
) -> tuple[forecast.Projection | None, Note | None]:
    """The projection ``summarize`` reports for a series, or why there is none.

    Bounds give none (a projection through bounds is undetermined); a share that reaches 0 or
    100 %, or a count whose trend runs into 0, gives none (a bound it cannot pass). A stock or
    level share is projected as a random walk with drift, anything else as a trend
    (``stats.forecast``).

    Returns:
        (projection, None) or (None, reason).
    """
    if any(is_bound(q) for q in qualifiers):
        return None, Note.of("note.no_projection.bounds")
    v = np.asarray(values, dtype=float)
    if len(v) < PROJECTION_MIN_VALUES:
        # 3 points leave the model 1 degree of freedom: its 95 % interval is read against
        # t(1) (12.7) and runs from nothing to astronomical numbers, which tells a reader nothing
        return None, Note.of("note.no_projection.few_values", n=len(v),
                             needed=PROJECTION_MIN_VALUES)  # fmt: skip
    if unit == "share" and np.any((v <= forecast.SHARE_EPS) | (v >= 1 - forecast.SHARE_EPS)):
        return None, Note.of("note.no_projection.share_bound")
    model = "random_walk" if is_stock_like(kind, aggregation) else "trend"
    proj = forecast.project(
        years, v, horizon=horizon, alpha=alpha, kind=kind, unit=unit, model=model
    )
    if proj.scale == "sqrt" and float(proj.final["pi_high"]) <= 0:
        # the whole interval lies past 0: the trend runs into a bound it cannot pass
        return None, Note.of("note.no_projection.reaches_zero", year=int(proj.final["year"]))
    return proj, None


def _projection(s: _Series, horizon: int) -> _Part:
    proj, reason = series_projection(
        s.years, s.values, s.quals, kind=s.kind, unit=s.unit, aggregation=s.aggregation,
        horizon=horizon, alpha=s.alpha,
    )  # fmt: skip
    if proj is None:
        assert reason is not None
        note = Note.of("note.indicator", indicator=s.indicator, note=reason)
        return _Part(rows=[s.row("projection", None, note=reason)], notes=[note])
    last = proj.final
    year = int(last["year"])
    mean, low, high = float(last["mean"]), float(last["pi_low"]), float(last["pi_high"])
    has_pi = math.isfinite(low) and math.isfinite(high)
    u = s.unit

    def interval_words(lang: str) -> str:
        if not has_pi:
            return message("finding.projection.no_interval", lang)
        return message("finding.projection.interval", lang, pct=s.pct,
                       low=_estimate(low, u, lang), high=_estimate(high, u, lang))  # fmt: skip

    kind = "finding.projection." + ("scenario" if proj.is_scenario(year) else "projected")
    en, zh = both(
        "finding.projection", subject=s.subject, year=year, end=s.end, n=s.n,
        kind=lambda lang: message(kind, lang), value=lambda lang: _estimate(mean, u, lang),
        interval=interval_words, method=lambda lang: method_text(proj, lang),
        horizon=lambda lang: horizon_text(proj, year, lang),
    )  # fmt: skip
    finding = s.finding(
        f"projection_{year}",
        en,
        zh,
        value=mean,
        interval_low=low if has_pi else None,
        interval_high=high if has_pi else None,
        evidence="descriptive",
        period_end=year,
        method=proj.method,
    )  # fmt: skip
    row = s.row(f"projection_{year}", mean, ci_low=low if has_pi else None,
                ci_high=high if has_pi else None, method=proj.method,
                note=Sentences(tuple(proj.notes)))  # fmt: skip
    return _Part(rows=[row], findings=[finding], notes=list(proj.notes))


# ---- area -------------------------------------------------------------------------------------


@dataclass
class AreaSummary:
    """Summaries of every indicator of an area present in the panel; ``skipped`` says why not.

    ``family`` names the family the area's tests were graded in, ``family_size`` its tests.
    """

    area: str
    region: str
    summaries: dict[str, TrendSummary]
    skipped: dict[str, Note | str]  # why, worded by ``notes.note_text``
    family: str = ""
    family_size: int = 0

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
    """``summarize`` every catalog indicator of ``area`` that the panel has for ``region``, and
    grade the area's tests as one family (``family`` = "region start-end area").

    Indicators whose data cannot support a trend (too few years with a value, all zeros) are
    listed in ``skipped`` with the reason instead of stopping the area.
    """
    if window < WINDOW_MIN:
        raise ParameterError("window", window, f"a trend needs at least {WINDOW_MIN} years")
    entries = catalog_entries(catalog)
    ids = [i for i, e in entries.items() if e.get("area") == area]
    if not ids:
        raise UniontrendsError(f"no indicators of area {area!r} in the catalog")
    have = set(panel.loc[panel["region"] == region, "indicator"])
    summaries: dict[str, TrendSummary] = {}
    skipped: dict[str, Note | str] = {}
    with indexed_rows(panel):
        for ind in ids:
            if ind not in have:
                skipped[ind] = Note.of("skip.no_annual_data")
                continue
            try:
                summaries[ind] = summarize(
                    panel, ind, region, end, window, catalog=catalog, region_names=region_names,
                    **kwargs,
                )  # fmt: skip
            except NotedError as exc:  # said with the names a reader knows
                skipped[ind] = exc.note.naming(indicator=named(_names(entries[ind]) or {"en": ind}),
                                               region=named(region_names))  # fmt: skip
            except UniontrendsError as exc:
                skipped[ind] = str(exc)
    family = f"{region} {end - window + 1}-{end} {area}"
    size = grade_family(summaries.values(), family, overlap_groups(summaries, entries))
    return AreaSummary(area, region, summaries, skipped, family, size)
