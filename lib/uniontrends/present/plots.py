"""One look for every figure: theme, CJK font, catalog labels, provenance notes on the figure.

Figures are drawn for print: 7.5 inches wide (the text width of an A4 page, shown full width in
the HTML), value axes from zero (every unit of the data model is a non-negative quantity, so a
5-point wobble is never drawn as a spike), the last value written at the end of each line,
legends under the chart, published figures drawn as published (a lower bound is ▲ with an
upward arrow, never a point), and a description of what the chart shows (its alt text).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import re
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
import statsmodels.api as sm
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, MaxNLocator
from matplotlib.transforms import offset_copy

from uniontrends.data.catalog import Catalog, Indicator
from uniontrends.data.model import LANGS
from uniontrends.data.regions import Regions
from uniontrends.errors import ParameterError
from uniontrends.messages import message
from uniontrends.numbers import estimate_decimals, number_format
from uniontrends.safe import figure_text
from uniontrends.stats.forecast import Projection
from uniontrends.stats.trend_tests import OLSTrend, TheilSen, ols_trend, theil_sen

# System CJK fonts tried first, in order; the mplfonts copy of Noto Sans CJK SC is the fallback.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
# Okabe & Ito (2008), "Color Universal Design": eight colours told apart with every common
# colour-vision deficiency (tests/test_plots.py simulates them). Order: the roles below.
OKABE_ITO = (
    "#0072B2",  # blue: the annual values
    "#E69F00",  # orange: the fitted trend
    "#009E73",  # bluish green: the projection
    "#D55E00",  # vermillion: published figures
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (light: never text, only fills)
    "#000000",  # black
)
PALETTE = list(OKABE_ITO)
ANNUAL, TREND, PROJECTION, PUBLISHED = OKABE_ITO[:4]
# Lines that stand next to each other (regions, peer countries): strong, distinct hues first.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
CONTEXT_GREY = "0.82"
SYNTHETIC_NOTE_COLOUR = "#a50f15"  # dark red on white: 8:1 contrast, legible for everyone

FIG_WIDTH = 7.5  # inches: an A4 page's text width at 100 %, and the HTML's full width
FIGSIZE = (FIG_WIDTH, 4.4)
PANEL_HEIGHT = 2.35  # inches per row of small multiples
MAX_PANEL_COLUMNS = 3
PANEL_TITLE_WIDTH = 28  # characters of a small-multiples panel title per line (within its axes)
COUNTED_KINDS = ("flow", "stock")  # whole numbers: persons, cases, organisations...
Y_TICK_BINS = 5
Y_TICK_STEPS = (1, 2, 2.5, 5, 10)  # matplotlib's AutoLocator steps: round tick values
NOTE_FONTSIZE = 8
END_LABEL_FONTSIZE = 8
NOTE_LINE_INCHES = 0.19  # one line of a note under the figure
SYNTHETIC_GID = "synthetic-note"
SOURCE_GID = "source-note"
LOWER_BOUND_GID = "reported-lower-bound"
END_LABEL_GID = "end-label"
END_LABEL_OFFSET = 9  # points right of a line's last point: clear of a published marker
ARROW_POINTS = 16  # length of a lower bound's upward arrow, whatever the axis scale
CONTEXT_MIN_COUNTRIES = 20  # a year's band of other countries needs this many reporting
SOURCES_SHOWN = 3

# The synthetic-data note drawn on every figure of synthetic data (``messages.yaml``).
SYNTHETIC_NOTE = {lang: message("figure.synthetic", lang) for lang in LANGS}


def _text(key: str, lang: str, **fields: object) -> str:
    """A figure's wording (``messages.yaml``: ``figure.*``)."""
    return message(f"figure.{key}", lang, **fields)


# ---- language and theme -----------------------------------------------------------------------


def _system_cjk_font() -> str | None:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _bundled_cjk_font() -> str | None:
    try:
        path = importlib.resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
        if not path.is_file():
            return None
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    except (ModuleNotFoundError, OSError, RuntimeError):
        return None


@functools.lru_cache(maxsize=1)
def _find_cjk_font() -> str | None:
    return _system_cjk_font() or _bundled_cjk_font()


def resolve_lang(lang: str = "en") -> str:
    """The label language that can actually be drawn: "zh" needs a CJK font, else "en".

    Args:
        lang: "en" or "zh".

    Returns:
        lang, or "en" (with a warning) when no CJK font is available.
    """
    if lang not in LANGS:
        raise ParameterError("lang", lang, f"must be one of {', '.join(LANGS)}")
    if lang == "zh" and _find_cjk_font() is None:
        warnings.warn(
            "no CJK font found (tried system fonts "
            f"{', '.join(CJK_FONTS)} and the mplfonts package); "
            "figures use English labels instead of Chinese",
            UserWarning,
            stacklevel=2,
        )
        return "en"
    return lang


def _theme_rc(lang: str) -> dict[str, Any]:
    rc: dict[str, Any] = {
        "figure.figsize": FIGSIZE,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.titlesize": 12,
        # A fixed title height: matplotlib's automatic placement measures every tick label of
        # every panel once per title (a third of a small-multiples figure's drawing time) only
        # to move titles above top-side tick labels, which these figures never have.
        "axes.titley": 1.0,
        "axes.titlepad": 8,
        "axes.labelsize": 10,
        "axes.prop_cycle": mpl.cycler(color=list(SERIES_COLOURS)),
        "legend.fontsize": 8.5,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "svg.fonttype": "path",  # SVGs must look the same without the fonts installed
        # Names from data are drawn as written: "$" is a dollar sign, never mathtext (which
        # would typeset "$x$" and fail the figure on "$\\x$").
        "text.parse_math": False,
    }
    font = _find_cjk_font()
    if font:
        # concrete family names resolve at draw time even outside this rc context; matplotlib
        # falls back glyph by glyph, so English figures can still show a Chinese source title
        rc["font.family"] = [font, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font]
        rc["axes.unicode_minus"] = False
    return rc


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _drawable(text: str) -> str:
    """Text from data safe to draw: one line, control characters visible (``safe``), CJK
    runs replaced when no CJK font exists (never tofu boxes)."""
    text = figure_text(text)
    if _find_cjk_font() is not None:
        return text
    return _CJK.sub("[…]", text)


def use_theme(lang: str = "en") -> str:
    """Set the suite's seaborn theme globally (whitegrid, Okabe–Ito palette, CJK font for zh).

    Args:
        lang: "en" or "zh".

    Returns:
        The language actually usable (see resolve_lang).
    """
    usable = resolve_lang(lang)
    sns.set_theme(style="whitegrid", palette=PALETTE, rc=_theme_rc(usable))
    return usable


@contextlib.contextmanager
def _themed(lang: str) -> Iterator[None]:
    with sns.axes_style("whitegrid"), mpl.rc_context(_theme_rc(lang)):
        yield


# ---- labels ------------------------------------------------------------------------------------


def _region_label(region_names: Regions | None, region: str, lang: str) -> str:
    return _drawable(region_names.name(region, lang) if region_names is not None else region)


def _name(entry: Indicator, lang: str) -> str:
    return _drawable(entry.name(lang))


def indicator_label(indicator: str, lang: str, catalog: Catalog) -> str:
    """Axis label with unit, e.g. "Labour disputes mediated (cases)" / "劳动争议调处（件）"."""
    entry = catalog[indicator]
    name, unit = _name(entry, lang), entry.unit_label(lang)
    return _text("axis_label", lang, name=name, unit=unit)


def _fmt_value(value: float, entry: Indicator, lang: str) -> str:
    """A value as a line's end label or the alt text says it: shares in %, counts and money
    with separators, in Chinese in 万/亿 ("10.4万"; ``uniontrends.numbers``)."""
    fmt = number_format(lang)
    if entry.unit == "share":
        return fmt.percentage(value, 1)
    return fmt.value(value, 0 if abs(value) >= 100 else estimate_decimals(value))


class TickLabels(Formatter):
    """A value axis's tick labels from the language's number formatter
    (``NumberFormat.ticks``): "0, 50万, 100万" in Chinese, "0, 500,000, 1,000,000" in English,
    shares as percentages. It sees all ticks of the axis at once, so they share one unit
    (万 for every tick once the largest reaches 10,000) and as few decimals as they need."""

    def __init__(self, lang: str, unit: str):
        self.numbers, self.unit = number_format(lang), unit

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        # the locator also places ticks beyond the view: only those shown choose the unit
        top = max(map(abs, self.axis.get_view_interval())) if self.axis is not None else None
        return self.numbers.ticks(list(values), self.unit, top)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.numbers.ticks([x], self.unit)[0]


def _pct(alpha: float) -> str:
    return f"{(1 - alpha) * 100:g}"


def _visual_width(text: str) -> int:
    """Width in half-em units: a CJK character is two, a Latin letter one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` half-em units, broken at spaces where possible (CJK anywhere)."""
    lines: list[str] = []
    while _visual_width(text) > width:
        cut, used = 0, 0
        for i, char in enumerate(text):
            used += _visual_width(char)
            if used > width:
                break
            cut = i + 1
        space = text.rfind(" ", 0, cut + 1)
        if space > cut // 2:
            cut = space
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*lines, text] if text else lines


def _note_width(fig: Figure, fontsize: float) -> int:
    """Half-em units of a note line across the figure (a Latin letter is about 0.55 em)."""
    return int(fig.get_figwidth() * 72 / (fontsize * 0.58)) - 2


# ---- provenance notes and alt text -------------------------------------------------------------


def _provenances(*frames: pd.DataFrame | None) -> set[str]:
    found: set[str] = set()
    for frame in frames:
        if frame is not None and "provenance" in frame:
            found.update(str(p) for p in frame["provenance"].dropna().unique())
    return found


def _sources(*frames: pd.DataFrame | None) -> list[str]:
    seen: list[str] = []
    for frame in frames:
        if frame is None or "source" not in frame:
            continue
        real = frame[frame.get("provenance", pd.Series("", index=frame.index)) != "synthetic"]
        for source in real["source"].dropna().astype(str):
            if source not in seen:
                seen.append(source)
    return seen


def _source_summary(sources: list[str], lang: str) -> str:
    """The sources in one line: a dataset with one source per country is named once."""
    groups: dict[str, list[str]] = {}
    for source in sources:
        prefix, _, _ = source.partition(", source ")
        groups.setdefault(prefix, []).append(source)
    shown = [
        members[0]
        if len(members) == 1
        else _text("sources_grouped", lang, prefix=prefix, n=len(members))
        for prefix, members in groups.items()
    ]
    more = len(shown) - SOURCES_SHOWN
    text = "; ".join(shown[:SOURCES_SHOWN])
    return text + (f"; … (+{more})" if more > 0 else "")


def _annotate(fig: Figure, lang: str, title: str, alt: str, *frames: pd.DataFrame | None) -> None:
    """Put the synthetic note and/or the source line on the figure and in its metadata.

    A long source line is wrapped, never cut: the layout leaves room for every line.
    """
    notes: list[str] = []
    lines: list[tuple[str, dict[str, Any]]] = []
    if "synthetic" in _provenances(*frames):
        note = SYNTHETIC_NOTE[lang]
        notes.append(note)
        style = {"fontsize": NOTE_FONTSIZE, "color": SYNTHETIC_NOTE_COLOUR, "style": "italic",
                 "gid": SYNTHETIC_GID}  # fmt: skip
        lines.append((note, style))
    sources = _sources(*frames)
    if sources:
        line = _drawable(_text("source", lang, source=_source_summary(sources, lang)))
        notes.append(line)
        style = {"fontsize": NOTE_FONTSIZE - 0.5, "color": "0.3", "gid": SOURCE_GID}
        wrapped = _wrap(line, _note_width(fig, NOTE_FONTSIZE - 0.5))
        lines.extend((part, style) for part in wrapped)
    step = NOTE_LINE_INCHES / fig.get_figheight()
    y = 0.006
    for text, style in reversed(lines):  # the synthetic note on top, the source under it
        fig.text(0.006, y, text, ha="left", va="bottom", **style)
        y += step
    description = " ".join([alt, *notes])
    fig.uniontrends_metadata = {"Title": title, "Description": description}  # type: ignore[attr-defined]
    engine = fig.get_layout_engine()
    if engine is not None and lines:  # leave room under the axes for the notes
        bottom = step * len(lines) + 0.012
        engine.set(rect=(0, bottom, 1, 1 - bottom))


def figure_notes(fig: Figure) -> list[str]:
    """The provenance notes drawn on a figure (synthetic note, source line).

    A source line wrapped over several lines of the figure is one note.
    """
    notes: list[str] = []
    previous = None
    for text in sorted(
        (t for t in fig.texts if t.get_gid() in (SYNTHETIC_GID, SOURCE_GID)),
        key=lambda t: -t.get_position()[1],
    ):
        if text.get_gid() == SOURCE_GID and previous == SOURCE_GID:
            notes[-1] = f"{notes[-1]} {text.get_text()}"
        else:
            notes.append(text.get_text())
        previous = text.get_gid()
    return notes


def _series_words(rows: pd.DataFrame, entry: Indicator, name: str, lang: str) -> str:
    """ "Members from 130,000 in 2018 to 105,000 in 2022" for the alt text."""
    rows = rows.dropna(subset=["value"]).sort_values("year")
    if rows.empty:
        return name
    first, last = rows.iloc[0], rows.iloc[-1]
    return _text("alt_from_to", lang,
        name=name, first=_fmt_value(float(first["value"]), entry, lang), start=int(first["year"]),
        last=_fmt_value(float(last["value"]), entry, lang), end=int(last["year"]),
    )  # fmt: skip


# ---- drawing helpers ---------------------------------------------------------------------------


def _select(frame: pd.DataFrame, indicator: str, region: str | None) -> pd.DataFrame:
    rows = frame[frame["indicator"] == indicator] if "indicator" in frame else frame
    if region is not None and "region" in rows:
        rows = rows[rows["region"] == region]
    if "region" in rows and rows["region"].nunique() > 1:
        raise ParameterError("region", region, "the series holds several regions; name one")
    if rows.empty:
        raise ParameterError("indicator", indicator, "no rows for this indicator (and region)")
    return rows.sort_values("year")


def _band_ols(years: np.ndarray, values: np.ndarray, alpha: float) -> pd.DataFrame:
    x = years - years[0]
    res = sm.OLS(values, sm.add_constant(x)).fit()
    sf = res.get_prediction(sm.add_constant(x, has_constant="add")).summary_frame(alpha=alpha)
    return pd.DataFrame(
        {"mean": sf["mean"], "low": sf["mean_ci_lower"], "high": sf["mean_ci_upper"]}
    )


def _band_theil_sen(years: np.ndarray, values: np.ndarray, ts: TheilSen) -> pd.DataFrame:
    # slope interval drawn as the fan of lines through the medians (scipy's convention)
    x0, y0 = float(np.median(years)), float(np.median(values))
    lines = np.array([y0 + s * (years - x0) for s in (ts.ci_low, ts.ci_high)])
    return pd.DataFrame(
        {
            "mean": ts.intercept + ts.slope * (years - years[0]),
            "low": lines.min(axis=0),
            "high": lines.max(axis=0),
        }
    )


def _within_domain(values: Any, entry: Indicator) -> np.ndarray:
    """A band clipped to what the unit allows: no negative count, no share above 100 %."""
    clipped = np.maximum(np.asarray(values, dtype=float), 0.0)
    return np.minimum(clipped, 1.0) if entry.unit == "share" else clipped


def _draw_trend(
    ax: Axes,
    years: np.ndarray,
    values: np.ndarray,
    trend: OLSTrend | TheilSen | str,
    lang: str,
    alpha: float,
    entry: Indicator,
) -> str:
    if isinstance(trend, str):
        if trend not in ("ols", "theil_sen"):
            raise ParameterError("trend", trend, "must be 'ols', 'theil_sen' or a fitted trend")
        trend = (
            ols_trend(years, values, alpha) if trend == "ols" else theil_sen(years, values, alpha)
        )
    if isinstance(trend, OLSTrend):
        band, key = _band_ols(years, values, alpha), "ols"
    else:
        band, key = _band_theil_sen(years, values, trend), "theil_sen"
    line = trend.intercept + trend.slope * (years - years[0])
    label = _text(key, lang, pct=_pct(alpha))
    ax.plot(years, line, color=TREND, lw=1.5, ls="-", label=label, gid=f"trend-{key}")
    low, high = _within_domain(band["low"], entry), _within_domain(band["high"], entry)
    ax.fill_between(years, low, high, color=TREND, alpha=0.18, lw=0)
    return label


def _draw_projection(ax: Axes, projection: Projection, lang: str, entry: Indicator) -> str:
    frame = projection.frame
    label = _text("projection", lang, pct=_pct(projection.alpha))
    ax.plot(frame["year"], frame["mean"], color=PROJECTION, ls="--", lw=1.5, label=label,
            gid="projection")  # fmt: skip
    low, high = _within_domain(frame["pi_low"], entry), _within_domain(frame["pi_high"], entry)
    ax.fill_between(frame["year"], low, high, color=PROJECTION, alpha=0.13, lw=0)
    return label


@dataclass(frozen=True)
class _Drawn:
    """What a published figure added to a chart: its marker kind and its label."""

    kind: str  # "lower", "upper" or "point"
    label: str


def _draw_reported(
    ax: Axes, reported: pd.DataFrame | pd.Series, indicator: str, lang: str, catalog: Catalog,
) -> list[_Drawn]:  # fmt: skip
    """Draw published figures: a lower bound as ▲ with an upward arrow, never as an exact point.

    The arrows are a fixed number of points long, so they read the same on any axis scale.
    """
    rows = reported.to_frame().T if isinstance(reported, pd.Series) else reported
    if "indicator" in rows:
        rows = rows[rows["indicator"] == indicator]
    entry = catalog[indicator]
    fmt = number_format(lang)
    drawn: list[_Drawn] = []
    for _, row in rows.iterrows():
        value, qualifier = float(row["value"]), str(row.get("qualifier", "exact"))
        start, end = int(row["period_start"]), int(row["period_end"])
        # as published, bound and unit included: "more than 1,200 cases" / "超过1,200件"
        shown = fmt.quantity(value, entry.unit, qualifier)
        lower = qualifier == "at_least"
        kind = _marker_kind(qualifier)
        marker = {"lower": "^", "upper": "v", "point": "D"}[kind]
        gid = LOWER_BOUND_GID if lower else f"reported-{qualifier}"
        if entry.aggregation in ("sum", "mean") and end > start:
            # a period total is on another scale than annual values: show the implied
            # mean per year as a segment over the period
            per_year = value / (end - start + 1) if entry.aggregation == "sum" else value
            decimals = None if abs(per_year) >= 100 else estimate_decimals(per_year)
            mean = fmt.quantity(per_year, entry.unit, qualifier, decimals)
            label = _text("reported_total", lang, start=start, end=end, value=shown, mean=mean)
            xs, ys = [start, end], [per_year, per_year]
        else:
            label = _text("reported_level", lang, end=end, value=shown)
            xs, ys = [end], [value]
        label = " ".join(label.split())
        ax.plot(xs, ys, color=PUBLISHED, ls=":", lw=1.5, marker=marker, ms=8, label=label,
                gid=gid, zorder=4)  # fmt: skip
        if lower:
            # the arrow says "the true value is somewhere above"
            up = offset_copy(
                ax.transData, fig=ax.get_figure(root=True), y=ARROW_POINTS, units="points"
            )
            for x in xs:
                ax.annotate(
                    "", xy=(x, ys[0]), xycoords=up, xytext=(x, ys[0]), textcoords="data",
                    arrowprops={"arrowstyle": "->", "color": PUBLISHED, "lw": 1.2},
                    gid=LOWER_BOUND_GID, annotation_clip=False,
                )  # fmt: skip
        drawn.append(_Drawn(kind, label))
    return drawn


def _marker_kind(qualifier: str) -> str:
    return {"at_least": "lower", "at_most": "upper"}.get(qualifier, "point")


def _reported_of(
    reported: pd.DataFrame | None, indicators: Sequence[str], region: str | None
) -> pd.DataFrame:
    """The published figures of these indicators (and region) among `reported`."""
    if reported is None or reported.empty:
        return pd.DataFrame(columns=["indicator", "qualifier"])
    rows = reported[reported["indicator"].isin(list(indicators))]
    if region is not None and "region" in rows:
        rows = rows[rows["region"] == region]
    return rows


def _legend_handles(kinds: Sequence[str], lang: str) -> list[Line2D]:
    """Generic legend entries for the published-figure markers drawn on small multiples."""
    handles = []
    for kind in ("lower", "upper", "point"):
        if kind in kinds:
            marker = {"lower": "^", "upper": "v", "point": "D"}[kind]
            handles.append(Line2D([], [], color=PUBLISHED, ls=":", lw=1.5, marker=marker, ms=7,
                                  label=_text(f"legend_{kind}", lang)))  # fmt: skip
    return handles


def _style_axes(ax: Axes, entry: Indicator, lang: str, small: bool = False) -> None:
    ax.yaxis.set_major_formatter(TickLabels(lang, entry.unit))
    # a small panel labels every other year: five year labels would run into each other
    ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if small else "auto", integer=True))
    # At most Y_TICK_BINS intervals: a small panel with ten value labels is hard to read (and
    # every tick label is measured again at each layout and drawing pass).
    # Counts get whole-number ticks: no "0.96 organisations" on a flat count.
    ax.yaxis.set_major_locator(
        MaxNLocator(
            nbins=Y_TICK_BINS - 1 if small else Y_TICK_BINS,
            steps=Y_TICK_STEPS,
            integer=entry.kind in COUNTED_KINDS,
        )
    )


def _from_zero(ax: Axes, entry: Indicator, headroom: float = 0.08) -> None:
    """Start the value axis at zero and leave room above the highest thing drawn.

    Every unit of the data model is a non-negative quantity, so zero is the honest baseline: a
    change from 59.6 % to 60.4 % stays a flat line instead of filling the panel. A share's
    axis ends a little above 100 % at most.
    """
    ax.relim()
    top = float(ax.dataLim.y1) if np.isfinite(ax.dataLim.y1) else 0.0
    top = top * (1 + headroom) if top > 0 else 1.0
    if entry.unit == "share":
        top = min(top, 1.0 + headroom / 2)
    ax.set_ylim(0, top)


def _room_for_arrows(ax: Axes, drawn: list[_Drawn], reported_top: float | None) -> None:
    """Raise the axis top so a lower bound's upward arrow stays inside the panel."""
    if reported_top is None or not any(d.kind == "lower" for d in drawn):
        return
    low, high = ax.get_ylim()
    # the axes' share of its (sub)figure, in points
    height_pt = ax.get_position().height * ax.figure.bbox.height / ax.get_figure(root=True).dpi * 72
    # the arrow must end below the top: top >= bound + (arrow / usable height) * span
    need = reported_top + (ARROW_POINTS + 4) / max(height_pt * 0.6, 1.0) * (high - low)
    if need > high:
        ax.set_ylim(low, need)


@dataclass(frozen=True)
class _EndLabel:
    x: float
    y: float
    text: str
    colour: Any


def _end_labels(ax: Axes, labels: list[_EndLabel], est_height_in: float) -> None:
    """Write each line's label at its last point, moved apart vertically so none overlap.

    Positions are offsets in points from each line's end; they are spread on an estimate of
    the axes height that is on the low side (the constrained layout gives at least that), so
    the gaps on the final figure are at least one line of text.
    """
    if not labels:
        return
    low, high = ax.get_ylim()
    span = (high - low) or 1.0
    height_pt = est_height_in * 72
    gap = END_LABEL_FONTSIZE * 1.35
    order = sorted(range(len(labels)), key=lambda i: labels[i].y)
    wanted = [(labels[i].y - low) / span * height_pt for i in order]
    placed: list[float] = []
    for y in wanted:  # push up from below
        placed.append(max(y, placed[-1] + gap) if placed else y)
    overflow = placed[-1] - height_pt
    if overflow > 0:  # the top one left the axes: push down from above
        placed[-1] -= overflow
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    for k, i in enumerate(order):
        label = labels[i]
        ax.annotate(
            label.text, xy=(label.x, label.y), xytext=(END_LABEL_OFFSET, placed[k] - wanted[k]),
            textcoords="offset points", ha="left", va="center", fontsize=END_LABEL_FONTSIZE,
            color=label.colour, gid=END_LABEL_GID, annotation_clip=False,
        )  # fmt: skip


def _last_point(rows: pd.DataFrame) -> tuple[float, float] | None:
    rows = rows.dropna(subset=["value"]).sort_values("year")
    if rows.empty:
        return None
    return float(rows["year"].iloc[-1]), float(rows["value"].iloc[-1])


LEGEND_DROP_POINTS = 40  # from the axes' bottom to below its tick labels and axis label


def _below_legend(ax: Axes, handles: list[Any]) -> None:
    """One legend under the chart, below its year axis: it never covers a line or a label.

    Anchored to the axes, so the constrained layout makes room for it.
    """
    if not handles:
        return
    fig = ax.get_figure(root=True)
    labels = [h.get_label() for h in handles]
    longest = max(_visual_width(label) for label in labels)
    ncols = 2 if longest * 2 < _note_width(fig, 8.5) - 10 and len(handles) > 1 else 1
    under = offset_copy(ax.transAxes, fig=fig, y=-LEGEND_DROP_POINTS, units="points")
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=under, ncols=ncols, frameon=False, borderaxespad=0)  # fmt: skip


# ---- figures -----------------------------------------------------------------------------------


def trend_figure(
    series_df: pd.DataFrame,
    indicator: str,
    lang: str = "en",
    trend: OLSTrend | TheilSen | str | None = None,
    projection: Projection | None = None,
    reported: pd.DataFrame | pd.Series | None = None,
    region: str | None = None,
    alpha: float = 0.05,
    *,
    catalog: Catalog,
    region_names: Regions | None = None,
) -> Figure:
    """One indicator over time: annual values, trend with CI, projection with PI, published figure.

    Args:
        series_df: tidy annual rows (year, value, provenance, source; indicator/region optional).
        indicator: catalog id.
        lang: "en" or "zh" (falls back to "en" without a CJK font).
        trend: a fitted OLSTrend/TheilSen, or "ols"/"theil_sen" to fit here; None for no trend.
        projection: forecast.Projection (frame: year, mean, pi_low, pi_high), drawn dashed, its
            interval clipped to what the unit allows.
        reported: published figures (reported rows: value, qualifier, period_start, period_end).
        region: region id when series_df holds several regions.
        alpha: 1 - confidence level of the trend band.
        catalog: the indicator catalog of the data package.
        region_names: the package's regions, for display names (ids when None).

    Returns:
        The figure (not shown, not registered with pyplot).
    """
    lang, cat = resolve_lang(lang), catalog
    rows = _select(series_df, indicator, region)
    region = region or (str(rows["region"].iloc[0]) if "region" in rows and len(rows) else None)
    years = rows["year"].to_numpy(dtype=float)
    values = rows["value"].to_numpy(dtype=float)
    entry = cat[indicator]
    layers: list[str] = []
    with _themed(lang):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        ax.plot(years, values, color=ANNUAL, marker="o", lw=1.8, label=_text("annual", lang),
                gid="annual", zorder=5)  # fmt: skip
        if trend is not None and len(years) >= 3:
            layers.append(_draw_trend(ax, years, values, trend, lang, alpha, entry))
        if projection is not None:
            layers.append(_draw_projection(ax, projection, lang, entry))
        drawn: list[_Drawn] = []
        if reported is not None:
            drawn = _draw_reported(ax, reported, indicator, lang, cat)
            layers.extend(d.label for d in drawn)
        _style_axes(ax, entry, lang)
        _from_zero(ax, entry)
        _room_for_arrows(ax, drawn, _reported_top(ax, drawn))
        ax.set_xlabel(_text("year", lang))
        ax.set_ylabel(indicator_label(indicator, lang, cat))
        where = _region_label(region_names, region, lang) if region else ""
        title = _text("title", lang, region=where, name=_name(entry, lang)) if where else (
            _name(entry, lang)
        )  # fmt: skip
        ax.set_title(title)
        last = _last_point(rows)
        if last is not None:
            _end_labels(ax, [_EndLabel(*last, _fmt_value(last[1], entry, lang), ANNUAL)], 2.4)
        _below_legend(ax, ax.get_legend_handles_labels()[0])
        span = (int(years.min()), int(years.max())) if len(years) else (0, 0)
        alt = _text("alt_line", lang, what=title, start=span[0], end=span[1])
        alt = " ".join([alt, _series_words(rows, entry, _text("annual", lang), lang) + "."])
        if layers:
            alt += " " + _text(
                "alt_layers", lang, layers=message("separator.clause", lang).join(layers)
            )
        alt += " " + _text("alt_axis_zero", lang)
        _annotate(fig, lang, title, alt, rows, _as_frame(reported))
    return fig


def _reported_top(ax: Axes, drawn: list[_Drawn]) -> float | None:
    tops = [
        max(line.get_ydata())
        for line in ax.get_lines()
        if line.get_gid() == LOWER_BOUND_GID and len(line.get_ydata())
    ]
    return float(max(tops)) if tops and drawn else None


def _as_frame(rows: pd.DataFrame | pd.Series | None) -> pd.DataFrame | None:
    if rows is None:
        return None
    return rows.to_frame().T if isinstance(rows, pd.Series) else rows


def panel_rows(n: int, max_columns: int = MAX_PANEL_COLUMNS) -> list[int]:
    """How many panels each row of small multiples holds: balanced, never one panel alone.

    Four panels are 2 + 2, five 3 + 2, seven 3 + 2 + 2 (a lone panel under a full row is an
    orphan); a shorter row is centred.

    Args:
        n: panels.
        max_columns: panels per row at most.

    Returns:
        Panels per row, top to bottom (empty for n = 0).
    """
    if n <= 0:
        return []
    columns = 2 if n in (2, 4) else min(max_columns, n)
    rows = -(-n // columns)
    base, extra = divmod(n, rows)
    return [base + 1 if r < extra else base for r in range(rows)]


def _panel_axes(fig: Figure, counts: list[int], legend_lines: int) -> tuple[list[Axes], Any]:
    """Axes for balanced rows, shorter rows centred, and a strip for the legend under them.

    Each row is a subfigure of its own, laid out alone: a centred row's panels would otherwise
    share grid columns with the full rows' panels and the layout would squeeze them all.

    Returns:
        (the axes in reading order, the legend's subfigure or None).
    """
    columns = max(counts)
    ratios = [PANEL_HEIGHT] * len(counts) + ([0.22 * legend_lines + 0.1] if legend_lines else [])
    rows = fig.subfigures(len(ratios), 1, height_ratios=ratios, squeeze=False).ravel()
    axes: list[Axes] = []
    for row, k in zip(rows, counts, strict=False):
        grid = row.add_gridspec(1, 2 * columns)
        offset = columns - k
        for j in range(k):
            share = {"sharex": axes[0]} if axes else {}
            axes.append(row.add_subplot(grid[0, offset + 2 * j : offset + 2 * j + 2], **share))
    return axes, (rows[-1] if legend_lines else None)


def area_figure(
    panel: pd.DataFrame,
    indicators: Sequence[str] | str,
    lang: str = "en",
    region: str | None = None,
    reported: pd.DataFrame | None = None,
    ncols: int = MAX_PANEL_COLUMNS,
    *,
    catalog: Catalog,
    region_names: Regions | None = None,
    area: str | None = None,
) -> Figure:
    """Small multiples for an area: one panel per indicator (own unit, axis from zero).

    Args:
        panel: tidy annual rows (region, year, indicator, value, provenance, source).
        indicators: indicator ids, or an area id (all its indicators present in panel).
        lang: "en" or "zh".
        region: region id when panel holds several regions.
        reported: published figures, drawn in the panels they belong to.
        ncols: panels per row at most (rows are balanced: see ``panel_rows``).
        catalog: the indicator catalog of the data package.
        region_names: the package's regions, for display names (ids when None).
        area: the area named in the title when `indicators` is a list of ids.

    Returns:
        The figure.
    """
    lang, cat = resolve_lang(lang), catalog
    area_title = _drawable(cat.area_name(area, lang)) if area else None
    if isinstance(indicators, str):
        area_title = _drawable(cat.area_name(indicators, lang))
        present = set(panel["indicator"])
        indicators = [i.id for i in cat.in_area(indicators) if i.id in present]
    if not indicators:
        raise ParameterError("indicators", indicators, "no indicator of the panel selected")
    unknown = [i for i in indicators if i not in cat]
    if unknown:
        raise ParameterError("indicators", unknown, "not in the indicator catalog")
    counts = panel_rows(len(indicators), max(1, ncols))
    used: list[pd.DataFrame] = []
    kinds: list[str] = []
    described: list[str] = []
    mine = _reported_of(reported, indicators, region)
    legend_lines = len({_marker_kind(str(q)) for q in mine.get("qualifier", [])})
    with _themed(lang):
        height = PANEL_HEIGHT * len(counts) + 0.7 + 0.22 * legend_lines
        fig = Figure(figsize=(FIG_WIDTH, height), layout="constrained")
        axes, legend_row = _panel_axes(fig, counts, legend_lines)
        panel_height = PANEL_HEIGHT * 0.62
        for ax, indicator in zip(axes, indicators, strict=True):
            entry = cat[indicator]
            rows = _select(panel, indicator, region)
            used.append(rows)
            ax.plot(rows["year"], rows["value"], color=ANNUAL, marker="o", ms=4, lw=1.6,
                    gid="annual", zorder=5)  # fmt: skip
            drawn: list[_Drawn] = []
            rep = mine[mine["indicator"] == indicator] if len(mine) else mine
            if len(rep):
                drawn = _draw_reported(ax, rep, indicator, lang, cat)
                used.append(rep)
                kinds.extend(d.kind for d in drawn)
            _style_axes(ax, entry, lang, small=True)
            _from_zero(ax, entry, headroom=0.12)
            _room_for_arrows(ax, drawn, _reported_top(ax, drawn))
            ax.tick_params(axis="both", labelsize=8)
            # wrapped: a long name would run into the next panel's title
            width = PANEL_TITLE_WIDTH * 3 // max(counts)
            ax.set_title("\n".join(_wrap(_name(entry, lang), width)), fontsize=9)
            unit = entry.unit_label(lang)
            ax.set_ylabel(_text("unit_label", lang, unit=unit), fontsize=8)
            last = _last_point(rows)
            if last is not None:
                label = _EndLabel(*last, _fmt_value(last[1], entry, lang), ANNUAL)
                _end_labels(ax, [label], panel_height)
            described.append(_series_words(rows, entry, _name(entry, lang), lang))
        drawn_regions = sorted(pd.concat(used)["region"].dropna().unique()) if used else []
        where = message("separator.list", lang).join(
            _region_label(region_names, r, lang) for r in drawn_regions
        )
        title = " — ".join(t for t in (where, area_title) if t) or where
        if title:
            fig.suptitle(title, fontsize=12)
        if legend_row is not None:
            legend_row.legend(handles=_legend_handles(kinds, lang), loc="center", frameon=False)
        years = pd.concat(used)["year"].dropna() if used else pd.Series([0])
        alt = _text(
            "alt_panels",
            lang,
            what=title,
            start=int(years.min()),
            end=int(years.max()),
            panels=message("separator.clause", lang).join(described),
        )
        alt += " " + _text("alt_axis_zero", lang)
        _annotate(fig, lang, title, alt, *used)
    return fig


def regions_figure(
    panel: pd.DataFrame,
    indicator: str,
    lang: str = "en",
    regions: Sequence[str] | None = None,
    highlight: str | None = None,
    *,
    catalog: Catalog,
    region_names: Regions | None = None,
) -> Figure:
    """One indicator across regions: a line per region labelled at its end, one emphasised.

    Args:
        panel: tidy annual rows of several regions.
        indicator: catalog id.
        lang: "en" or "zh".
        regions: the regions to draw (default: all in panel, sorted).
        highlight: region id drawn emphasised.
        catalog: the indicator catalog of the data package.
        region_names: the package's regions, for display names (ids when None).

    Returns:
        The figure.
    """
    lang, cat = resolve_lang(lang), catalog
    rows = panel[panel["indicator"] == indicator]
    regions = list(regions) if regions is not None else sorted(rows["region"].unique())
    rows = rows[rows["region"].isin(regions)]
    if rows.empty:
        raise ParameterError("indicator", indicator, "no rows for this indicator in the regions")
    entry = cat[indicator]
    # the highlighted region keeps the first colour whatever its place in the list
    ordered = sorted(regions, key=lambda r: r != highlight)
    colours = dict(zip(ordered, _cycle(SERIES_COLOURS, len(ordered)), strict=True))
    labels: list[_EndLabel] = []
    described: list[str] = []
    with _themed(lang):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        for region in regions:
            series = rows[rows["region"] == region].sort_values("year")
            if series.empty:
                continue
            emphasis = region == highlight
            name = _region_label(region_names, region, lang)
            ax.plot(series["year"], series["value"], marker="o", color=colours[region],
                    lw=2.6 if emphasis else 1.4, ms=5 if emphasis else 4,
                    zorder=3 if emphasis else 2, label=name, gid=f"region-{region}")  # fmt: skip
            last = _last_point(series)
            if last is not None:
                text = f"{name} {_fmt_value(last[1], entry, lang)}"
                labels.append(_EndLabel(*last, text, colours[region]))
            described.append(_series_words(series, entry, name, lang))
        _style_axes(ax, entry, lang)
        _from_zero(ax, entry)
        _end_labels(ax, labels, 2.4)
        title = _finish_line_chart(ax, cat, indicator, lang)
        alt = _text(
            "alt_line", lang, what=title, start=int(rows["year"].min()), end=int(rows["year"].max())
        )
        alt += (
            " "
            + message("separator.clause", lang).join(described)
            + ". "
            + _text("alt_axis_zero", lang)
        )
        _annotate(fig, lang, title, alt, rows)
    return fig


def _cycle(colours: Sequence[Any], n: int) -> list[Any]:
    return [colours[i % len(colours)] for i in range(n)]


def _finish_line_chart(ax: Axes, cat: Catalog, indicator: str, lang: str) -> str:
    """Axis labels and title of a one-indicator line chart; returns the title."""
    ax.set_xlabel(_text("year", lang))
    ax.set_ylabel(indicator_label(indicator, lang, cat))
    title = _name(cat[indicator], lang)
    ax.set_title(title)
    return title


def reference_figure(
    reference: pd.DataFrame,
    lang: str = "en",
    indicator: str = "union_density",
    highlight: str | None = None,
    countries: Sequence[str] | None = None,
    *,
    catalog: Catalog,
    peers: Sequence[str] = (),
) -> Figure:
    """Union density by country (reference series): the own country and a few peers labelled.

    The other countries are context: the middle half of those reporting each year, as a grey
    band (years with fewer than ``CONTEXT_MIN_COUNTRIES`` countries are left out of it).

    Args:
        reference: reference rows (region = ISO3 lower case, year, indicator, value, dataset,
            region_name, provenance, source), e.g. reference.tidy_reference().
        lang: "en" or "zh".
        indicator: catalog id of the series drawn.
        highlight: the package's own country (``package.info.country``), drawn strongest.
        countries: region codes to draw (default all).
        catalog: the indicator catalog of the data package.
        peers: the countries compared with (``package.info.peers``), drawn and labelled.

    Returns:
        The figure.
    """
    lang, cat = resolve_lang(lang), catalog
    rows = reference[reference["indicator"] == indicator]
    named = [c for c in (highlight, *peers) if c]
    if countries is not None:
        rows = rows[rows["region"].isin([*countries, *named])]
    if "dataset" in rows and rows["dataset"].nunique() > 1:
        # a country in both datasets: keep the one with more years so each country is one line
        counts = rows.groupby(["region", "dataset"]).size().reset_index(name="n")
        best = counts.sort_values(["n", "dataset"], ascending=[False, True]).drop_duplicates(
            "region"
        )
        rows = rows.merge(best[["region", "dataset"]], on=["region", "dataset"])
    if rows.empty:
        raise ParameterError("indicator", indicator, "no reference rows for this indicator")
    entry = cat[indicator]
    names = _ref_names(rows)
    labels: list[_EndLabel] = []
    described: list[str] = []
    with _themed(lang):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        others = rows[~rows["region"].isin(named)]
        band = _context_band(others)
        layers = []
        if len(band):
            n_low, n_high = int(band["n"].min()), int(band["n"].max())
            label = _text("context_band", lang, low=n_low, high=n_high)
            ax.fill_between(band["year"], band["q1"], band["q3"], color=CONTEXT_GREY, lw=0,
                            alpha=0.8, label=label, gid="context-band", zorder=1)  # fmt: skip
            layers.append(_text("alt_context", lang))
        palette = iter(SERIES_COLOURS[1:])
        for code in named:
            series = rows[rows["region"] == code].sort_values("year")
            if series.empty:
                continue
            own = code == highlight
            colour = SERIES_COLOURS[0] if own else next(palette)
            name = _country_name(code, names, lang)
            ax.plot(series["year"], series["value"], color=colour, lw=2.6 if own else 1.5,
                    marker="o", ms=4 if own else 3, zorder=4 if own else 3, label=name,
                    gid=f"highlight-{code}" if own else f"peer-{code}")  # fmt: skip
            last = _last_point(series)
            if last is not None:
                labels.append(
                    _EndLabel(*last, f"{name} {_fmt_value(last[1], entry, lang)}", colour)
                )
            described.append(_series_words(series, entry, name, lang))
        _style_axes(ax, entry, lang)
        _from_zero(ax, entry)
        _end_labels(ax, labels, 2.4)
        title = _finish_line_chart(ax, cat, indicator, lang)
        handles = [h for h in ax.get_legend_handles_labels()[0] if h.get_gid() == "context-band"]
        _below_legend(ax, handles)
        alt = _text(
            "alt_line", lang, what=title, start=int(rows["year"].min()), end=int(rows["year"].max())
        )
        if described:
            alt += " " + message("separator.clause", lang).join(described) + "."
        if layers:
            alt += " " + _text(
                "alt_layers", lang, layers=message("separator.clause", lang).join(layers)
            )
        alt += " " + _text("alt_axis_zero", lang)
        _annotate(fig, lang, title, alt, rows)
    return fig


def _context_band(rows: pd.DataFrame) -> pd.DataFrame:
    """Per year: quartiles of the countries reporting (years with enough countries only)."""
    if rows.empty:
        return pd.DataFrame(columns=["year", "q1", "q3", "n"])
    grouped = rows.groupby("year")["value"]
    band = pd.DataFrame(
        {"q1": grouped.quantile(0.25), "q3": grouped.quantile(0.75), "n": grouped.size()}
    ).reset_index()
    return band[band["n"] >= CONTEXT_MIN_COUNTRIES]


def _ref_names(rows: pd.DataFrame) -> dict[str, str]:
    if "region_name" not in rows:
        return {}
    return dict(zip(rows["region"], rows["region_name"].astype(str), strict=False))


def _country_name(code: str, names: dict[str, str], lang: str) -> str:
    """A country's name: CLDR's (babel) in Chinese, else the dataset's (CLDR's without one)."""
    from babel import Locale
    from babel.core import get_global

    alpha2 = get_global("territory_aliases").get(code.upper(), [code.upper()])[0]
    cldr = Locale(lang).territories.get(alpha2)
    if lang == "zh" and cldr:
        return _drawable(cldr)
    return _drawable(names.get(code) or cldr or code.upper())


def describe(fig: Figure) -> str:
    """A figure's description (its alt text), as stored in its PNG and SVG metadata."""
    return str((getattr(fig, "uniontrends_metadata", None) or {}).get("Description", ""))
