"""The one object a notebook uses: checked parameters, data, outputs, and display helpers."""

# plots and export are imported where used: they pull in matplotlib/nbconvert, which unit
# tests of the data side do not need.

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from uniontrends import audit, config, derive, params, trends
from uniontrends.catalog import Catalog, load_catalog, load_regions
from uniontrends.errors import UniontrendsError
from uniontrends.findings import Finding, format_number, rank_findings, write_findings
from uniontrends.load import load_annual, load_reported

# Table headers in Chinese; English headers are the column names made readable.
_HEADERS_ZH = {
    "indicator": "指标",
    "region": "地区",
    "year": "年份",
    "value": "数值",
    "unit": "单位",
    "qualifier": "限定",
    "provenance": "数据来源类型",
    "source": "来源",
    "phrase_zh": "原文表述",
    "period": "期间",
    "statistic": "统计量",
    "ci_low": "置信下限",
    "ci_high": "置信上限",
    "p_value": "p值",
    "method": "方法",
    "evidence": "证据强度",
    "statement": "结论",
    "interval": "区间",
    "data": "数据",
    "note": "说明",
    "status": "核对结果",
    "reported_value": "公开数",
    "annual_value": "年度汇总",
    "difference": "差额",
    "annual_years": "年度数",
    "aggregation": "汇总方式",
    "annual_provenance": "年度数据类型",
    "rows": "行数",
    "table": "数据表",
    "missing_years": "缺失年份",
    "n_missing": "缺失数",
    "rank": "排名",
    "cagr": "年均增长率",
    "level_start": "期初",
    "level_end": "期末",
    "synthetic": "合成数据",
    "dataset": "数据集",
    "region_name": "国家/地区",
    "area": "领域",
    "findings": "结论数",
    "notebook": "笔记本",
    "findings_from": "结论来自",
}
_WORDS_ZH = {
    "synthetic": "合成（示例）",
    "reported": "公开报道",
    "reference": "外部参考",
    "official_annual": "官方年度统计",
    "exact": "精确",
    "at_least": "不少于（下限）",
    "at_most": "不超过（上限）",
    "approx": "约",
    "clear": "明确",
    "suggestive": "提示性",
    "inconclusive": "不确定",
    "descriptive": "描述性",
    "consistent": "一致",
    "inconsistent": "不一致",
    "incomplete": "年度数据不全",
    "no_annual_data": "无年度数据",
    "total": "合计",
    "this run": "本次运行",
    "previous run": "以前的运行",
    "missing": "缺失",
}
SYNTHETIC_NOTICE = {
    "en": "Annual values in this notebook are **illustrative synthetic data**, not official "
    "statistics; only the figures marked *reported* come from the published article.",
    "zh": "本笔记本中的年度数值为**示例（合成）数据**，并非官方统计；只有标注为“公开报道”的数字"
    "来自公开发表的文章。",
}


def default_output_dir(region: str, year: int) -> Path:
    """Where interactive runs write: ``outputs/_lab/<region>/<year>``."""
    return config.OUTPUTS_DIR / "_lab" / region / str(year)


@dataclass
class Session:
    """Everything one notebook run needs; built by ``start``."""

    notebook: str
    params: params.Parameters
    catalog: Catalog
    regions: dict[str, dict[str, Any]]
    panel: pd.DataFrame
    reported: pd.DataFrame
    output_dir: Path
    outputs: Any
    lang: str
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # files saved by table() and finish()

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
    def out_dir(self) -> Path:
        """This notebook's own folder ``<output_dir>/<notebook>``."""
        return self.output_dir / self.notebook

    @property
    def region_panel(self) -> pd.DataFrame:
        """Annual rows (stored and derived) of the session's region within the window."""
        p = self.panel
        return p[(p["region"] == self.region) & p["year"].between(self.params.start, self.year)]

    @property
    def is_synthetic(self) -> bool:
        """Whether any annual value of the region is synthetic."""
        return bool((self.region_panel["provenance"] == "synthetic").any())

    # ---- labels ------------------------------------------------------------------------------

    def name(self, indicator: str) -> str:
        """Indicator name in the session language (the id when not in the catalog)."""
        return self.catalog[indicator].name(self.lang) if indicator in self.catalog else indicator

    def region_label(self, region: str | None = None) -> str:
        """Display name of a region in the session language."""
        region = region or self.region
        entry = self.regions.get(region, {})
        return str(entry.get(f"name_{self.lang}", region))

    def area_names(self) -> dict[str, str]:
        """Every area of the catalog, id -> name in the session language, in catalog order."""
        return {area: self.catalog.area_name(area, self.lang) for area in self.catalog.areas}

    def localize(self, df: pd.DataFrame) -> pd.DataFrame:
        """Indicator names, coded words and headers in the session language (a copy)."""
        out = df.copy()
        if "indicator" in out.columns:
            out["indicator"] = out["indicator"].map(lambda i: self.name(str(i)))
        if self.lang != "zh":
            out.columns = [str(c).replace("_", " ") for c in out.columns]
            return out
        # coded words (provenance, qualifier, evidence, status) wherever they stand alone
        for col in out.columns:
            if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
                out[col] = out[col].map(lambda v: _WORDS_ZH.get(v, v) if isinstance(v, str) else v)
        out.columns = [_HEADERS_ZH.get(str(c), _WORDS_ZH.get(str(c), str(c))) for c in out.columns]
        return out

    # ---- display -----------------------------------------------------------------------------

    def md(self, text: str) -> None:
        """Display library-written Markdown (data inside must already be escaped)."""
        from IPython.display import Markdown, display

        display(Markdown(text))

    def intro(self) -> None:
        """Show what is analysed and, when annual data are synthetic, say so."""
        p = self.params
        if self.lang == "zh":
            text = f"**{self.region_label()}**，{p.start}—{p.end}年（{p.window}年窗口）。"
        else:
            text = f"**{self.region_label()}**, {p.start}–{p.end} ({p.window}-year window)."
        if self.is_synthetic:
            text += "\n\n" + SYNTHETIC_NOTICE[self.lang]
        from uniontrends import export

        self.md(export.escape_html(text).replace("&quot;", '"'))

    def show(self, df: pd.DataFrame) -> None:
        """Display a table localised and HTML-escaped (thousands separators)."""
        from IPython.display import display

        from uniontrends import export

        display(export.display_table(self.localize(df), self.lang))

    def table(self, df: pd.DataFrame, name: str, show: bool = True) -> None:
        """Save a table (CSV + a sheet in tables.xlsx) in the session language; display it.

        Returns nothing, so a notebook cell ending with it shows no (temporary) file path.
        """
        local = self.localize(df)
        path = self.outputs.table(local, name)
        if show:
            from IPython.display import display

            from uniontrends import export

            display(export.display_table(local, self.lang))
        self.written.append(Path(path))

    def figure(self, fig: Any, name: str, show: bool = True) -> None:
        """Save a figure (PNG + SVG) and display it."""
        png, _svg = self.outputs.figure(fig, name)
        if show:
            # The saved PNG, not the Figure: a Figure only renders when the kernel has a
            # matplotlib display hook, which plain papermill runs do not set up.
            from IPython.display import Image, display

            display(Image(filename=str(png), retina=True))  # 150 dpi shown at 75
        import matplotlib.pyplot as plt

        plt.close(fig)

    # ---- data and statistics ----------------------------------------------------------------

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
        r["unit"] = r["unit"].map(lambda u: _unit_label(str(u), self.lang))
        cols = ["indicator", "period", "value", "unit", "qualifier", "phrase_zh", "provenance"]
        return r[cols].reset_index(drop=True)

    def _area_of(self, indicator: str) -> str:
        return self.catalog[indicator].area if indicator in self.catalog else ""

    def area_summary(self, area: str) -> trends.AreaSummary:
        """Trend statistics and findings of every indicator of ``area`` for the region."""
        summary = trends.summarize_area(
            self.panel,
            area,
            self.region,
            self.year,
            self.window,
            reported=self.reported,
            catalog=self.catalog,
            notebook=self.notebook,
        )
        # summarize does not pass the notebook on to the published-figure findings
        for f in summary.findings:
            f.notebook = f.notebook or self.notebook
        return summary

    def statistics(self, summary: trends.AreaSummary) -> pd.DataFrame:
        """The area's statistics table with a provenance column (synthetic rows say so)."""
        table = summary.table.copy()
        prov = self.region_panel.groupby("indicator")["provenance"].agg(
            lambda s: ", ".join(sorted(set(s.astype(str))))
        )
        table["provenance"] = table["indicator"].map(prov).fillna("")
        cols = ["indicator", "statistic", "value", "ci_low", "ci_high", "p_value", "unit"]
        return table[cols + ["method", "evidence", "provenance"]]

    def series(self, indicators: list[str]) -> pd.DataFrame:
        """Annual values of ``indicators`` for the region in the window (tidy rows)."""
        p = self.region_panel
        return p[p["indicator"].isin(indicators)].sort_values(["indicator", "year"])

    def area_figure(self, area: str, indicators: list[str] | None = None) -> Any:
        """Small multiples of an area's indicators for the region (labelled when synthetic)."""
        ids = indicators or [i.id for i in self.catalog.in_area(area)]
        have = set(self.region_panel["indicator"])
        from uniontrends import plots

        return plots.area_figure(
            self.region_panel, [i for i in ids if i in have], self.lang, area=area
        )

    def trend_figure(self, indicator: str) -> Any:
        """One indicator's annual values, OLS trend band, projection and published figure."""
        s = trends.window_series(self.panel, indicator, self.region, self.year, self.window)
        years = [int(y) for y in s.index]
        values = s["value"].to_numpy(dtype=float)
        rep = self.reported[
            (self.reported["region"] == self.region) & (self.reported["indicator"] == indicator)
        ]
        from uniontrends import forecast, plots

        return plots.trend_figure(
            s.reset_index(),
            indicator,
            self.lang,
            trend=trends.ols_trend(years, values),
            projection=forecast.project(years, values),
            reported=rep if not rep.empty else None,
        )

    def compare(self, indicator: str) -> pd.DataFrame:
        """The indicator across every region in the panel, ranked by CAGR."""
        from uniontrends.compare import compare_regions

        table = compare_regions(self.panel, indicator, self.year, self.window)
        table["provenance"] = table["synthetic"].map(
            lambda x: "synthetic" if x is True else ("" if pd.isna(x) else "official_annual")
        )
        cols = ["rank", "region", "level_start", "level_end", "cagr", "evidence", "provenance"]
        return table[cols]

    def regions_figure(self, indicator: str) -> Any:
        """The indicator across regions in the window."""
        p = self.panel
        sel = p[(p["indicator"] == indicator) & p["year"].between(self.params.start, self.year)]
        from uniontrends import plots

        return plots.regions_figure(sel, indicator, self.lang)

    # ---- audit (00) ------------------------------------------------------------------------

    def coverage(self) -> pd.DataFrame:
        """Indicator x year provenance of the region's stored annual values in the window."""
        stored = self.panel[~self.panel["indicator"].isin([i.id for i in self.catalog.derived()])]
        return audit.coverage(stored, self.region, self.params.start, self.year)

    def provenance_mix(self) -> pd.DataFrame:
        """Rows per provenance in the annual panel (all regions) and the published figures."""
        return audit.provenance_mix({"annual": self.panel, "reported": self.reported})

    def gaps(self) -> pd.DataFrame:
        """Stored indicators with missing years in the window for the region."""
        return audit.gaps(self.panel, self.catalog, self.region, self.params.start, self.year)

    def reconciliation(self) -> pd.DataFrame:
        """Published figures of the region against their annual aggregates (lower bounds kept)."""
        r = self.reported[
            (self.reported["region"] == self.region) & (self.reported["period_end"] <= self.year)
        ]
        return audit.reconcile(r, self.panel, self.catalog)

    def audit_findings(self, table: pd.DataFrame) -> list[Finding]:
        """Data coverage, published figures stated as published, and one reconciliation each."""
        covered = audit.coverage_finding(
            self.coverage(), self.region, self.params.start, self.year, self.notebook
        )
        published = trends.reported_findings(
            self.reported[self.reported["period_end"] <= self.year],
            self.region,
            self.catalog,
            self.notebook,
        )
        return [
            covered,
            *published,
            *audit.reconciliation_findings(table, self.catalog, self.notebook),
        ]

    # ---- reference (05) ----------------------------------------------------------------------

    def reference(self) -> pd.DataFrame:
        """The real reference series (ILOSTAT, OECD), tidy, provenance ``reference``."""
        from uniontrends.load import load_reference

        return load_reference(self.params.data_dir)

    def reference_summary(
        self, ref: pd.DataFrame, dataset: str, indicator: str, country: str
    ) -> trends.TrendSummary:
        """Trend statistics of one reference series over the window ending at its last year.

        Args:
            ref: output of ``reference()``.
            dataset: "ilostat" or "oecd".
            indicator: "union_density", "union_members" or "employees".
            country: ISO3 code in lower case (e.g. "chn").
        """
        rows = ref[(ref["dataset"] == dataset) & (ref["region"] == country)]
        if rows.empty:
            raise UniontrendsError(f"no {dataset} {indicator} series for {country!r}")
        # findings name the country, not its code
        name = str(rows["region_name"].iloc[0])
        rows = rows.assign(region=name)
        end = int(rows.loc[rows["indicator"] == indicator, "year"].max())
        exposure = "union_members" if dataset == "oecd" and indicator != "union_members" else None
        return trends.summarize(
            rows,
            indicator,
            name,
            end,
            self.window,
            catalog=self.catalog,
            exposure=exposure,
            notebook=self.notebook,
        )

    def reference_ranking(
        self, ref: pd.DataFrame, indicator: str = "union_density"
    ) -> pd.DataFrame:
        """OECD countries ranked by the CAGR of ``indicator`` over the window ending 2018."""
        from uniontrends.compare import compare_regions

        oecd = ref[ref["dataset"] == "oecd"]
        names = dict(zip(oecd["region"], oecd["region_name"], strict=False))
        end = int(oecd["year"].max())
        table = compare_regions(oecd, indicator, end, self.window)
        table["region"] = table["region"].map(lambda r: names.get(r, r))
        table["provenance"] = "reference"
        return table[
            ["rank", "region", "level_start", "level_end", "cagr", "evidence", "provenance"]
        ]

    def reference_figure(self, ref: pd.DataFrame) -> Any:
        """Union density by country (ILOSTAT), China highlighted."""
        from uniontrends import plots

        return plots.reference_figure(ref[ref["dataset"] == "ilostat"], self.lang)

    # ---- findings ----------------------------------------------------------------------------

    def findings_table(self, findings: list[Finding], top: int | None = None) -> pd.DataFrame:
        """Findings ranked by evidence, as a table in the session language."""
        ranked = rank_findings(findings)[:top] if top else rank_findings(findings)
        rows = [
            {
                "evidence": f.evidence,
                "statement": f.statement(self.lang),
                "interval": _interval(f),
                "p_value": f.p_value,
                "provenance": "synthetic" if f.synthetic else ", ".join(sorted(set(f.provenance))),
            }
            for f in ranked
        ]
        return pd.DataFrame(
            rows, columns=["evidence", "statement", "interval", "p_value", "provenance"]
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
        paths = write_findings(self.findings, self.out_dir)
        if getattr(self.outputs, "_tables", None) or hasattr(self.outputs, "workbook"):
            try:
                self.outputs.workbook()
            except ValueError:
                pass  # no tables were written: nothing to put in a workbook
        self.written.extend(paths)
        if show:
            self.show(self.findings_table(self.findings, top))


def _unit_label(unit: str, lang: str) -> str:
    from uniontrends.model import UNITS

    return UNITS.get(unit, {}).get(lang, unit)


def _interval(f: Finding) -> str:
    if f.interval_low is None and f.interval_high is None:
        return ""
    low = "−∞" if f.interval_low is None else format_number(f.interval_low, 2)
    high = "∞" if f.interval_high is None else format_number(f.interval_high, 2)
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
    """Check the parameters, load and derive the data, prepare outputs and the plot theme.

    Args:
        notebook_name: e.g. "02_dispute_resolution"; names the output folder.
        region: region id (slug).
        year: last year of the window.
        window: years in the window.
        lang: "en" or "zh".
        data_dir: data folder; "" or None = the project's data/.
        output_dir: run folder; "" or None = ``outputs/_lab/<region>/<year>``.
        theme: apply the plotting theme (notebooks do; unit tests may not).

    Raises:
        ParameterError: a parameter breaks a rule (the message says how to fix it).
        DataError: the data break a rule (file, row, column named).
    """
    p = params.check_parameters(region, year, window, lang, data_dir or None)
    catalog = load_catalog(p.data_dir)
    annual = load_annual(p.data_dir)
    panel = derive.add_derived(annual, catalog)
    reported = load_reported(p.data_dir)
    out = Path(output_dir) if output_dir else default_output_dir(p.region, p.year)
    from uniontrends import export, plots

    shown_lang = plots.use_theme(p.lang) if theme else p.lang
    lang_used = shown_lang if isinstance(shown_lang, str) else p.lang
    return Session(
        notebook=notebook_name,
        params=p,
        catalog=catalog,
        regions=load_regions(p.data_dir),
        panel=panel,
        reported=reported,
        output_dir=out,
        outputs=export.NotebookOutputs(out, notebook_name),
        lang=lang_used,
    )
