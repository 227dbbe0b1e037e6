"""Figures: CJK rendering, catalog labels, provenance notes, lower bounds."""

from __future__ import annotations

import functools
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from uniontrends import config
from uniontrends.data.catalog import load_catalog
from uniontrends.data.regions import load_regions
from uniontrends.errors import ParameterError
from uniontrends.present import plots
from uniontrends.stats.forecast import project
from uniontrends.stats.trend_tests import ols_trend

YEARS = [2018, 2019, 2020, 2021, 2022]
VALUES = [173.0, 237.0, 236.0, 249.0, 346.0]
CATALOG = load_catalog(config.DATA_DIR)
REGIONS = load_regions(config.DATA_DIR)


def _series(provenance: str = "synthetic", indicator: str = "disputes_mediated") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": "putuo",
            "year": YEARS,
            "indicator": indicator,
            "value": VALUES,
            "qualifier": "exact",
            "unit": "cases",
            "source": "synthetic, anchored" if provenance == "synthetic" else "statistical return",
            "provenance": provenance,
        }
    )


def _reported(qualifier: str = "at_least", value: float = 1200.0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "region": "putuo",
                "indicator": "disputes_mediated",
                "period_start": 2018,
                "period_end": 2022,
                "value": value,
                "qualifier": qualifier,
                "unit": "cases",
                "source": "Putuo five-year review article",
                "provenance": "reported",
            }
        ]
    )


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    return out


def _render(fig) -> list[str]:
    """Render to PNG, returning every warning message raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=60)
    assert buf.getvalue()[:4] == b"\x89PNG"
    return [str(w.message) for w in caught]


def test_zh_figure_renders_without_missing_glyphs():
    assert plots.resolve_lang("zh") == "zh"
    fig = plots.trend_figure(_series(), "disputes_mediated", "zh", trend="ols",
                             reported=_reported(), catalog=CATALOG,
                             region_names=REGIONS)  # fmt: skip
    texts = _texts(fig)
    assert "劳动争议调处（件）" in texts
    assert fig.axes[0].get_title() == "普陀区：劳动争议调处"
    assert "年份" in texts
    messages = _render(fig)
    assert not [m for m in messages if "missing from font" in m], messages


def test_en_labels_from_catalog_and_units():
    fig = plots.trend_figure(
        _series(), "disputes_mediated", "en", catalog=CATALOG, region_names=REGIONS
    )
    assert fig.axes[0].get_ylabel() == "Labour disputes mediated (cases)"
    assert fig.axes[0].get_title() == "Putuo District: Labour disputes mediated"
    assert (
        plots.indicator_label("assistance_beneficiaries", "zh", catalog=CATALOG)
        == "帮扶惠及职工（人次）"
    )
    assert (
        plots.indicator_label("assistance_funds", "en", catalog=CATALOG)
        == "Assistance funds raised (yuan)"
    )


def test_synthetic_note_on_figure_and_in_metadata():
    fig = plots.trend_figure(
        _series("synthetic"), "disputes_mediated", "en", catalog=CATALOG, region_names=REGIONS
    )
    assert plots.SYNTHETIC_NOTE["en"] in plots.figure_notes(fig)
    assert plots.SYNTHETIC_NOTE["en"] in fig.uniontrends_metadata["Description"]
    zh = plots.trend_figure(
        _series("synthetic"), "disputes_mediated", "zh", catalog=CATALOG, region_names=REGIONS
    )
    assert plots.SYNTHETIC_NOTE["zh"] in plots.figure_notes(zh)


def test_real_data_gets_source_line_and_no_synthetic_note():
    fig = plots.trend_figure(
        _series("official_annual"), "disputes_mediated", "en", catalog=CATALOG, region_names=REGIONS
    )
    notes = plots.figure_notes(fig)
    assert notes == ["Source: statistical return"]
    assert all(plots.SYNTHETIC_NOTE["en"] not in t for t in _texts(fig))


_NAMES = {"chn": "China", "deu": "Germany", "fra": "France"}


def _reference(others: int = 0) -> pd.DataFrame:
    rows = []
    countries = [("chn", 0.30), ("deu", 0.20), ("fra", 0.10)]
    countries += [(f"x{i:02d}", 0.05 + 0.02 * i) for i in range(others)]
    for code, base in countries:
        for i, year in enumerate(range(2010, 2016)):
            rows.append(
                {
                    "region": code,
                    "year": year,
                    "indicator": "union_density",
                    "value": base + 0.01 * i,
                    "qualifier": "exact",
                    "unit": "share",
                    "source": f"ILOSTAT ILR_TUMT_NOC_RT_A, source {code.upper()}:1",
                    "provenance": "reference",
                    "dataset": "ilostat",
                    "region_name": _NAMES.get(code, code.upper()),
                }
            )
    return pd.DataFrame(rows)


def test_reference_figure_labels_own_country_and_peers_over_a_context_band():
    for lang, name, peer in (("en", "China", "Germany"), ("zh", "中国", "德国")):
        fig = plots.reference_figure(_reference(others=24), lang, highlight="chn",
                                     peers=("deu",), catalog=CATALOG)  # fmt: skip
        ax = fig.axes[0]
        china = [line for line in ax.get_lines() if line.get_gid() == "highlight-chn"]
        peers = [line for line in ax.get_lines() if line.get_gid() == "peer-deu"]
        assert len(china) == 1 and china[0].get_label() == name
        assert len(peers) == 1 and peers[0].get_linewidth() < china[0].get_linewidth()
        # no line for the 25 other countries: they are the band of the middle half
        assert len(ax.get_lines()) == 2
        band = [c for c in ax.collections if c.get_gid() == "context-band"]
        assert len(band) == 1
        labels = [t.get_text() for t in ax.texts if t.get_gid() == plots.END_LABEL_GID]
        assert sorted(labels) == sorted([f"{name} 35%", f"{peer} 25%"])
        assert all(plots.SYNTHETIC_NOTE[lang] not in t for t in _texts(fig))
        # one dataset with a source per country is named once, with the count
        assert "ILOSTAT ILR_TUMT_NOC_RT_A" in plots.figure_notes(fig)[0]
        assert "27" in plots.figure_notes(fig)[0]
    assert not [m for m in _render(fig) if "missing from font" in m]


def test_reference_figure_without_a_country_draws_no_highlight():
    fig = plots.reference_figure(_reference(others=24), "en", catalog=CATALOG)
    assert not fig.axes[0].get_lines()
    assert [c.get_gid() for c in fig.axes[0].collections] == ["context-band"]


@pytest.mark.parametrize("lang,word", [("en", "more than 1,200 cases"), ("zh", "超过1,200件")])
def test_lower_bound_drawn_as_at_least(lang, word):
    fig = plots.trend_figure(
        _series(),
        "disputes_mediated",
        lang,
        reported=_reported(),
        catalog=CATALOG,
        region_names=REGIONS,
    )
    ax = fig.axes[0]
    bound = [line for line in ax.get_lines() if line.get_gid() == plots.LOWER_BOUND_GID]
    assert len(bound) == 1
    assert bound[0].get_marker() == "^"
    # five-year total 1,200 drawn as its implied annual mean, 240, over 2018-2022
    assert list(bound[0].get_xdata()) == [2018, 2022]
    assert list(bound[0].get_ydata()) == [240.0, 240.0]
    assert word in bound[0].get_label()
    arrows = [c for c in ax.get_children() if c.get_gid() == plots.LOWER_BOUND_GID]
    assert len(arrows) >= 3  # the line plus an upward arrow at each end


def test_exact_reported_figure_is_not_a_lower_bound():
    fig = plots.trend_figure(_series(), "disputes_mediated", "en",
                             reported=_reported("exact", 1250), catalog=CATALOG,
                             region_names=REGIONS)  # fmt: skip
    lines = fig.axes[0].get_lines()
    assert not [line for line in lines if line.get_gid() == plots.LOWER_BOUND_GID]
    exact = [line for line in lines if line.get_gid() == "reported-exact"]
    label = exact[0].get_label()
    assert exact[0].get_marker() == "D" and "more than" not in label and "1,250 cases" in label


def test_ols_band_matches_hand_formula():
    x, y = np.array(YEARS, dtype=float), np.array(VALUES)
    band = plots._band_ols(x, y, 0.05)
    # independent: textbook CI of the mean response, t * s * sqrt(1/n + (x - xbar)^2 / Sxx)
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    fit = intercept + slope * x
    s = np.sqrt(np.sum((y - fit) ** 2) / (n - 2))
    half = stats.t.ppf(0.975, n - 2) * s * np.sqrt(1 / n + (x - x.mean()) ** 2 / np.sum(
        (x - x.mean()) ** 2))  # fmt: skip
    np.testing.assert_allclose(band["mean"], fit, rtol=1e-9)
    np.testing.assert_allclose(band["high"] - band["mean"], half, rtol=1e-9)
    np.testing.assert_allclose(band["mean"] - band["low"], half, rtol=1e-9)


def test_trend_line_and_projection_drawn():
    proj = project(YEARS, VALUES, horizon=3)
    fig = plots.trend_figure(_series(), "disputes_mediated", "en", trend=ols_trend(YEARS, VALUES),
                             projection=proj, catalog=CATALOG, region_names=REGIONS)  # fmt: skip
    lines = {line.get_gid(): line for line in fig.axes[0].get_lines()}
    slope, intercept = np.polyfit(YEARS, VALUES, 1)
    np.testing.assert_allclose(lines["trend-ols"].get_ydata(), intercept + slope * np.array(YEARS))
    # the projection starts at the last observed year, so it joins the data
    assert list(lines["projection"].get_xdata()) == [YEARS[-1], 2023, 2024, 2025]
    assert lines["projection"].get_ydata()[0] == VALUES[-1]
    assert "95 % prediction interval" in lines["projection"].get_label()
    ts = plots.trend_figure(
        _series(),
        "disputes_mediated",
        "en",
        trend="theil_sen",
        catalog=CATALOG,
        region_names=REGIONS,
    )
    ts_line = [ln for ln in ts.axes[0].get_lines() if ln.get_gid() == "trend-theil_sen"][0]
    ref = stats.theilslopes(VALUES, YEARS)
    np.testing.assert_allclose(ts_line.get_ydata(), ref.intercept + ref.slope * np.array(YEARS))


def test_figures_are_not_registered_with_pyplot():
    before = plt.get_fignums()
    plots.trend_figure(_series(), "disputes_mediated", "en", catalog=CATALOG, region_names=REGIONS)
    assert plt.get_fignums() == before


def test_missing_cjk_font_falls_back_to_english(monkeypatch):
    monkeypatch.setattr(plots, "_find_cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font"):
        assert plots.resolve_lang("zh") == "en"
    with pytest.warns(UserWarning):
        fig = plots.trend_figure(
            _series(), "disputes_mediated", "zh", catalog=CATALOG, region_names=REGIONS
        )
    assert fig.axes[0].get_ylabel() == "Labour disputes mediated (cases)"
    assert plots._drawable("Source: 普陀区 article") == "Source: […] article"


def test_bad_lang_and_missing_indicator():
    with pytest.raises(ParameterError):
        plots.resolve_lang("fr")
    with pytest.raises(ParameterError, match="no rows"):
        plots.trend_figure(
            _series(), "legal_aid_cases", "en", catalog=CATALOG, region_names=REGIONS
        )


def test_area_figure_one_panel_per_indicator():
    panel = pd.concat(
        [_series(indicator=i) for i in ("disputes_mediated", "legal_aid_cases", "union_members")]
    )
    fig = plots.area_figure(
        panel, "disputes", "zh", reported=_reported(), catalog=CATALOG, region_names=REGIONS
    )
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["劳动争议调处", "法律援助案件"]
    assert plots.SYNTHETIC_NOTE["zh"] in plots.figure_notes(fig)
    assert "维权调处" in fig._suptitle.get_text()
    assert any(ln.get_gid() == plots.LOWER_BOUND_GID for ln in visible[0].get_lines())
    assert not [m for m in _render(fig) if "missing from font" in m]


def _visible_ticks(ax) -> np.ndarray:
    low, high = ax.get_ylim()
    ticks = ax.get_yticks()
    return ticks[(ticks >= low) & (ticks <= high)]


@pytest.mark.parametrize(
    ("lang", "expected", "absent"), [("zh", "万", "1,000,000"), ("en", "1,000,000", "万")]
)
def test_money_and_count_ticks_read_as_each_language_writes_them(lang, expected, absent):
    big = _series(indicator="assistance_funds").assign(
        value=[760_259.0, 820_000, 900_000, 1_010_000, 614_000], unit="yuan"
    )
    fig = plots.trend_figure(big, "assistance_funds", lang, catalog=CATALOG, region_names=REGIONS)
    fig.canvas.draw()
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert shown[0] == "0" and any(expected in t for t in shown), shown
    assert not any(absent in t or "nan" in t.lower() for t in shown), shown
    if lang == "zh":  # every tick in one unit, as Chinese writes money
        assert all(t.endswith("万") for t in shown[1:]), shown


def test_panel_value_axes_start_at_zero_with_few_round_ticks_and_whole_counts():
    flat_count = _series(indicator="union_organisations").assign(value=[5.0, 6, 6, 6, 6])
    wide_share = _series(indicator="union_density").assign(value=[0.311, 0.42, 0.55, 0.6, 0.71])
    fig = plots.area_figure(
        pd.concat([flat_count, wide_share]),
        "membership",
        "en",
        catalog=CATALOG,
        region_names=REGIONS,
    )
    shares, counts = (ax for ax in fig.axes if ax.get_visible())  # catalog order
    fig.canvas.draw()  # tick locations are settled at draw time
    ticks = _visible_ticks(counts)
    assert ticks[0] == 0 and all(float(t).is_integer() for t in ticks)  # never "5.2 organisations"
    assert 3 <= len(_visible_ticks(shares)) <= plots.Y_TICK_BINS + 1  # AutoLocator drew 9
    assert shares.get_ylim()[0] == 0 and shares.get_ylim()[1] <= 1.05  # never above ~100 %


def test_a_flat_share_is_drawn_flat_not_as_a_spike():
    # density wobbling between 59.6 % and 60.4 %: an axis from zero shows it as the flat line
    # it is (an automatic axis would fill the panel with it)
    density = _series(indicator="union_density").assign(value=[0.596, 0.604, 0.598, 0.6, 0.601])
    fig = plots.trend_figure(density, "union_density", "en", catalog=CATALOG,
                             region_names=REGIONS)  # fmt: skip
    low, high = fig.axes[0].get_ylim()
    assert low == 0
    assert (0.604 - 0.596) / (high - low) < 0.02


def test_count_and_money_axes_start_at_zero_and_bands_stay_non_negative():
    funds = _series(indicator="assistance_funds").assign(value=[9e5, 6e5, 2e5, 1e5, 5e4])
    proj = project(YEARS, funds["value"].tolist(), horizon=5)
    fig = plots.trend_figure(funds, "assistance_funds", "en", trend="ols", projection=proj,
                             catalog=CATALOG, region_names=REGIONS)  # fmt: skip
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0
    for band in ax.collections:  # the OLS band and the prediction interval
        for path in band.get_paths():
            assert path.vertices[:, 1].min() >= 0  # no negative yuan drawn


@pytest.mark.parametrize("n", range(1, 16))
def test_small_multiples_rows_are_balanced_without_orphans(n):
    rows = plots.panel_rows(n)
    assert sum(rows) == n and max(rows) <= plots.MAX_PANEL_COLUMNS
    assert max(rows) - min(rows) <= 1
    if n > 1:
        assert min(rows) >= 2  # a panel alone on the last row is an orphan


def test_area_panels_share_years_and_label_them_on_each_panel():
    ids = ["union_members", "employees", "union_density", "union_organisations"]
    fig = plots.area_figure(
        pd.concat([_series(indicator=i) for i in ids]),
        ids,
        "en",
        catalog=CATALOG,
        region_names=REGIONS,
    )
    fig.canvas.draw()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4  # 2 + 2: no hidden slot, no orphan
    labelled = [any(t.get_visible() and t.get_text() for t in a.get_xticklabels()) for a in visible]
    assert all(labelled)
    assert len({ax.get_xlim() for ax in visible}) == 1
    ends = [t.get_text() for ax in visible for t in ax.texts if t.get_gid() == plots.END_LABEL_GID]
    assert len(ends) == 4 and ends[0] == "346"  # the last value, written at the line's end


def test_area_figure_of_chosen_indicators_names_its_area():
    panel = pd.concat([_series(indicator=i) for i in ("disputes_mediated", "legal_aid_cases")])
    fig = plots.area_figure(
        panel, ["legal_aid_cases"], "en", area="disputes", catalog=CATALOG, region_names=REGIONS
    )
    assert fig._suptitle.get_text() == "Putuo District — Dispute resolution"
    untitled = plots.area_figure(
        panel, ["legal_aid_cases"], "en", catalog=CATALOG, region_names=REGIONS
    )
    assert untitled._suptitle.get_text() == "Putuo District"


def test_regions_figure_highlight_and_names():
    panel = pd.concat(
        [_series().assign(region=r, value=lambda d, k=k: d["value"] * k)
         for r, k in (("putuo", 1), ("dinghai", 2))]
    )  # fmt: skip
    fig = plots.regions_figure(
        panel, "disputes_mediated", "en", highlight="putuo", catalog=CATALOG, region_names=REGIONS
    )
    lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines()}
    assert lines["region-putuo"].get_linewidth() > lines["region-dinghai"].get_linewidth()
    assert lines["region-putuo"].get_label() == "Putuo District"


def test_use_theme_sets_cjk_font():
    try:
        assert plots.use_theme("zh") == "zh"
        assert plt.rcParams["font.family"][0] == plots._find_cjk_font()
    finally:
        plots.use_theme("en")
    assert plt.rcParams["font.family"][0] == "DejaVu Sans"


# ---- as a reader sees them: no text on text, nothing cut off, alt text, safe colours ---------


def _text_boxes(fig) -> list[tuple[str, object]]:
    """Every text drawn on the saved image, with its box: titles, labels, tick labels within
    the axis limits, legends, end labels, notes."""
    from matplotlib.text import Text
    from uniontrends.present.export import _lay_out_once

    box = _lay_out_once(fig)  # the layout and box (inches) the PNG and SVG get
    fig.saved_box = box if box is not None else fig.bbox_inches
    fig.whole_figure_saved = box is None
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tick_texts, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_texts.update((id(tick.label1), id(tick.label2)))
                if ax.get_visible() and low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    shown += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    for text in fig.findobj(Text):
        if id(text) in tick_texts or not text.get_visible():
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        shown.append(text)
    return [(t.get_text(), t.get_window_extent(renderer)) for t in shown if t.get_text().strip()]


def _overlaps(boxes) -> list[tuple[str, str]]:
    found = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            shrunk_a = box_a.expanded(0.98, 0.9)  # glyph boxes touch at their padding
            if shrunk_a.overlaps(box_b.expanded(0.98, 0.9)):
                found.append((a, b))
    return found


@functools.cache
def _bundled_figures(lang: str) -> dict[str, object]:
    import uniontrends as ut

    package = ut.open_package(config.DATA_DIR)
    panel, reported = package.panel, package.reported
    putuo = panel[(panel["region"] == "putuo") & panel["year"].between(2018, 2022)]
    rep = reported[reported["region"] == "putuo"]
    years = YEARS
    disputes = putuo[putuo["indicator"] == "disputes_mediated"].sort_values("year")
    values = disputes["value"].tolist()
    ref = package.reference
    common = {"catalog": package.catalog}
    return {
        "trend": plots.trend_figure(
            disputes,
            "disputes_mediated",
            lang,
            trend="ols",
            projection=project(years, values),
            reported=rep,
            region_names=package.regions,
            **common,
        ),  # fmt: skip
        "area_welfare": plots.area_figure(
            putuo, "welfare", lang, reported=rep, region_names=package.regions, **common
        ),  # fmt: skip
        "regions": plots.regions_figure(
            panel[panel["year"].between(2018, 2022)],
            "union_density",
            lang,
            highlight="putuo",
            region_names=package.regions,
            **common,
        ),  # fmt: skip
        "reference": plots.reference_figure(
            ref[ref["dataset"] == "ilostat"],
            lang,
            highlight=package.info.country,
            peers=package.info.peers,
            **common,
        ),  # fmt: skip
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_text_overlaps_another_or_leaves_the_image(lang):
    # the bundled package's own figures: a trend with every layer, the largest small multiples
    # (13 panels, published bounds among them), three regions within a few points of each other
    # (union density) and the reference chart with its four labelled countries
    for name, fig in _bundled_figures(lang).items():
        boxes = _text_boxes(fig)
        assert len(boxes) > 10, name
        assert fig.whole_figure_saved, name  # titles fit: no tight box had to be measured
        assert not _overlaps(boxes), (name, _overlaps(boxes))
        saved = fig.saved_box.transformed(fig.dpi_scale_trans)  # inches -> pixels
        for text, box in boxes:  # nothing cut off at the saved image's edges
            assert box.x0 >= saved.x0 - 1 and box.x1 <= saved.x1 + 1, (name, text)
            assert box.y0 >= saved.y0 - 1 and box.y1 <= saved.y1 + 1, (name, text)
        assert saved.width / fig.dpi <= plots.FIG_WIDTH * 1.05, name  # fits the page's width


def test_overlap_check_sees_overlapping_labels():
    # the check itself: two labels at one point are caught
    fig = plots.trend_figure(_series(), "disputes_mediated", "en", catalog=CATALOG,
                             region_names=REGIONS)  # fmt: skip
    fig.axes[0].annotate("346 again", xy=(2022, 346), xytext=(plots.END_LABEL_OFFSET, 0),
                         textcoords="offset points", va="center")  # fmt: skip
    assert _overlaps(_text_boxes(fig))


def test_alt_text_says_what_the_chart_shows():
    fig = plots.trend_figure(_series(), "disputes_mediated", "en", trend="ols",
                             reported=_reported(), catalog=CATALOG,
                             region_names=REGIONS)  # fmt: skip
    alt = plots.describe(fig)
    assert alt.startswith("Line chart of Putuo District: Labour disputes mediated, 2018–2022.")
    assert "from 173 in 2018 to 346 in 2022" in alt
    assert "more than 1,200 cases" in alt and "OLS trend" in alt
    assert plots.SYNTHETIC_NOTE["en"] in alt
    panels = plots.area_figure(
        pd.concat([_series(indicator=i) for i in ("disputes_mediated", "legal_aid_cases")]),
        "disputes", "zh", catalog=CATALOG, region_names=REGIONS,
    )  # fmt: skip
    alt = plots.describe(panels)
    assert "分面图" in alt and "劳动争议调处从2018年的173到2022年的346" in alt


def test_every_colour_drawn_is_okabe_ito_or_grey():
    # Okabe–Ito is told apart with every common colour-vision deficiency; a colour added
    # outside it (a seaborn default, a red next to a green) fails here
    from matplotlib.colors import to_hex, to_rgb

    allowed = {to_hex(c) for c in plots.OKABE_ITO}
    for lang in ("en",):
        for name, fig in _bundled_figures(lang).items():
            colours = set()
            for ax in fig.axes:
                colours |= {to_hex(line.get_color()) for line in ax.get_lines()}
                colours |= {
                    to_hex(c.get_facecolor()[0]) for c in ax.collections if len(c.get_facecolor())
                }
            for colour in colours - allowed:
                r, g, b = to_rgb(colour)
                assert max(r, g, b) - min(r, g, b) < 0.02, (name, colour)  # a grey
