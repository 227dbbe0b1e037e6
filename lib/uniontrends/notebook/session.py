"""The one object a notebook uses: checked parameters, its data package, outputs and display.

``start`` is an entry point: it names the default data and outputs folders, opens the data
package and builds the Session; everything a notebook shows or writes goes through it. What
only one kind of notebook needs lives in a view (``s.audit``, ``s.reference``, ``s.report``,
see ``notebook.views``).
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from uniontrends import config
from uniontrends.data.catalog import Catalog
from uniontrends.data.digests import digest_of, hash_files
from uniontrends.data.model import UNITS
from uniontrends.data.package import DataPackage, open_package
from uniontrends.data.regions import Regions
from uniontrends.errors import ParameterError
from uniontrends.findings.record import Finding, rank_findings, write_findings
from uniontrends.findings.skipped import NotAnalysed, write_not_analysed
from uniontrends.findings.trend import AreaSummary, summarize_area
from uniontrends.messages import message, suggestion
from uniontrends.notebook.params import Parameters, check_parameters
from uniontrends.notebook.registry import REGISTRY_FILE, Registry, load_registry
from uniontrends.notes import note_text
from uniontrends.numbers import number_format, unit_name
from uniontrends.present import layout
from uniontrends.safe import escape_markdown
from uniontrends.stats.series import window_series

# Area statistics already computed in this process (a warm kernel keeps them across notebooks).
_AREA_SUMMARIES: dict[tuple[object, ...], AreaSummary] = {}
_AREA_SUMMARIES_KEPT = 8


def default_output_dir(package: str, region: str, year: int, lang: str) -> Path:
    """Where interactive runs write: ``outputs/_lab/<package>/<region>/<year>/<lang>``."""
    return layout.lab_dir(config.OUTPUTS_DIR, package, region, year, lang)


@dataclass
class Session:
    """Everything one notebook run needs; built by ``start``.

    Attributes:
        notebook: the notebook's name; its files go to ``<run_dir>/<notebook>/``.
        params: the checked parameters.
        package: the data package.
        run_dir: the edition's folder being written (a runner's hidden attempt folder, or the
            lab folder of an interactive run).
        editions_dir: the folder holding this region's published editions (one folder per
            year, one per language below it: ``present.layout``); None for a notebook run by
            hand into a folder of its own.
        interactive: run without an output folder (the lab): a report may then read the
            published findings of notebooks it did not run itself.
        registry: the notebook registry (which notebooks a report gathers).
        outputs: where figures and tables go (``present.export.NotebookOutputs``).
        lang: the language labels are drawn in ("zh" falls back to "en" without a CJK font).
    """

    notebook: str
    params: Parameters
    package: DataPackage
    run_dir: Path
    editions_dir: Path | None
    registry: Registry
    outputs: Any
    lang: str
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # files saved by table() and finish()
    # indicators of an area the package selects but the statistics could not use
    not_analysed_records: list[NotAnalysed] = field(default_factory=list)
    interactive: bool = False

    # ---- what is analysed --------------------------------------------------------------------

    @property
    def region(self) -> str:
        """The region id analysed."""
        return self.params.region

    @property
    def year(self) -> int:
        """The last year of the window."""
        return self.params.end

    @property
    def window(self) -> int:
        """Years in the window."""
        return self.params.window

    @property
    def catalog(self) -> Catalog:
        """The package's indicator catalog."""
        return self.package.catalog

    @property
    def regions(self) -> Regions:
        """The package's regions (ids and names)."""
        return self.package.regions

    @property
    def panel(self) -> pd.DataFrame:
        """Annual rows of every region, stored and derived."""
        return self.package.panel

    @property
    def reported(self) -> pd.DataFrame:
        """Published figures of every region."""
        return self.package.reported

    @property
    def notebook_dir(self) -> Path:
        """This notebook's own folder ``<run_dir>/<notebook>``."""
        return self.run_dir / self.notebook

    @property
    def region_panel(self) -> pd.DataFrame:
        """Annual rows (stored and derived) of the session's region within the window."""
        p = self.panel
        return p[(p["region"] == self.region) & p["year"].between(self.params.start, self.year)]

    @property
    def is_synthetic(self) -> bool:
        """Whether any annual value of the region is synthetic."""
        return bool((self.region_panel["provenance"] == "synthetic").any())

    # ---- views for one kind of notebook ------------------------------------------------------

    @functools.cached_property
    def audit(self) -> Any:
        """What the data-audit notebook shows (``views.AuditView``)."""
        from uniontrends.notebook.views import AuditView

        return AuditView(self)

    @functools.cached_property
    def reference(self) -> Any:
        """What the international-context notebook shows (``views.ReferenceView``)."""
        from uniontrends.notebook.views import ReferenceView

        return ReferenceView(self)

    @functools.cached_property
    def report(self) -> Any:
        """What the annual-report notebook shows (``views.ReportView``)."""
        from uniontrends.notebook.views import ReportView

        return ReportView(self)

    # ---- labels ------------------------------------------------------------------------------

    def name(self, indicator: str) -> str:
        """Indicator name in the session language (the id when not in the catalog)."""
        return self.catalog[indicator].name(self.lang) if indicator in self.catalog else indicator

    def region_label(self, region: str | None = None) -> str:
        """Display name of a region in the session language."""
        return self.regions.name(region or self.region, self.lang)

    def region_names(self, region: str | None = None) -> dict[str, str]:
        """Display names of a region in every language."""
        return self.regions.names(region or self.region)

    def area_names(self) -> dict[str, str]:
        """Every area of the catalog, id -> name in the session language, in catalog order."""
        return {area: self.catalog.area_name(area, self.lang) for area in self.catalog.areas}

    def localize(self, df: pd.DataFrame) -> pd.DataFrame:
        """Indicator names, coded words and headers in the session language (a copy;
        ``present.tables.localized``)."""
        from uniontrends.present.tables import localized

        return localized(df, self.lang, self.name)

    # ---- display -----------------------------------------------------------------------------

    def md(self, text: str) -> None:
        """Display Markdown the library wrote.

        Text from the data package inside it must already be escaped with
        ``safe.escape_markdown`` (as ``what_changed`` and ``intro`` do): Markdown is rendered
        with raw HTML and links allowed.
        """
        from IPython.display import Markdown, display

        display(Markdown(text))

    def intro(self, area: str | None = None) -> None:
        """Show what is analysed; say so when annual data are synthetic.

        Args:
            area: for an area notebook, the area: the intro names its indicators in the
                package, or says in one line that the package selects none (the notebook
                then shows nothing more).
        """
        from uniontrends.safe import escape_markdown

        p = self.params
        region = escape_markdown(self.region_label())  # a name from regions.yaml
        title = self.package.info.title_zh if self.lang == "zh" else self.package.info.title_en
        title = escape_markdown(title)  # from package.yaml
        text = message("session.intro", self.lang, region=region, start=p.start, end=p.end,
                       window=p.window)  # fmt: skip
        if title:
            text = message("session.intro_titled", self.lang, title=title, text=text)
        if self.is_synthetic:
            text += "\n\n" + message("session.synthetic_notice", self.lang)
            if self.has_reported():
                text += message("session.reported_notice", self.lang)
        if area is not None:
            text += "\n\n" + self._area_line(area)
        self.md(text)
        self._print_footer()

    def _print_footer(self) -> None:
        """The running footer of the printed pages: region, window, edition, synthetic note."""
        from IPython.display import HTML, display

        from uniontrends.present import page

        p = self.params
        text = page.footer_text(self.region_label(), p.start, p.end, self.lang, self.is_synthetic)
        display(HTML(page.running_footer_style(text)))

    def _area_line(self, area: str) -> str:
        from uniontrends.data.catalog import builtin_catalog
        from uniontrends.safe import escape_markdown

        # an area the package does not use is still named, by the built-in catalog
        catalog = self.catalog if area in self.catalog.areas else builtin_catalog()
        name = escape_markdown(catalog.area_name(area, self.lang))  # names from the catalog
        selected = self.catalog.in_area(area)
        if not selected:
            return message("session.area_none", self.lang, area=name)
        names = message("session.list_separator", self.lang).join(
            escape_markdown(i.name(self.lang)) for i in selected
        )
        return message("session.area_indicators", self.lang, names=names)

    def section(self, title: str, text: str = "") -> None:
        """A section heading (and its explanation) for a section that is shown only when the
        package has what it is about; library-written Markdown."""
        self.md(f"## {title}" + (f"\n\n{text}" if text else ""))

    def show(self, df: pd.DataFrame) -> None:
        """Display a table localised and HTML-escaped (thousands separators)."""
        self._display(df, self.localize(df))

    def table(self, df: pd.DataFrame | None, name: str, show: bool = True) -> None:
        """Save a table (CSV + a sheet in tables.xlsx) in the session language; display it.

        A statistics table is shown as its key numbers, then every statistic grouped by
        indicator in collapsed sections; another long table as its first rows, then all of it
        collapsed (HTML ``<details>``: no script). The files always hold the whole table.

        Returns nothing, so a notebook cell ending with it shows no (temporary) file path.
        None (a table the package has no data for) is neither saved nor shown.
        """
        if df is None:
            return
        local = self.localize(df)
        path = self.outputs.table(local, name)
        if show:
            self._display(df, local)
        self.written.append(Path(path))

    def _display(self, df: pd.DataFrame, local: pd.DataFrame) -> None:
        from IPython.display import HTML, display

        from uniontrends.present import tables

        if {"value", "unit", "qualifier"} <= set(df.columns):
            # figures as a reader says them ("more than 1,200 cases", "about 100%", "346万元");
            # the saved files keep value, unit and qualifier apart
            local = self.localize(self._figures_for_reading(df))
        if {"indicator", "statistic", "value", "unit"} <= set(df.columns):
            html = tables.statistics_html(
                df, self.lang, self.name, self.localize, (self.params.start, self.year)
            )
            display(HTML(html))
        elif len(local) > tables.LONG_TABLE_ROWS:
            whole = tables.display_table(local, self.lang)
            head = tables.display_table(local.head(tables.HEAD_ROWS), self.lang)
            display(HTML(tables.long_table_html(whole, head, len(local), self.lang)))
        else:
            display(tables.display_table(local, self.lang))

    def _figures_for_reading(self, df: pd.DataFrame) -> pd.DataFrame:
        """value, unit and qualifier as one column "figure", formatted in the language."""
        fmt = number_format(self.lang)
        # reported_in shows unit names; the formatter wants the unit's key (names are unique
        # per language: tests/test_session.py checks)
        keys = {unit_name(key, self.lang): key for key in UNITS}
        figure = [
            fmt.quantity(value, keys.get(str(unit), str(unit)), str(qualifier))
            for value, unit, qualifier in zip(df["value"], df["unit"], df["qualifier"], strict=True)
        ]
        shown = df.drop(columns=["unit", "qualifier"])
        shown["value"] = figure
        return shown.rename(columns={"value": "figure"})

    def figure(self, fig: Any, name: str | None, show: bool = True) -> None:
        """Save a figure (PNG + SVG) and display it with its description as alt text; None
        (nothing to draw) does nothing.

        The description (what the chart shows, and its synthetic-data and source notes) is
        the one stored in the PNG and SVG metadata; the HTML export writes it as ``<img alt>``.
        """
        if fig is None or name is None:
            return
        from uniontrends.present.plots import describe

        alt = describe(fig)
        png, _svg = self.outputs.figure(fig, name)
        if show:
            # The saved PNG, not the Figure: a Figure only renders when the kernel has a
            # matplotlib display hook, which plain papermill runs do not set up.
            from IPython.display import Image, display

            # 150 dpi shown at 75; the HTML export's stylesheet then fits it to the page width
            display(Image(filename=str(png), retina=True, alt=alt or name))
        import matplotlib.pyplot as plt

        plt.close(fig)

    # ---- data and statistics ----------------------------------------------------------------

    def _reported_of(self, area: str | None = None) -> pd.DataFrame:
        r = self.reported[
            (self.reported["region"] == self.region) & (self.reported["period_end"] <= self.year)
        ]
        if area is not None:
            r = r[r["indicator"].isin([i.id for i in self.catalog.in_area(area)])]
        return r

    def has_reported(self, area: str | None = None) -> bool:
        """Whether the package has published figures of the region (in ``area``)."""
        return not self._reported_of(area).empty

    def reported_note(self, area: str | None = None) -> str:
        """The published figures' sources, as Markdown (escaped: sources are data)."""
        from uniontrends.safe import escape_markdown

        sources = list(dict.fromkeys(self._reported_of(area)["source"].astype(str)))
        shown = "; ".join(escape_markdown(src) for src in sources[:5])
        return message("session.reported_note", self.lang, sources=shown)

    def reported_in(self, area: str | None = None) -> pd.DataFrame:
        """Published figures of the region (optionally of one area), as published.

        Returns:
            Columns indicator, period, value, unit, qualifier, phrase_zh, provenance.
        """
        r = self.reported[self.reported["region"] == self.region].copy()
        if area is not None:
            r = r[r["indicator"].isin([i.id for i in self.catalog.in_area(area)])]
        areas, ids = list(self.catalog.areas), list(self.catalog.indicators)
        r = r.sort_values(
            "indicator",
            key=lambda col: col.map(
                lambda i: (areas.index(self._area_of(i)), ids.index(i)) if i in ids else (99, 0)
            ),
            kind="stable",
        )  # catalog order: areas as the notebooks take them
        starts, ends = r["period_start"], r["period_end"]
        # a stock at the end of a year has a one-year "period"
        r["period"] = [f"{a}" if a == b else f"{a}–{b}" for a, b in zip(starts, ends, strict=True)]
        r["unit"] = r["unit"].map(lambda u: unit_name(str(u), self.lang))
        cols = ["indicator", "period", "value", "unit", "qualifier", "phrase_zh", "provenance"]
        return r[cols].reset_index(drop=True)

    def _area_of(self, indicator: str) -> str:
        return self.catalog[indicator].area if indicator in self.catalog else ""

    def area_summary(self, area: str) -> AreaSummary:
        """Trend statistics and findings of every indicator of ``area`` for the region.

        An area the package selects no indicator of gives an empty summary. The indicators
        left out, with the reason, are kept for ``not_analysed`` and ``not_analysed.json``.

        Computed once per process for the same data, area, region and window: the statistics
        do not depend on the language, so a warm kernel running the same notebook for the
        English and the Chinese edition (``--lang en,zh``) computes them once.
        """
        if not self.catalog.in_area(area):
            return AreaSummary(area, self.region, {}, {})
        key = (self._data_digest(), area, self.region, self.year, self.window, self.notebook)
        summary = _AREA_SUMMARIES.pop(key, None)
        if summary is None:
            summary = summarize_area(
                self.panel,
                area,
                self.region,
                self.year,
                self.window,
                catalog=self.catalog,
                region_names=self.region_names(),
                reported=self.reported,
                notebook=self.notebook,
                shock_years=self.package.info.shock_years,
            )
        _AREA_SUMMARIES[key] = summary  # the most recent last
        while len(_AREA_SUMMARIES) > _AREA_SUMMARIES_KEPT:
            _AREA_SUMMARIES.pop(next(iter(_AREA_SUMMARIES)))
        summary = copy.deepcopy(summary)  # a notebook may change what it is given
        for ident, reason in summary.skipped.items():
            ind = self.catalog[ident]
            self.not_analysed_records.append(
                NotAnalysed(
                    ident,
                    area,
                    ind.name_en,
                    ind.name_zh,
                    str(note_text(reason, self.lang)),
                    self.notebook,
                )  # fmt: skip
            )
        return summary

    def not_analysed(self, summary: AreaSummary) -> None:
        """List the area's indicators the statistics could not use, with the reason."""
        if not summary.skipped:
            return
        rows = [{"indicator": ident, "reason": note_text(reason, self.lang)}
                for ident, reason in summary.skipped.items()]  # fmt: skip
        self.md(message("session.not_analysed", self.lang))
        self.show(pd.DataFrame(rows, columns=["indicator", "reason"]))

    def _data_digest(self) -> str:
        root = self.package.root
        return digest_of(hash_files(sorted(p for p in root.rglob("*") if p.is_file()), root))

    def key_indicator(
        self, summary: AreaSummary, chosen: str = "", default: str = ""
    ) -> str | None:
        """The indicator an area notebook draws on its own and across regions.

        Args:
            summary: the area's summary.
            chosen: the notebook's ``indicator`` parameter; "" leaves the choice to ``default``.
            default: the registry's key indicator, used when analysed; else the area's first
                analysed indicator.

        Returns:
            The indicator id, None when no indicator of the area was analysed.

        Raises:
            ParameterError: ``chosen`` is not an indicator of the area, or was not analysed
                (the message suggests the nearest id and gives the reason, in the session's
                language).
        """
        if chosen:
            ids = [i.id for i in self.catalog.in_area(summary.area)]
            area = self.catalog.area_name(summary.area, self.lang)
            if chosen not in ids:
                rule = message(
                    "param.unknown_indicator", self.lang, area=area, known=", ".join(ids)
                )
                raise ParameterError(
                    "indicator", chosen, rule + suggestion(chosen, ids, self.lang), self.lang
                )
            if chosen not in summary.summaries:
                reason = note_text(summary.skipped.get(chosen, ""), self.lang)
                rule = message("param.not_analysed", self.lang, reason=reason)
                raise ParameterError("indicator", chosen, rule, self.lang)
            return chosen
        if default in summary.summaries:
            return default
        return next(iter(summary.summaries), None)

    def statistics(self, summary: AreaSummary) -> pd.DataFrame:
        """The area's statistics table with a provenance column (synthetic rows say so), its
        methods and technical notes worded in the session's language (computed once for both)."""
        table = summary.table.copy()
        for column in ("method", "note"):
            table[column] = table[column].map(lambda note: note_text(note, self.lang))
        prov = self.region_panel.groupby("indicator")["provenance"].agg(
            lambda s: ", ".join(sorted(set(s.astype(str))))
        )
        table["provenance"] = table["indicator"].map(prov).fillna("")
        cols = ["indicator", "statistic", "value", "ci_low", "ci_high", "p_value", "p_adjusted"]
        return table[cols + ["unit", "method", "evidence", "note", "provenance"]]

    def series(self, indicators: list[str]) -> pd.DataFrame:
        """Annual values of ``indicators`` for the region in the window (tidy rows)."""
        p = self.region_panel
        return p[p["indicator"].isin(indicators)].sort_values(["indicator", "year"])

    def area_figure(self, area: str, indicators: list[str] | None = None) -> Any:
        """Small multiples of an area's indicators for the region (labelled when synthetic);
        None when none of them has data."""
        from uniontrends.present import plots

        ids = indicators or [i.id for i in self.catalog.in_area(area)]
        have = set(self.region_panel.loc[self.region_panel["value"].notna(), "indicator"])
        drawn = [i for i in ids if i in have]
        if not drawn:
            return None
        rep = self.reported
        # published figures of the window, drawn as published (lower bounds as ▲↑)
        rep = rep[
            (rep["region"] == self.region) & rep["period_end"].between(self.params.start, self.year)
        ]
        return plots.area_figure(
            self.region_panel,
            drawn,
            self.lang,
            region=self.region,
            reported=rep,
            area=area,
            catalog=self.catalog,
            region_names=self.regions,
        )

    def trend_figure(self, indicator: str) -> Any:
        """One indicator's annual values, OLS trend band, projection and published figure.

        The projection is the one the indicator's finding reports (none through bounds).
        """
        from uniontrends.findings.trend import series_projection
        from uniontrends.present import plots
        from uniontrends.stats.trend_tests import ols_trend

        s = window_series(self.panel, indicator, self.region, self.year, self.window)
        years = [int(y) for y in s.index]
        values = s["value"].to_numpy(dtype=float)
        entry = self.catalog[indicator]
        projection, _ = series_projection(
            years, values, [str(q) for q in s["qualifier"]], kind=entry.kind, unit=entry.unit,
            aggregation=entry.aggregation,
        )  # fmt: skip
        rep = self.reported[
            (self.reported["region"] == self.region) & (self.reported["indicator"] == indicator)
        ]
        return plots.trend_figure(
            s.reset_index(),
            indicator,
            self.lang,
            trend=ols_trend(years, values),
            projection=projection,
            reported=rep if not rep.empty else None,
            catalog=self.catalog,
            region_names=self.regions,
        )

    def compared_regions(self, indicator: str) -> list[str]:
        """The regions "across regions" compares for ``indicator``: package.yaml's
        ``compare_with`` (with the session's region) or every region, those with data."""
        chosen = list(self.package.info.compare_with) or self.package.region_ids()
        if self.region not in chosen:
            chosen.insert(0, self.region)
        p = self.panel
        have = set(p.loc[(p["indicator"] == indicator) & p["value"].notna(), "region"])
        return [r for r in chosen if r in have]

    def regions_note(self, indicator: str) -> str:
        """What the comparison across regions shows, as Markdown (names escaped)."""
        from uniontrends.safe import escape_markdown

        regions = self.compared_regions(indicator)
        names = message("separator.list", self.lang).join(
            escape_markdown(self.region_label(r)) for r in regions
        )
        p = self.panel
        rows = p[(p["indicator"] == indicator) & p["region"].isin(regions)]
        synthetic = sorted(set(rows.loc[rows["provenance"] == "synthetic", "region"]))
        text = message("session.regions_note", self.lang, names=names)
        return text + (message("session.regions_synthetic", self.lang) if synthetic else "")

    def compare(self, indicator: str) -> pd.DataFrame:
        """The indicator across the compared regions (``compared_regions``), ranked by trend
        growth with the range of ranks its interval allows (``stats.compare``)."""
        from uniontrends.stats.compare import compare_regions

        p = self.panel
        regions = self.compared_regions(indicator)
        table = compare_regions(p[p["region"].isin(regions)], indicator, self.year, self.window)
        window = p[(p["indicator"] == indicator) & p["year"].between(self.params.start, self.year)]
        provenance = window.groupby("region")["provenance"].agg(
            lambda s: ", ".join(sorted(set(s.astype(str))))
        )
        table["provenance"] = table["region"].map(provenance).fillna("")
        cols = ["rank", "rank_low", "rank_high", "region", "level_start", "level_end", "cagr",
                "growth", "growth_ci_low", "growth_ci_high", "provenance"]  # fmt: skip
        return table[cols]

    def regions_figure(self, indicator: str, regions: tuple[str, ...] | None = None) -> Any:
        """The indicator across regions in the window, this region emphasised: the regions
        given, else those "across regions" compares (``compared_regions``)."""
        from uniontrends.present import plots

        p = self.panel
        drawn = list(regions) if regions is not None else self.compared_regions(indicator)
        sel = p[(p["indicator"] == indicator) & p["year"].between(self.params.start, self.year)]
        return plots.regions_figure(
            sel, indicator, self.lang, regions=drawn, highlight=self.region,
            catalog=self.catalog, region_names=self.regions,
        )  # fmt: skip

    # ---- findings ----------------------------------------------------------------------------

    def findings_table(self, findings: list[Finding], top: int | None = None) -> pd.DataFrame:
        """Findings ranked by evidence, as a table in the session language."""
        ranked = rank_findings(findings)[:top] if top else rank_findings(findings)
        rows = [
            {
                "evidence": f.evidence,
                "statement": f.statement(self.lang),
                "interval": _interval(f, self.lang),
                "p_value": f.p_value,
                "p_adjusted": f.p_adjusted,
                "provenance": "synthetic" if f.synthetic else ", ".join(sorted(set(f.provenance))),
            }
            for f in ranked
        ]
        return pd.DataFrame(
            rows,
            columns=["evidence", "statement", "interval", "p_value", "p_adjusted", "provenance"],
        )

    def finish(self, findings: list[Finding], top: int = 15, show: bool = True) -> None:
        """Write findings.json/.md and tables.xlsx; display the top findings unless not `show`.

        The paths written are appended to ``self.written`` (nothing is returned, so the last
        cell of a notebook shows no temporary path).

        Args:
            findings: the notebook's findings (tagged with this notebook's name).
            top: how many ranked findings to display.
            show: False when the notebook has already shown them.
        """
        for f in findings:
            f.notebook = f.notebook or self.notebook
        self.findings = list(findings)
        self.written.extend(write_findings(self.findings, self.notebook_dir, self.lang))
        if self.not_analysed_records:
            self.written.append(write_not_analysed(self.not_analysed_records, self.notebook_dir))
        workbook = self.outputs.workbook()
        if workbook is not None:
            self.written.append(Path(workbook))
        if show and self.findings:
            self.show(self.findings_table(self.findings, top))
        self.md(message("outputs_written", self.lang, folder=escape_markdown(self.outputs_home)))

    @property
    def outputs_home(self) -> str:
        """Where this notebook's files are for a reader: the folder a batch run publishes them
        to (a run writes into a hidden attempt first), else the folder they were written to."""
        if self.editions_dir is not None and self.run_dir.name.startswith("."):
            home = self.editions_dir / str(self.year) / self.params.lang / self.notebook
        else:
            home = self.notebook_dir
        return str(home)


def _interval(f: Finding, lang: str) -> str:
    if f.interval_low is None and f.interval_high is None:
        return ""
    fmt = number_format(lang)
    if f.interval_low is not None and f.interval_high is not None:
        low, high = fmt.span(f.interval_low, f.interval_high, 2)  # one magnitude for both
    else:
        low = "−∞" if f.interval_low is None else fmt.value(f.interval_low, 2)
        high = "∞" if f.interval_high is None else fmt.value(f.interval_high, 2)
    return f"[{low}, {high}]"


def start(
    notebook_name: str,
    region: str = config.DEFAULT_REGION,
    year: int = config.DEFAULT_YEAR,
    window: int = config.DEFAULT_WINDOW,
    lang: str = config.DEFAULT_LANG,
    data_dir: str | Path | None = "",
    output_dir: str | Path | None = "",
    theme: bool = True,
) -> Session:
    """Check the parameters, open the data package, prepare outputs and the plot theme.

    Args:
        notebook_name: e.g. "02_dispute_resolution"; names the output folder.
        region: region id (slug).
        year: last year of the window.
        window: years in the window.
        lang: "en" or "zh".
        data_dir: the data package's folder; "" or None = the project's data/.
        output_dir: run folder; "" or None = ``outputs/_lab/<package>/<region>/<year>/<lang>``.
        theme: apply the plotting theme (notebooks do; unit tests may not).

    Raises:
        ParameterError: a parameter breaks a rule (the message says how to fix it).
        DataError: the data break a rule (file, row, column named).
    """
    from uniontrends.present import export, plots

    package = open_package(data_dir or config.DATA_DIR)
    p = check_parameters(package, region, year, window, lang)
    package.panel  # noqa: B018 - validates the data now, before anything is written
    package.reported  # noqa: B018
    package_id = package.info.id
    if output_dir:
        run_dir = Path(output_dir)
        # A runner writes into a hidden attempt next to <region>/<year>/<lang>.
        editions_dir = layout.region_dir_of_run(run_dir, p.year)
    else:
        run_dir = default_output_dir(package_id, p.region, p.year, p.lang)
        editions_dir = layout.edition_paths(
            config.OUTPUTS_DIR, package_id, p.region, p.year, p.lang
        ).region_dir
    shown_lang = plots.use_theme(p.lang) if theme else p.lang
    return Session(
        notebook=notebook_name,
        params=p,
        package=package,
        run_dir=run_dir,
        editions_dir=editions_dir,
        registry=load_registry(_notebooks_folder()),
        outputs=export.NotebookOutputs(run_dir, notebook_name),
        lang=shown_lang,
        interactive=not output_dir,
    )


def _notebooks_folder() -> Path:
    """The folder of the running notebook's registry: the working folder when it has one.

    Jupyter, papermill with --cwd and the runner run a notebook in its own folder; anywhere
    else the project's notebooks are meant.
    """
    here = Path.cwd()
    return here if (here / REGISTRY_FILE).is_file() else config.NOTEBOOKS_DIR
