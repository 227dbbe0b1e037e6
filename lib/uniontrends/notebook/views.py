"""What one kind of notebook shows, bound to its session: the audit, the reference series and
the annual report (``s.audit``, ``s.reference``, ``s.report``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from uniontrends.data.catalog import Catalog, builtin_catalog
from uniontrends.data.derive import catalog_entries
from uniontrends.data.model import MISSING
from uniontrends.errors import UniontrendsError
from uniontrends.findings import audit as audit_findings
from uniontrends.findings.published import reported_findings
from uniontrends.findings.record import Finding
from uniontrends.findings.skipped import NotAnalysed
from uniontrends.findings.trend import TrendSummary, grade_family, overlap_groups, summarize
from uniontrends.messages import message
from uniontrends.present import layout, release, report
from uniontrends.safe import escape_markdown
from uniontrends.stats import audit

if TYPE_CHECKING:
    from uniontrends.notebook.session import Session


@dataclass
class AuditView:
    """The data audit: coverage, provenance mix, gaps and reconciliation with published figures."""

    s: Session

    def _stored(self) -> pd.DataFrame:
        s = self.s
        return s.panel[~s.panel["indicator"].isin([i.id for i in s.catalog.derived()])]

    def coverage(self) -> pd.DataFrame:
        """Indicator x year provenance of the region's stored annual values in the window;
        "missing" where a year is marked missing, empty where it is absent."""
        s = self.s
        stored = self._stored()
        table = audit.coverage(stored, s.region, s.params.start, s.year)
        marked = stored[
            (stored["region"] == s.region)
            & stored["year"].between(s.params.start, s.year)
            & stored["value"].isna()
        ]
        for rec in marked.itertuples(index=False):
            if rec.indicator not in table.index:
                table.loc[rec.indicator] = ""
            table.loc[rec.indicator, int(rec.year)] = MISSING
        return table

    def provenance_mix(self) -> pd.DataFrame:
        """Rows per provenance in the annual panel (all regions) and the published figures."""
        return audit.provenance_mix({"annual": self.s.panel, "reported": self.s.reported})

    def gaps(self) -> pd.DataFrame:
        """Stored indicators of the package with missing years in the window for the region,
        and the reasons given for years marked missing."""
        s = self.s
        table = audit.gaps(s.panel, s.catalog, s.region, s.params.start, s.year)
        p = s.panel
        marked = p[(p["region"] == s.region) & p["value"].isna() & (p["missing_reason"] != "")]
        marked = marked[marked["year"].between(s.params.start, s.year)]
        reasons = marked.groupby("indicator").apply(
            lambda g: "; ".join(f"{int(y)}: {r}" for y, r in zip(g["year"], g["missing_reason"],
                                                                 strict=True))
        ) if not marked.empty else pd.Series(dtype=str)  # fmt: skip
        table["note"] = table["indicator"].map(reasons).fillna("")
        return table

    def reconciliation(self) -> pd.DataFrame:
        """Published figures of the region against their annual aggregates (lower bounds kept)."""
        s = self.s
        r = s.reported[(s.reported["region"] == s.region) & (s.reported["period_end"] <= s.year)]
        return audit.reconcile(r, s.panel, s.catalog)

    def findings(self, table: pd.DataFrame) -> list[Finding]:
        """Data coverage, published figures stated as published, and one reconciliation each."""
        s = self.s
        values = audit.coverage(self._stored(), s.region, s.params.start, s.year)
        covered = audit_findings.coverage_finding(
            values, s.region, s.params.start, s.year, s.notebook, region_names=s.region_names()
        )
        published = reported_findings(
            s.reported[s.reported["period_end"] <= s.year],
            s.region,
            s.catalog,
            region_names=s.region_names(),
            notebook=s.notebook,
        )
        return [
            covered,
            *published,
            *audit_findings.reconciliation_findings(
                table, s.catalog, s.notebook, region_names={s.region: s.region_names()}
            ),
        ]


# The reference series a notebook summarises: the package's own country's density, then per
# peer its members, employees and density (what the OECD file has; ILOSTAT density otherwise).
_PEER_INDICATORS = ("union_members", "employees", "union_density")


@dataclass
class ReferenceView:
    """The real reference series (ILOSTAT, OECD) with the same statistics as the regions, for
    the package's own country and the peers it chose (package.yaml ``country``, ``peers``).

    Those series (``own_summary`` and ``peer_summaries``) are graded as one family, so each
    keeps one grade however many are shown; another series asked for is graded on its own.
    """

    s: Session
    _family: dict[tuple[str, str, str], TrendSummary] | None = field(default=None, repr=False)

    def table(self) -> pd.DataFrame:
        """The reference series, tidy, provenance ``reference``."""
        return self.s.package.reference

    @property
    def catalog(self) -> Catalog:
        """The package's catalog when it defines the reference indicators, else the built-in
        one (a package about disputes still compares union density with its definition)."""
        cat = self.s.catalog
        return cat if all(i in cat for i in _PEER_INDICATORS) else builtin_catalog()

    def countries(self) -> list[str]:
        """The package's country and peers that the reference series hold, in that order."""
        info = self.s.package.info
        held = set(self.table()["region"])
        return [c for c in dict.fromkeys([info.country, *info.peers]) if c and c in held]

    def describe(self) -> str:
        """One line of Markdown: what is compared, or why nothing is."""
        info, held, lang = self.s.package.info, self.countries(), self.s.lang
        if self.table().empty:
            return message("reference.none", lang)
        if not held:
            return message("reference.no_country", lang)
        names = message("separator.list", lang).join(
            escape_markdown(self._name(c))
            for c in held  # names from the files
        )
        own = ""
        if info.country in held:
            own = message("reference.own", lang, country=escape_markdown(self._name(info.country)))
        return message("reference.compared", lang, names=names, own=own)

    def _name(self, country: str) -> str:
        rows = self.table()
        names = rows.loc[rows["region"] == country, "region_name"]
        return str(names.iloc[0]) if len(names) else country.upper()

    def has(self, dataset: str, indicator: str, country: str) -> bool:
        """Whether the reference series hold this dataset's indicator for the country."""
        ref = self.table()
        sel = (ref["dataset"] == dataset) & (ref["indicator"] == indicator)
        return bool((sel & (ref["region"] == country)).any())

    def summary(self, dataset: str, indicator: str, country: str) -> TrendSummary:
        """Trend statistics of one reference series over the window ending at its last year.

        Args:
            dataset: "ilostat" or "oecd".
            indicator: "union_density", "union_members" or "employees".
            country: ISO3 code in lower case (e.g. "chn").
        """
        family = self.family()
        if (dataset, indicator, country) in family:
            return family[(dataset, indicator, country)]
        return self._summary(dataset, indicator, country)

    def family(self) -> dict[tuple[str, str, str], TrendSummary]:
        """The declared reference series, summarised once and graded as one family."""
        if self._family is None:
            own = self._own_key()
            wanted = ([own] if own else []) + self._peer_keys()
            found = {}
            for key in wanted:
                try:
                    found[key] = self._summary(*key)
                except UniontrendsError:
                    continue  # a series the reference data lack is simply not in the family
            names = ", ".join(sorted({c for _, _, c in found}))
            groups = overlap_groups(
                sorted({key[1] for key in found}), catalog_entries(self.catalog)
            )
            grade_family(found.values(), f"reference series {self.s.window} years: {names}", groups)
            self._family = found
        return self._family

    def _summary(self, dataset: str, indicator: str, country: str) -> TrendSummary:
        ref = self.table()
        rows = ref[(ref["dataset"] == dataset) & (ref["region"] == country)]
        if rows.empty:
            raise UniontrendsError(f"no {dataset} {indicator} series for {country!r}")
        # findings name the country, not its code
        name = str(rows["region_name"].iloc[0])
        rows = rows.assign(region=name)
        end = int(rows.loc[rows["indicator"] == indicator, "year"].max())
        exposure = "union_members" if dataset == "oecd" and indicator != "union_members" else None
        return summarize(
            rows,
            indicator,
            name,
            end,
            self.s.window,
            catalog=self.catalog,
            region_names={"en": name, "zh": name},
            exposure=exposure,
            notebook=self.s.notebook,
            shock_years=self.s.package.info.shock_years,
        )

    def own_summary(self) -> TrendSummary | None:
        """Union density of the package's country (ILOSTAT, else OECD); None without one."""
        key = self._own_key()
        return None if key is None else self.summary(*key)

    def peer_summaries(self) -> list[TrendSummary]:
        """Members, employees and density of each peer (OECD), else its density (ILOSTAT)."""
        return [self.summary(*key) for key in self._peer_keys()]

    def _own_key(self) -> tuple[str, str, str] | None:
        country = self.s.package.info.country
        for dataset in ("ilostat", "oecd"):
            if country and self.has(dataset, "union_density", country):
                return dataset, "union_density", country
        return None

    def _peer_keys(self) -> list[tuple[str, str, str]]:
        keys = []
        for country in self.s.package.info.peers:
            if any(self.has("oecd", i, country) for i in _PEER_INDICATORS):
                keys += [("oecd", i, country) for i in _PEER_INDICATORS
                         if self.has("oecd", i, country)]  # fmt: skip
            elif self.has("ilostat", "union_density", country):
                keys.append(("ilostat", "union_density", country))
        return keys

    def ranking(self, indicator: str = "union_density") -> pd.DataFrame | None:
        """The package's country and peers in the OECD series, ranked by the trend growth of
        ``indicator`` over the window ending at the series' last year, with the range of ranks
        each interval allows; None without any."""
        from uniontrends.stats.compare import compare_regions

        ref = self.table()
        oecd = ref[(ref["dataset"] == "oecd") & ref["region"].isin(self.countries())]
        if oecd.empty or indicator not in set(oecd["indicator"]):
            return None
        names = dict(zip(oecd["region"], oecd["region_name"], strict=False))
        end = int(oecd["year"].max())
        table = compare_regions(oecd, indicator, end, self.s.window)
        table["region"] = table["region"].map(lambda r: names.get(r, r))
        table["provenance"] = "reference"
        return table[
            ["rank", "rank_low", "rank_high", "region", "level_start", "level_end", "cagr",
             "growth", "growth_ci_low", "growth_ci_high", "provenance"]
        ]  # fmt: skip

    def figure(self) -> object:
        """Union density (ILOSTAT) of the package's country and peers, labelled, over the middle
        half of the other countries; None when the series hold none of them."""
        from uniontrends.present import plots

        ref = self.table()
        countries = self.countries()
        ilostat = ref[ref["dataset"] == "ilostat"]
        if not ilostat["region"].isin(countries).any():
            return None
        own = self.s.package.info.country
        highlight = own if own in countries else countries[0]
        return plots.reference_figure(
            ilostat, self.s.lang, highlight=highlight,
            peers=[c for c in countries if c != highlight], catalog=self.catalog,
        )  # fmt: skip


@dataclass
class ReportView:
    """The annual report: the findings of the notebooks it needs, and the last edition's."""

    s: Session
    _collected: list[Finding] | None = field(default=None, repr=False)

    @property
    def upstream(self) -> tuple[str, ...]:
        """The notebooks whose findings the report gathers (from the registry)."""
        registry = self.s.registry.present()
        return registry[self.s.notebook].needs if self.s.notebook in registry else ()

    @property
    def published_dir(self) -> Path | None:
        """The published edition of this region-year and language, where an interactive run
        finds the findings of notebooks it did not run itself.

        None for a batch run: the runner copies every cached notebook's findings into its
        attempt, so a report reads its own folder only and never mixes findings of two data
        versions (a notebook that failed is missing, not taken from the last edition).
        """
        s = self.s
        if s.editions_dir is None or not s.interactive:
            return None
        return s.editions_dir / str(s.year) / s.params.lang

    @property
    def previous_dir(self) -> Path | None:
        """The previous year's edition: the same language, else another (``layout``)."""
        return layout.previous_edition(self.s.editions_dir, self.s.year, self.s.params.lang)

    def edition(self) -> dict | None:
        """This edition's record (``edition.json``, written by the runner; None otherwise):
        revision, date, data and method versions, and what it revises."""
        try:
            loaded = json.loads((self.s.run_dir / layout.EDITION_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return loaded if isinstance(loaded, dict) else None

    @property
    def revised_dir(self) -> Path | None:
        """The published revision this edition replaces (same year and language), if any."""
        edition, s = self.edition(), self.s
        if not edition or not edition.get("revises") or s.editions_dir is None:
            return None
        folder = s.editions_dir / str(s.year) / s.params.lang
        return folder if folder.is_dir() else None

    def collect(self) -> tuple[list[Finding], dict[str, Path | None]]:
        """(every upstream finding, {notebook: findings file read, or None})."""
        found, sources = report.collect_findings(self.s.run_dir, self.published_dir, self.upstream)
        self._collected = found
        return found, sources

    def edition_note(self, findings: list[Finding]) -> str:
        """Markdown: this edition's revision and date, and what a revision revised."""
        from uniontrends.findings.editions import compare_editions

        edition = self.edition()
        if edition is None:
            return ""
        changes = None
        if self.revised_dir is not None:
            before = report.previous_findings(self.revised_dir, self.s.notebook, self.upstream)
            changes = compare_editions(before or [], findings)
        return report.edition_markdown(edition, changes, self.s.lang)

    def sources(self, sources: dict[str, Path | None]) -> pd.DataFrame:
        """Which notebook's findings came from where ("this run", "previous run", "missing")."""
        return report.sources_table(sources, self.s.run_dir)

    def what_changed(self, findings: list[Finding]) -> str:
        """Markdown: what changed since the previous edition."""
        return report.what_changed_section(
            findings, self.previous_dir, self.s.notebook, self.upstream, self.s.lang
        )

    def write_all(self, findings: list[Finding]) -> Path:
        """Write findings_all.json into the report's folder."""
        return report.write_all_findings(findings, self.s.notebook_dir)

    def executive_summary(self, findings: list[Finding]) -> list[Finding]:
        """The strongest findings on the region's real data, one per indicator
        (``report.executive_summary``): never the reference series of other countries, never
        synthetic rows; says so when only illustrative data exist."""
        picked = report.executive_summary(findings, region=self.s.region)
        if not picked:
            self.s.md(message("report.only_illustrative", self.s.lang))
        return picked

    def key_indicators(self, findings: list[Finding], area: str) -> list[str]:
        """The area's indicators with the strongest findings about the region, for its chart."""
        return report.key_indicators([f for f in findings if f.region == self.s.region], area)

    def areas(self, findings: list[Finding] | None = None) -> list[str]:
        """The catalog areas the area notebooks of the registry analyse, in registry order;
        with ``findings``, only the areas that have some (a chart needs something to draw)."""
        registry = self.s.registry
        areas = [
            spec.area for spec in registry.of_kind("area") if spec.area in self.s.catalog.areas
        ]
        if findings is None:
            return [a for a in areas if a is not None]
        have = {f.area for f in findings if f.region == self.s.region}
        return [a for a in areas if a in have]

    def not_analysed(self) -> pd.DataFrame | None:
        """Every indicator of the package not analysed, with the reason: those the area
        notebooks left out, and those of an area no notebook analyses; None when none."""
        records: list[NotAnalysed] = []
        for nb in self.upstream:
            records += report.collect_not_analysed(nb, self.s.run_dir, self.published_dir)
        analysed = set(self.areas())
        for ind in self.s.catalog.indicators.values():
            if ind.area not in analysed:
                name = self.s.catalog.area_name(ind.area, self.s.lang)
                reason = message("skip.no_notebook", self.s.lang, area=name)
                records.append(NotAnalysed(ind.id, ind.area, ind.name_en, ind.name_zh, reason))
        if not records:
            return None
        rows = [{"area": self.s.catalog.area_name(r.area, self.s.lang), "indicator": r.indicator,
                 "reason": r.reason} for r in records]  # fmt: skip
        return pd.DataFrame(rows, columns=["area", "indicator", "reason"])

    def provenance_statement(self, findings: list[Finding]) -> str:
        """What the findings rest on, as a paragraph in the session language."""
        return report.provenance_statement(findings, self.s.lang)

    def overview_note(self, findings: list[Finding]) -> str:
        """What the overview of all findings counts, in the session language."""
        return report.overview_note(findings, self.s.lang)

    def provenance_counts(self, findings: list[Finding]) -> pd.DataFrame:
        """How many findings rest on each provenance."""
        return report.provenance_counts(findings)

    def evidence_overview(self, findings: list[Finding]) -> pd.DataFrame:
        """Findings per area and evidence level."""
        return report.evidence_overview(findings, self.s.area_names())

    def method_notes(self, findings: list[Finding] | None = None) -> str:
        """The methods section as Markdown in the session language (the reconciliation of
        published figures only where the package has them, the rule on synthetic inputs only
        where findings rest on some), with how many "clear" findings chance alone would
        produce among the findings (those collected when none are given)."""
        synthetic = findings is None or any(f.synthetic for f in findings)
        gathered = findings if findings is not None else self._collected
        return report.method_notes(self.s.lang, reported=self.s.has_reported(),
                                   synthetic=synthetic, findings=gathered)  # fmt: skip

    # ---- the report as a release (``present.release``) ----------------------------------------

    def names(self) -> dict[str, str]:
        """Indicator id -> name in the session language, for every indicator of the catalog
        (and of the built-in catalog, which names the reference series)."""
        names = {i.id: i.name(self.s.lang) for i in builtin_catalog().indicators.values()}
        return names | {i.id: i.name(self.s.lang) for i in self.s.catalog.indicators.values()}

    def levels(self) -> dict[str, release.Levels]:
        """Each indicator's first and last value of the region in the window."""
        p = self.s.region_panel
        return release.window_levels(
            zip(p["indicator"], p["year"], p["value"], p["qualifier"], strict=True)
        )

    def key_indicator_of(self) -> dict[str, str]:
        """Each area's key indicator (registry.yaml), the headline's first pick per area."""
        return {spec.area: spec.key_indicator for spec in self.s.registry.of_kind("area")
                if spec.area and spec.key_indicator}  # fmt: skip

    def title(self) -> None:
        """Show the title block (region, period, publisher, edition, synthetic notice) and set
        the running footer of the printed pages."""
        s = self.s
        info = s.package.info
        publisher = info.title_zh if s.lang == "zh" else info.title_en
        s.md(release.title_block(
            s.region_label(), s.params.start, s.year, publisher or "",
            release.edition_of(self.edition()), s.lang, s.is_synthetic, s.has_reported(),
        ))  # fmt: skip
        s._print_footer()

    def section_titles(self, findings: list[Finding]) -> list[str]:
        """The titles of the report's sections in reading order, those this report has."""
        lang, titles = self.s.lang, []
        for key in release.SECTIONS:
            if key == "areas":
                titles += [self.s.catalog.area_name(a, lang) for a in self.areas(findings)]
            elif key != "published" or self.s.has_reported():
                titles.append(release.section_title(key, lang))
        return titles

    def contents(self, findings: list[Finding]) -> str:
        """The table of contents as Markdown: links to every section's heading."""
        return release.contents_markdown(self.section_titles(findings), self.s.lang)

    def heading(self, key: str) -> None:
        """Show a section's heading (``report.section.<key>``), or an area's name."""
        s = self.s
        title = (s.catalog.area_name(key, s.lang) if key in s.catalog.areas
                 else release.section_title(key, s.lang))  # fmt: skip
        s.md(f"## {escape_markdown(title)}")

    def headline_figures(self, findings: list[Finding]) -> list[Finding]:
        """The 4-6 figures the report opens with: real rows of the region only."""
        return release.headline_figures(
            findings, self.s.region, self.areas(findings), self.key_indicator_of()
        )

    def headline(self, findings: list[Finding]) -> str:
        """The headline block (HTML): figures, or the note that only illustrative data exist;
        the published figures' source cited."""
        sources = self.s.reported.loc[self.s.reported["region"] == self.s.region, "source"]
        return release.headline_html(
            self.headline_figures(findings), self.s.lang, self.names(), self.s.area_names(),
            self.levels(), sources.astype(str),
        )  # fmt: skip

    def key_points(self, findings: list[Finding]) -> str:
        """3-6 plain key points (Markdown)."""
        points = release.key_points(
            self.headline_figures(findings), self.s.lang, self.names(), self.s.area_names(),
            self.levels(), self.s.is_synthetic,
        )  # fmt: skip
        return release.key_points_markdown(points)

    def area_narrative(self, findings: list[Finding], area: str) -> str:
        """An area's short narrative: its real figures in plain words, what its chart shows."""
        return release.area_narrative(
            findings, area, self.s.region, self.s.lang, self.names(), self.levels(),
            self.key_indicators(findings, area), self.s.is_synthetic,
            self.key_indicator_of().get(area, ""), self.s.has_reported(area),
        )  # fmt: skip

    def area_findings(self, findings: list[Finding], area: str) -> str:
        """Every finding of an area, collapsed: plain sentence, then grade and technical note."""
        mine = [f for f in findings if f.area == area]
        return release.findings_details(
            mine, self.s.lang, message("report.area_findings", self.s.lang), self.names(),
            self.levels(), self._region_names(mine), self.s.region,
        )  # fmt: skip

    def other_findings(self, findings: list[Finding]) -> str:
        """The findings of no area section (the data audit, areas no notebook analyses)."""
        shown = set(self.areas(findings))
        rest = [f for f in findings if f.area not in shown]
        return release.findings_details(
            rest, self.s.lang, message("report.other_findings", self.s.lang), self.names(),
            self.levels(), self._region_names(rest), self.s.region,
        )  # fmt: skip

    def _region_names(self, findings: list[Finding]) -> dict[str, str]:
        known = set(self.s.package.region_ids())
        return {f.region: (self.s.region_label(f.region) if f.region in known else f.region)
                for f in findings}  # fmt: skip

    def downloads(self) -> str:
        """Links to the workbooks, CSV tables and findings files in this edition's folder
        (relative to the report's HTML, which is written into the same folder)."""
        registry = self.s.registry.present()
        notebooks = [(spec.name, spec.title(self.s.lang)) for spec in registry.specs
                     if spec.kind != "explorer"]  # fmt: skip
        return release.downloads_html(release.downloads(self.s.run_dir, notebooks), self.s.lang)

    def note(self, key: str) -> str:
        """A short note of the report from the message catalog (``report.<key>``)."""
        return message(f"report.{key}", self.s.lang)
