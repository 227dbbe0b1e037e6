"""What one kind of notebook shows, bound to its session: the audit, the reference series and
the annual report (``s.audit``, ``s.reference``, ``s.report``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from uniontrends.errors import UniontrendsError
from uniontrends.findings import audit as audit_findings
from uniontrends.findings.published import reported_findings
from uniontrends.findings.record import Finding
from uniontrends.findings.trend import TrendSummary, summarize
from uniontrends.present import report
from uniontrends.stats import audit

if TYPE_CHECKING:
    from uniontrends.notebook.session import Session


@dataclass
class AuditView:
    """The data audit: coverage, provenance mix, gaps and reconciliation with published figures."""

    s: Session

    def coverage(self) -> pd.DataFrame:
        """Indicator x year provenance of the region's stored annual values in the window."""
        s = self.s
        stored = s.panel[~s.panel["indicator"].isin([i.id for i in s.catalog.derived()])]
        return audit.coverage(stored, s.region, s.params.start, s.year)

    def provenance_mix(self) -> pd.DataFrame:
        """Rows per provenance in the annual panel (all regions) and the published figures."""
        return audit.provenance_mix({"annual": self.s.panel, "reported": self.s.reported})

    def gaps(self) -> pd.DataFrame:
        """Stored indicators with missing years in the window for the region."""
        s = self.s
        return audit.gaps(s.panel, s.catalog, s.region, s.params.start, s.year)

    def reconciliation(self) -> pd.DataFrame:
        """Published figures of the region against their annual aggregates (lower bounds kept)."""
        s = self.s
        r = s.reported[(s.reported["region"] == s.region) & (s.reported["period_end"] <= s.year)]
        return audit.reconcile(r, s.panel, s.catalog)

    def findings(self, table: pd.DataFrame) -> list[Finding]:
        """Data coverage, published figures stated as published, and one reconciliation each."""
        s = self.s
        covered = audit_findings.coverage_finding(
            self.coverage(), s.region, s.params.start, s.year, s.notebook
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
            *audit_findings.reconciliation_findings(table, s.catalog, s.notebook),
        ]


@dataclass
class ReferenceView:
    """The real reference series (ILOSTAT, OECD) with the same statistics as the regions."""

    s: Session

    def table(self) -> pd.DataFrame:
        """The reference series, tidy, provenance ``reference``."""
        return self.s.package.reference

    def summary(self, dataset: str, indicator: str, country: str) -> TrendSummary:
        """Trend statistics of one reference series over the window ending at its last year.

        Args:
            dataset: "ilostat" or "oecd".
            indicator: "union_density", "union_members" or "employees".
            country: ISO3 code in lower case (e.g. "chn").
        """
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
            catalog=self.s.catalog,
            region_names={"en": name, "zh": name},
            exposure=exposure,
            notebook=self.s.notebook,
        )

    def ranking(self, indicator: str = "union_density") -> pd.DataFrame:
        """OECD countries ranked by the CAGR of ``indicator`` over the window ending 2018."""
        from uniontrends.stats.compare import compare_regions

        ref = self.table()
        oecd = ref[ref["dataset"] == "oecd"]
        names = dict(zip(oecd["region"], oecd["region_name"], strict=False))
        end = int(oecd["year"].max())
        table = compare_regions(oecd, indicator, end, self.s.window)
        table["region"] = table["region"].map(lambda r: names.get(r, r))
        table["provenance"] = "reference"
        return table[
            ["rank", "region", "level_start", "level_end", "cagr", "evidence", "provenance"]
        ]

    def figure(self) -> object:
        """Union density by country (ILOSTAT), China highlighted."""
        from uniontrends.present import plots

        ref = self.table()
        return plots.reference_figure(
            ref[ref["dataset"] == "ilostat"], self.s.lang, catalog=self.s.catalog
        )


@dataclass
class ReportView:
    """The annual report: the findings of the notebooks it needs, and the last edition's."""

    s: Session

    @property
    def upstream(self) -> tuple[str, ...]:
        """The notebooks whose findings the report gathers (from the registry)."""
        registry = self.s.registry.present()
        return registry[self.s.notebook].needs if self.s.notebook in registry else ()

    @property
    def published_dir(self) -> Path:
        """The published folder of this region-year (findings of notebooks a rerun skipped)."""
        return self.s.editions_dir / str(self.s.year)

    @property
    def previous_dir(self) -> Path:
        """The previous edition's folder."""
        return self.s.editions_dir / str(self.s.year - 1)

    def collect(self) -> tuple[list[Finding], dict[str, Path | None]]:
        """(every upstream finding, {notebook: findings file read, or None})."""
        return report.collect_findings(self.s.run_dir, self.published_dir, self.upstream)

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
        """The strongest findings, one per indicator (``report.executive_summary``)."""
        return report.executive_summary(findings)

    def key_indicators(self, findings: list[Finding], area: str) -> list[str]:
        """The area's indicators with the strongest findings, for its one chart."""
        return report.key_indicators(findings, area)

    def areas(self) -> list[str]:
        """The catalog areas the area notebooks of the registry analyse, in registry order."""
        registry = self.s.registry
        return [spec.area for spec in registry.of_kind("area") if spec.area in self.s.catalog.areas]

    def provenance_statement(self, findings: list[Finding]) -> str:
        """What the findings rest on, as a paragraph in the session language."""
        return report.provenance_statement(findings, self.s.lang)

    def provenance_counts(self, findings: list[Finding]) -> pd.DataFrame:
        """How many findings rest on each provenance."""
        return report.provenance_counts(findings)

    def evidence_overview(self, findings: list[Finding]) -> pd.DataFrame:
        """Findings per area and evidence level."""
        return report.evidence_overview(findings, self.s.area_names())

    def method_notes(self) -> str:
        """The methods section as Markdown in the session language."""
        return report.method_notes(self.s.lang)
