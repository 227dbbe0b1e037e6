"""One look for every figure: theme, CJK font, catalog labels, provenance notes on the figure."""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import re
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
import statsmodels.api as sm
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from uniontrends.data.catalog import Catalog, Indicator
from uniontrends.data.model import LANGS
from uniontrends.data.regions import Regions
from uniontrends.errors import ParameterError
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
PALETTE = "colorblind"
FIGSIZE = (7.0, 4.2)
PANEL_TITLE_WIDTH = 40  # characters of a small-multiples panel title per line
COUNTED_KINDS = ("flow", "stock")  # whole numbers: persons, cases, organisations...
Y_TICK_BINS = 5
Y_TICK_STEPS = (1, 2, 2.5, 5, 10)  # matplotlib's AutoLocator steps: round tick values
NOTE_FONTSIZE = 8
SYNTHETIC_GID = "synthetic-note"
SOURCE_GID = "source-note"
LOWER_BOUND_GID = "reported-lower-bound"

SYNTHETIC_NOTE = {
    "en": "Illustrative data (synthetic) — not official statistics",
    "zh": "示例数据（合成），非官方统计",
}

_TEXT = {
    "en": {
        "year": "Year",
        "annual": "Annual values",
        "ols": "OLS trend, {pct} % CI",
        "theil_sen": "Theil–Sen trend, {pct} % CI",
        "projection": "Projection, {pct} % prediction interval",
        "at_least": "at least",
        "at_most": "at most",
        "approx": "about",
        "exact": "",
        "reported_total": (
            "Published {start}–{end} total: {q} {value} {unit} (mean {q} {mean}/year)"
        ),
        "reported_level": "Published {end} level: {q} {value} {unit}",
        "source": "Source: {source}",
        "country": "Countries",
        "alt": "{kind} of {what}, {start}–{end}.",
        "line_chart": "Line chart",
        "small_multiples": "Small multiples",
    },
    "zh": {
        "year": "年份",
        "annual": "年度数值",
        "ols": "OLS趋势（{pct}%置信区间）",
        "theil_sen": "Theil–Sen趋势（{pct}%置信区间）",
        "projection": "预测（{pct}%预测区间）",
        "at_least": "不少于",
        "at_most": "不多于",
        "approx": "约",
        "exact": "",
        "reported_total": "公布的{start}—{end}年合计：{q}{value}{unit}（年均{q}{mean}）",
        "reported_level": "公布的{end}年数值：{q}{value}{unit}",
        "source": "来源：{source}",
        "country": "国家",
        "alt": "{what}{kind}，{start}—{end}年。",
        "line_chart": "折线图",
        "small_multiples": "分面图",
    },
}


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
        "axes.labelsize": 10,
        "legend.fontsize": 8,
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
    """Set the suite's seaborn theme globally (whitegrid, colour-blind palette, CJK font for zh).

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
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def _fmt_number(value: float) -> str:
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def _value_formatter(unit: str) -> Any:
    if unit == "share":
        return PercentFormatter(xmax=1.0)
    return FuncFormatter(lambda v, _pos: _fmt_number(v))


def _pct(alpha: float) -> str:
    return f"{(1 - alpha) * 100:g}"


# ---- provenance notes --------------------------------------------------------------------------


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


def _annotate(fig: Figure, lang: str, title: str, alt: str, *frames: pd.DataFrame | None) -> None:
    """Put the synthetic note and/or the source line on the figure and in its metadata."""
    notes: list[str] = []
    step = 0.2 / fig.get_figheight()  # one note line is about 0.2 inch, whatever the height
    y = 0.005
    if "synthetic" in _provenances(*frames):
        note = SYNTHETIC_NOTE[lang]
        fig.text(
            0.005, y, note, ha="left", va="bottom", fontsize=NOTE_FONTSIZE, color="#a50f15",
            style="italic", gid=SYNTHETIC_GID,
        )  # fmt: skip
        notes.append(note)
        y += step
    sources = _sources(*frames)
    if sources:
        shown = "; ".join(sources[:3]) + ("; …" if len(sources) > 3 else "")
        if len(shown) > 140:
            shown = shown[:139] + "…"
        line = _drawable(_TEXT[lang]["source"].format(source=shown))
        fig.text(
            0.005, y, line, ha="left", va="bottom", fontsize=NOTE_FONTSIZE - 1, color="0.35",
            gid=SOURCE_GID,
        )  # fmt: skip
        notes.append(line)
    description = " ".join([alt, *notes])
    fig.uniontrends_metadata = {"Title": title, "Description": description}  # type: ignore[attr-defined]
    # leave room under the axes for the notes
    engine = fig.get_layout_engine()
    if engine is not None and notes:
        engine.set(rect=(0, step * len(notes) + 0.01, 1, 1 - step * len(notes) - 0.01))


def _finish_line_chart(
    fig: Figure, ax: Any, cat: Any, indicator: str, lang: str, rows: pd.DataFrame
) -> None:
    """Axis labels, title, legend, alt text and provenance notes of a one-indicator line chart."""
    _style_axes(ax, cat[indicator])
    ax.set_xlabel(_TEXT[lang]["year"])
    ax.set_ylabel(indicator_label(indicator, lang, cat))
    title = _name(cat[indicator], lang)
    ax.set_title(title)
    ax.legend(loc="best")
    years = rows["year"] if len(rows) else pd.Series([0])
    alt = _TEXT[lang]["alt"].format(
        kind=_TEXT[lang]["line_chart"], what=title, start=int(years.min()), end=int(years.max())
    )
    _annotate(fig, lang, title, alt, rows)


def figure_notes(fig: Figure) -> list[str]:
    """The provenance notes drawn on a figure (synthetic note, source line)."""
    return [t.get_text() for t in fig.texts if t.get_gid() in (SYNTHETIC_GID, SOURCE_GID)]


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


def _draw_trend(
    ax: Axes,
    years: np.ndarray,
    values: np.ndarray,
    trend: OLSTrend | TheilSen | str,
    lang: str,
    alpha: float,
    color: Any,
) -> None:
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
    label = _TEXT[lang][key].format(pct=_pct(alpha))
    ax.plot(years, line, color=color, lw=1.5, ls="-", label=label, gid=f"trend-{key}")
    ax.fill_between(years, band["low"], band["high"], color=color, alpha=0.15, lw=0)


def _draw_projection(ax: Axes, projection: Projection, lang: str, color: Any) -> None:
    frame = projection.frame
    label = _TEXT[lang]["projection"].format(pct=_pct(projection.alpha))
    ax.plot(frame["year"], frame["mean"], color=color, ls="--", lw=1.5, label=label,
            gid="projection")  # fmt: skip
    ax.fill_between(frame["year"], frame["pi_low"], frame["pi_high"], color=color, alpha=0.12, lw=0)


def _draw_reported(
    ax: Axes, reported: pd.DataFrame | pd.Series, indicator: str, lang: str, catalog: Catalog,
    color: Any,
) -> None:  # fmt: skip
    """Draw published figures: a lower bound as ▲ with "at least", never as an exact point."""
    rows = reported.to_frame().T if isinstance(reported, pd.Series) else reported
    if "indicator" in rows:
        rows = rows[rows["indicator"] == indicator]
    entry = catalog[indicator]
    unit = entry.unit_label(lang)
    for _, row in rows.iterrows():
        value, qualifier = float(row["value"]), str(row.get("qualifier", "exact"))
        start, end = int(row["period_start"]), int(row["period_end"])
        q = _TEXT[lang].get(qualifier, "")
        shown = f"{value:.0%}" if entry.unit == "share" else _fmt_number(value)
        lower = qualifier == "at_least"
        marker = "^" if lower else ("v" if qualifier == "at_most" else "D")
        gid = LOWER_BOUND_GID if lower else f"reported-{qualifier}"
        if entry.aggregation in ("sum", "mean") and end > start:
            # a period total is on another scale than annual values: show the implied
            # mean per year as a segment over the period
            per_year = value / (end - start + 1) if entry.aggregation == "sum" else value
            label = _TEXT[lang]["reported_total"].format(
                start=start, end=end, q=q, value=shown, unit=unit, mean=_fmt_number(per_year)
            )
            xs, ys = [start, end], [per_year, per_year]
        else:
            label = _TEXT[lang]["reported_level"].format(end=end, q=q, value=shown, unit=unit)
            xs, ys = [end], [value]
        label = " ".join(label.split())
        ax.plot(xs, ys, color=color, ls=":", lw=1.5, marker=marker, ms=9, label=label, gid=gid)
        if lower:
            # the arrow says "the true value is somewhere above"
            span = np.ptp(ax.get_ylim()) or abs(ys[0]) or 1.0
            for x in xs:
                ax.annotate(
                    "", xy=(x, ys[0] + 0.12 * span), xytext=(x, ys[0]),
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2},
                    gid=LOWER_BOUND_GID,
                )  # fmt: skip


def _style_axes(ax: Axes, entry: Indicator) -> None:
    ax.yaxis.set_major_formatter(_value_formatter(entry.unit))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # At most Y_TICK_BINS intervals: a small panel with ten value labels is hard to read (and
    # every tick label is measured again at each layout and drawing pass).
    # Counts get whole-number ticks: no "0.96 organisations" on a flat count.
    ax.yaxis.set_major_locator(
        MaxNLocator(nbins=Y_TICK_BINS, steps=Y_TICK_STEPS, integer=entry.kind in COUNTED_KINDS)
    )


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
        projection: forecast.Projection (frame: year, mean, pi_low, pi_high), drawn dashed.
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
    colors = sns.color_palette(PALETTE)
    entry = cat[indicator]
    with _themed(lang):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        ax.plot(years, values, color=colors[0], marker="o", lw=1.8, label=_TEXT[lang]["annual"],
                gid="annual")  # fmt: skip
        if trend is not None and len(years) >= 3:
            _draw_trend(ax, years, values, trend, lang, alpha, colors[1])
        if projection is not None:
            _draw_projection(ax, projection, lang, colors[2])
        if reported is not None:
            _draw_reported(ax, reported, indicator, lang, cat, colors[3])
        _style_axes(ax, entry)
        ax.set_xlabel(_TEXT[lang]["year"])
        ax.set_ylabel(indicator_label(indicator, lang, cat))
        where = _region_label(region_names, region, lang) if region else ""
        title = (
            f"{where}{'：' if lang == 'zh' else ': '}{_name(entry, lang)}"
            if where
            else _name(entry, lang)
        )
        ax.set_title(title)
        ax.legend(loc="best", frameon=True)
        span = (int(years.min()), int(years.max())) if len(years) else (0, 0)
        alt = _TEXT[lang]["alt"].format(
            kind=_TEXT[lang]["line_chart"], what=title, start=span[0], end=span[1]
        )
        _annotate(fig, lang, title, alt, rows, _as_frame(reported))
    return fig


def _as_frame(rows: pd.DataFrame | pd.Series | None) -> pd.DataFrame | None:
    if rows is None:
        return None
    return rows.to_frame().T if isinstance(rows, pd.Series) else rows


def area_figure(
    panel: pd.DataFrame,
    indicators: Sequence[str] | str,
    lang: str = "en",
    region: str | None = None,
    reported: pd.DataFrame | None = None,
    ncols: int = 3,
    *,
    catalog: Catalog,
    region_names: Regions | None = None,
    area: str | None = None,
) -> Figure:
    """Small multiples for an area: one panel per indicator (own y-scale and unit).

    Args:
        panel: tidy annual rows (region, year, indicator, value, provenance, source).
        indicators: indicator ids, or an area id (all its indicators present in panel).
        lang: "en" or "zh".
        region: region id when panel holds several regions.
        reported: published figures, drawn in the panels they belong to.
        ncols: panels per row.
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
    ncols = max(1, min(ncols, len(indicators)))
    nrows = -(-len(indicators) // ncols)
    colors = sns.color_palette(PALETTE)
    used: list[pd.DataFrame] = []
    with _themed(lang):
        fig = Figure(figsize=(3.4 * ncols, 2.7 * nrows + 0.6), layout="constrained")
        # One year axis for all panels, labelled under the lowest panel of each column only
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for ax, indicator in zip(axes, indicators, strict=False):
            rows = _select(panel, indicator, region)
            used.append(rows)
            ax.plot(rows["year"], rows["value"], color=colors[0], marker="o", ms=4, lw=1.5,
                    gid="annual")  # fmt: skip
            if reported is not None:
                rep = reported[reported["indicator"] == indicator]
                if region is not None and "region" in rep:
                    rep = rep[rep["region"] == region]
                if len(rep):
                    _draw_reported(ax, rep, indicator, lang, cat, colors[3])
                    used.append(rep)
                    ax.legend(fontsize=6, loc="best")
            _style_axes(ax, cat[indicator])
            # wrapped: a long name would run into the next panel's title
            ax.set_title(textwrap.fill(_name(cat[indicator], lang), PANEL_TITLE_WIDTH), fontsize=9)
            ax.set_ylabel(f"({cat[indicator].unit_label(lang)})" if lang == "en"
                          else f"（{cat[indicator].unit_label(lang)}）", fontsize=8)  # fmt: skip
        for ax in axes[len(indicators) :]:
            ax.set_visible(False)
        for ax in axes[max(0, len(indicators) - ncols) : len(indicators)]:
            ax.xaxis.set_tick_params(labelbottom=True)  # above an empty slot: lowest of its column
        drawn = sorted(pd.concat(used)["region"].dropna().unique()) if used else []
        where = ", ".join(_region_label(region_names, r, lang) for r in drawn)
        title = " — ".join(t for t in (where, area_title) if t) or where
        if title:
            fig.suptitle(title)
        years = pd.concat(used)["year"].dropna() if used else pd.Series([0])
        alt = _TEXT[lang]["alt"].format(
            kind=_TEXT[lang]["small_multiples"],
            what=title,
            start=int(years.min()),
            end=int(years.max()),
        )
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
    """One indicator across regions: a line per region, the highlighted one drawn thicker.

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
    colors = sns.color_palette(PALETTE, max(len(regions), 1))
    with _themed(lang):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        for color, region in zip(colors, regions, strict=False):
            series = rows[rows["region"] == region].sort_values("year")
            emphasis = region == highlight
            label = _region_label(region_names, region, lang)
            ax.plot(series["year"], series["value"], marker="o", color=color,
                    lw=2.6 if emphasis else 1.4, zorder=3 if emphasis else 2,
                    label=label, gid=f"region-{region}")  # fmt: skip
        _finish_line_chart(fig, ax, cat, indicator, lang, rows)
    return fig


def reference_figure(
    reference: pd.DataFrame,
    lang: str = "en",
    indicator: str = "union_density",
    highlight: str = "chn",
    countries: Sequence[str] | None = None,
    *,
    catalog: Catalog,
) -> Figure:
    """Union density by country (reference series), China (or `highlight`) emphasised.

    Args:
        reference: reference rows (region = ISO3 lower case, year, indicator, value, dataset,
            region_name, provenance, source), e.g. reference.tidy_reference().
        lang: "en" or "zh".
        indicator: catalog id of the series drawn.
        highlight: region code drawn in colour; all others thin grey.
        countries: region codes to draw (default all).
        catalog: the indicator catalog of the data package.

    Returns:
        The figure.
    """
    lang, cat = resolve_lang(lang), catalog
    rows = reference[reference["indicator"] == indicator]
    if countries is not None:
        rows = rows[rows["region"].isin(list(countries)) | (rows["region"] == highlight)]
    if "dataset" in rows and rows["dataset"].nunique() > 1:
        # a country in both datasets: keep the one with more years so each country is one line
        counts = rows.groupby(["region", "dataset"]).size().reset_index(name="n")
        best = counts.sort_values(["n", "dataset"], ascending=[False, True]).drop_duplicates(
            "region"
        )
        rows = rows.merge(best[["region", "dataset"]], on=["region", "dataset"])
    if rows.empty:
        raise ParameterError("indicator", indicator, "no reference rows for this indicator")
    colors = sns.color_palette(PALETTE)
    names = _ref_names(rows)
    with _themed(lang):
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        for region, series in rows.groupby("region", sort=True):
            if region == highlight:
                continue
            series = series.sort_values("year")
            ax.plot(series["year"], series["value"], color="0.7", lw=0.8, alpha=0.7, zorder=1)
        target = rows[rows["region"] == highlight].sort_values("year")
        if len(target):
            label = _highlight_name(highlight, names, lang)
            ax.plot(target["year"], target["value"], color=colors[3], lw=2.6, marker="o", ms=4,
                    zorder=3, label=label, gid=f"highlight-{highlight}")  # fmt: skip
        ax.plot([], [], color="0.7", lw=0.8, label=f"{_TEXT[lang]['country']} (n = "
                f"{rows['region'].nunique()})")  # fmt: skip
        _finish_line_chart(fig, ax, cat, indicator, lang, rows)
    return fig


def _ref_names(rows: pd.DataFrame) -> dict[str, str]:
    if "region_name" not in rows:
        return {}
    return dict(zip(rows["region"], rows["region_name"].astype(str), strict=False))


def _highlight_name(code: str, names: dict[str, str], lang: str) -> str:
    if code == "chn":
        return "中国" if lang == "zh" else "China"
    return _drawable(names.get(code, code.upper()))
