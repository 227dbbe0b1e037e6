"""The explorer: pick a data package, region, comparison regions, area, indicator, years and
language; see the trend, its key statistics, its findings and where the numbers come from.

It uses the batch notebooks' own session methods (``Session.trend_figure``, ``area_summary``
statistics, ``findings_table``), so what a reader explores is what the annual report states.
A selection is rendered once and kept (``render`` is cached), so going back and forth between
choices redraws at once. ``explore`` is an entry point: it names the default data folder.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from babel import Locale

from uniontrends import config
from uniontrends.data.model import LANGS
from uniontrends.data.package import DataPackage, open_package
from uniontrends.errors import UniontrendsError
from uniontrends.messages import message, message_table
from uniontrends.notebook.params import check_parameters
from uniontrends.notebook.registry import Registry
from uniontrends.notebook.session import Session
from uniontrends.safe import escape_html
from uniontrends.stats.series import window_series

NOTEBOOK = "explore"
# The statistics shown beside the chart, in this order (rows of a TrendSummary's table).
KEY_STATISTICS = (
    "level_start",
    "level_end",
    "abs_change",
    "cagr",
    "mean_yearly_change",
    "ols_slope_with_denominator_walk",
    "ols_slope",
    "mann_kendall_s",
    "glm_rate_ratio",
    "share_end",
)


@dataclass(frozen=True)
class Selection:
    """What the reader picked; a window is the years start..end of the region's data."""

    package: Path
    region: str
    area: str
    indicator: str
    start: int
    end: int
    lang: str = "en"
    compare: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    """What a selection shows: the chart (PNG), its alt text, and three HTML panels (escaped)."""

    png: bytes
    alt: str
    statistics_html: str
    findings_html: str
    provenance_html: str
    compare_png: bytes | None = None


@functools.lru_cache(maxsize=8)
def _package(root: Path) -> DataPackage:
    return open_package(root)


class _NoFiles:
    """Outputs of an explorer session: nothing is written to disk."""

    def table(self, df: pd.DataFrame, name: str) -> None:  # pragma: no cover - unused
        raise UniontrendsError("the explorer writes no tables")

    def workbook(self) -> None:
        return None


def session_for(selection: Selection) -> Session:
    """The session a notebook would have for this selection (nothing is written to disk)."""
    package = _package(selection.package)
    params = check_parameters(
        package, selection.region, selection.end, selection.end - selection.start + 1,
        selection.lang,
    )  # fmt: skip
    run_dir = Path(tempfile.gettempdir()) / "uniontrends-explore"
    return Session(
        notebook=NOTEBOOK,
        params=params,
        package=package,
        run_dir=run_dir,
        editions_dir=run_dir,
        registry=Registry(run_dir, ()),  # the explorer gathers no other notebook's findings
        outputs=_NoFiles(),
        lang=selection.lang,
    )


def _png(fig: Any) -> tuple[bytes, str]:
    from uniontrends.present.export import figure_png

    meta = getattr(fig, "uniontrends_metadata", {}) or {}
    return figure_png(fig), str(meta.get("Description", ""))


@functools.lru_cache(maxsize=256)
def render(selection: Selection) -> View:
    """Chart, key statistics, findings and provenance of one selection (cached per selection).

    Raises:
        ParameterError: the region or years do not fit the package's data.
        UniontrendsError: the indicator's series cannot support the statistics (gaps, zeros).
    """
    from uniontrends.present.plots import use_theme
    from uniontrends.present.tables import display_table

    use_theme(selection.lang)
    s = session_for(selection)
    words = message_table("explorer", selection.lang)
    png, alt = _png(s.trend_figure(selection.indicator))
    # the whole area, as its notebook grades it: a finding's grade depends on its family
    area = s.area_summary(selection.area)
    if selection.indicator not in area.summaries:
        reason = area.skipped.get(selection.indicator, "not in the area")
        raise UniontrendsError(f"{selection.indicator}: {reason}")
    summary = area.summaries[selection.indicator]
    table = summary.table.set_index("statistic")
    key = table.loc[[k for k in KEY_STATISTICS if k in table.index]].reset_index()
    key = key[["statistic", "value", "ci_low", "ci_high", "p_value", "p_adjusted", "unit"]]
    statistics = display_table(s.localize(key), s.lang).to_html()
    findings = display_table(s.localize(s.findings_table(summary.findings)), s.lang).to_html()
    compare_png = None
    if selection.compare:
        regions = (selection.region, *selection.compare)
        compare_png, _ = _png(s.regions_figure(selection.indicator, regions=regions))
    return View(
        png=png,
        alt=alt,
        statistics_html=f"<h4>{escape_html(words['statistics'])}</h4>{statistics}",
        findings_html=f"<h4>{escape_html(words['findings'])}</h4>{findings}",
        provenance_html=_provenance_html(s, selection.indicator, words),
        compare_png=compare_png,
    )


def _provenance_html(s: Session, indicator: str, words: dict[str, str]) -> str:
    rows = window_series(s.panel, indicator, s.region, s.year, s.window)
    kinds = sorted(set(rows["provenance"].astype(str)))
    shown = s.localize(pd.DataFrame({"provenance": kinds})).iloc[:, 0].tolist()
    sources = list(dict.fromkeys(rows["source"].astype(str)))
    items = "".join(f"<li>{escape_html(source)}</li>" for source in sources)
    note = ""
    if "synthetic" in kinds:
        note = f"<p><strong>{escape_html(message('explorer.synthetic', s.lang))}</strong></p>"
    return (
        f"<h4>{escape_html(words['provenance'])}</h4>{note}"
        f"<p>{escape_html(words['kinds'])}: {escape_html(', '.join(shown))}</p>"
        f"<p>{escape_html(words['sources'])}:</p><ul>{items}</ul>"
    )


def known_packages(folders: list[Path]) -> dict[str, Path]:
    """{label: folder} of the folders that are data packages (they hold indicators.yaml)."""
    out: dict[str, Path] = {}
    for folder in folders:
        if (folder / "indicators.yaml").is_file():
            package = _package(folder.resolve())
            out[package.info.title_en or package.info.id] = package.root
    return out


class Explorer:
    """The controls and panels; ``widget`` is what a notebook or a Voilà page displays."""

    def __init__(self, packages: dict[str, Path], lang: str = "en"):
        import ipywidgets as w

        if not packages:
            raise UniontrendsError("no data package to explore")
        self.packages = packages
        self._busy = False
        self.package = w.Dropdown(options=list(packages.items()))
        self.region = w.Dropdown()
        self.compare = w.SelectMultiple(rows=3)
        self.area = w.Dropdown()
        self.indicator = w.Dropdown()
        self.years = w.IntRangeSlider(continuous_update=False)
        # each language named in itself (CLDR): English, 中文
        names = [(Locale.parse(code).display_name, code) for code in LANGS]
        self.lang = w.ToggleButtons(options=names, value=lang)
        self.chart = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.compare_chart = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.statistics = w.HTML()
        self.findings = w.HTML()
        self.provenance = w.HTML()
        self.message = w.HTML()
        controls = [self.package, self.region, self.compare, self.area, self.indicator,
                    self.years, self.lang]  # fmt: skip
        self.widget = w.VBox(
            [
                w.HBox([w.VBox(controls[:4]), w.VBox(controls[4:])]),
                self.message,
                self.chart,
                self.compare_chart,
                w.HBox([self.statistics, self.provenance]),
                self.findings,
            ]
        )
        self._relabel()
        self._fill_regions()
        for control, handler in (
            (self.package, self._fill_regions),
            (self.region, self._fill_areas),
            (self.area, self._fill_indicators),
            (self.indicator, self._fill_years),
            (self.years, self.update),
            (self.compare, self.update),
            (self.lang, self._on_lang),
        ):
            control.observe(handler, names="value")

    # ---- choices ---------------------------------------------------------------------------

    @property
    def data(self) -> DataPackage:
        return _package(self.package.value)

    def _quiet(self, fn: Any) -> None:
        """Change several controls at once without a redraw for each."""
        busy, self._busy = self._busy, True
        try:
            fn()
        finally:
            self._busy = busy

    def _fill_regions(self, *_: Any) -> None:
        data, lang = self.data, self.lang.value

        def fill() -> None:
            ids = [r for r in data.region_ids() if data.region_years(r)]
            self.region.options = [(data.region_name(r, lang), r) for r in ids]
            self.region.value = ids[0]

        self._quiet(fill)
        self._fill_areas()

    def _fill_areas(self, *_: Any) -> None:
        data, lang, region = self.data, self.lang.value, self.region.value
        have = set(data.panel.loc[data.panel["region"] == region, "indicator"])
        areas = [a for a in data.catalog.areas if {i.id for i in data.catalog.in_area(a)} & have]

        def fill() -> None:
            others = [r for r in data.region_ids() if r != region and data.region_years(r)]
            self.compare.options = [(data.region_name(r, lang), r) for r in others]
            self.compare.value = tuple(r for r in self.compare.value if r in others)
            previous = self.area.value
            self.area.options = [(data.catalog.area_name(a, lang), a) for a in areas]
            if areas:
                self.area.value = previous if previous in areas else areas[0]

        self._quiet(fill)
        self._fill_indicators()

    def _fill_indicators(self, *_: Any) -> None:
        data, lang, region = self.data, self.lang.value, self.region.value
        have = set(data.panel.loc[data.panel["region"] == region, "indicator"])
        ids = [i.id for i in data.catalog.in_area(self.area.value or "") if i.id in have]

        def fill() -> None:
            previous = self.indicator.value
            self.indicator.options = [(data.catalog[i].name(lang), i) for i in ids]
            if ids:
                self.indicator.value = previous if previous in ids else ids[0]

        self._quiet(fill)
        self._fill_years()

    def _fill_years(self, *_: Any) -> None:
        data, region, indicator = self.data, self.region.value, self.indicator.value
        rows = data.panel[(data.panel["region"] == region) & (data.panel["indicator"] == indicator)]
        years = sorted(int(y) for y in rows["year"])

        def fill() -> None:
            if not years:
                return
            first, last = years[0], years[-1]
            keep = self.years.value
            self.years.min, self.years.max = min(first, self.years.min), max(last, self.years.max)
            self.years.min, self.years.max = first, last
            fits = first <= keep[0] and keep[1] <= last and keep[1] - keep[0] >= 2
            self.years.value = keep if fits else (max(first, last - 4), last)

        self._quiet(fill)
        self.update()

    def _on_lang(self, *_: Any) -> None:
        self._relabel()
        keep = (self.region.value, self.area.value, self.indicator.value, self.years.value)
        compare = self.compare.value
        data, lang = self.data, self.lang.value

        def relabel() -> None:
            self.region.options = [(data.region_name(r, lang), r) for _, r in self.region.options]
            self.compare.options = [(data.region_name(r, lang), r) for _, r in self.compare.options]
            self.area.options = [(data.catalog.area_name(a, lang), a) for _, a in self.area.options]
            self.indicator.options = [
                (data.catalog[i].name(lang), i) for _, i in self.indicator.options
            ]
            self.region.value, self.area.value, self.indicator.value, self.years.value = keep
            self.compare.value = compare

        self._quiet(relabel)
        self.update()

    def _relabel(self) -> None:
        words = message_table("explorer", self.lang.value)
        for name in ("package", "region", "compare", "area", "indicator", "years", "lang"):
            getattr(self, name).description = words[name]

    # ---- drawing ---------------------------------------------------------------------------

    @property
    def selection(self) -> Selection | None:
        """The current choice, None while an area has no indicator for the region."""
        if not self.indicator.value:
            return None
        start, end = self.years.value
        return Selection(
            package=self.package.value,
            region=self.region.value,
            area=self.area.value,
            indicator=self.indicator.value,
            start=int(start),
            end=int(end),
            lang=self.lang.value,
            compare=tuple(self.compare.value),
        )

    def update(self, *_: Any) -> None:
        """Draw the current selection (nothing while controls are being refilled)."""
        if self._busy:
            return
        selection = self.selection
        if selection is None:
            self.message.value = f"<p>{escape_html(message('explorer.none', self.lang.value))}</p>"
            return
        if selection.end - selection.start + 1 < 3:
            selection = replace(selection, start=selection.end - 2)
        try:
            view = render(selection)
        except UniontrendsError as error:
            # the reader sees why, in words; the controls stay usable
            self.message.value = f"<p><strong>{escape_html(error)}</strong></p>"
            return
        self.message.value = ""
        self.chart.value = view.png
        self.chart.layout.display = None
        self.compare_chart.value = view.compare_png or b""
        self.compare_chart.layout.display = None if view.compare_png else "none"
        self.statistics.value = view.statistics_html
        self.findings.value = view.findings_html
        self.provenance.value = view.provenance_html


def explore(data_dir: str | Path | None = "", lang: str = "en") -> Any:
    """The explorer's widget, for a notebook cell or a Voilà page.

    Args:
        data_dir: a data package to offer first; "" offers the bundled packages only.
        lang: "en" or "zh" to start with.
    """
    folders = [config.DATA_DIR, *sorted((config.PROJ_ROOT / "examples").glob("*/"))]
    if data_dir:
        folders.insert(0, Path(data_dir))
    return Explorer(known_packages(folders), lang).widget


def voila_command(notebook: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The command (and extra environment) that serves the explorer notebook with Voilà.

    The page uses the "uniontrends" template (Voilà's lab template without its CDN links, so
    it works offline) and leaves out JupyterLab's jupytext extension, which only loads inside
    JupyterLab. It listens on 127.0.0.1 only.

    Args:
        notebook: the explorer notebook (notebooks/explore.ipynb).
        port: the TCP port.
    """
    import shutil
    import sys

    templates = Path(__file__).resolve().parents[1] / "present" / "jupyter"
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    command = [
        voila, str(notebook), f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1",
        "--template=uniontrends", "--VoilaConfiguration.extension_denylist=jupyterlab-jupytext",
    ]  # fmt: skip
    return command, {"JUPYTER_PATH": str(templates)}
