"""The data audit's findings: how complete the annual data are, and each reconciliation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from uniontrends.data.derive import catalog_entries
from uniontrends.data.model import LANGS
from uniontrends.findings.record import Finding, make_id
from uniontrends.findings.wording import both, with_synthetic_label
from uniontrends.messages import message
from uniontrends.numbers import number_format


def reconciliation_findings(
    table: pd.DataFrame,
    catalog: Any = None,
    notebook: str | None = None,
    region_names: dict[str, dict[str, str]] | None = None,
) -> list[Finding]:
    """One descriptive finding per reconciled published figure (from ``reconcile``).

    The value is the annual aggregate (base units); the statement gives both numbers, the
    qualifier's meaning and the status. Rows without annual data give no finding.

    Args:
        table: the reconciliation (``stats.audit.reconcile``), one row per published figure.
        catalog: the indicator catalog (names, units).
        notebook: the notebook the findings come from.
        region_names: region id -> its display name by language ({"en": ..., "zh": ...});
            a region not in it is named by its id.
    """
    entries = catalog_entries(catalog)
    out: list[Finding] = []
    for r in table.itertuples(index=False):
        if r.status in ("no_annual_data", "incomplete"):
            continue
        entry = entries.get(str(r.indicator), {})
        unit = str(entry.get("unit", ""))
        names = {lang: str(entry.get(f"name_{lang}") or r.indicator) for lang in ("en", "zh")}
        synthetic = "synthetic" in str(r.annual_provenance)
        how = "sum" if r.aggregation == "sum" else "last"
        status = "consistent" if r.status == "consistent" else "inconsistent"
        en, zh = both(
            "finding.reconciliation",
            name=names,
            region=(region_names or {}).get(str(r.region)) or str(r.region),
            start=r.period_start,
            end=r.period_end,
            how={lang: message(f"finding.reconciliation.{how}", lang) for lang in LANGS},
            annual={lang: number_format(lang).quantity(r.annual_value, unit) for lang in LANGS},
            published={
                lang: number_format(lang).quantity(r.reported_value, unit, r.qualifier)
                for lang in LANGS
            },
            status={lang: message(f"finding.reconciliation.{status}", lang) for lang in LANGS},
        )
        provenance = sorted({"reported", *str(r.annual_provenance).split(", ")} - {""})
        out.append(
            Finding(
                id=make_id(str(r.region), str(r.indicator), "reconciliation"),
                area=str(entry.get("area", "")),
                indicator=str(r.indicator),
                region=str(r.region),
                period_start=int(r.period_start),
                period_end=int(r.period_end),
                statistic="reconciliation",
                statement_en=with_synthetic_label(en, synthetic, "en"),
                statement_zh=with_synthetic_label(zh, synthetic, "zh"),
                value=float(r.annual_value),
                unit=unit,
                evidence="descriptive",
                qualifier="exact",
                provenance=provenance,
                synthetic=synthetic,
                notebook=notebook,
                method="annual aggregate vs published figure",
            )
        )
    return out


def coverage_finding(
    table: pd.DataFrame,
    region: str,
    start: int,
    end: int,
    notebook: str | None = None,
    region_names: dict[str, str] | None = None,
) -> Finding:
    """How complete the region's stored annual data is over the window, as one finding.

    Every region gets it, so a region without published figures still has an audit finding.

    Args:
        table: output of ``coverage`` (indicator x year provenance labels, "" = no value).
        region: region id.
        start: first year of the window.
        end: last year of the window.
        notebook: notebook writing the finding.
        region_names: the region's display name by language (default: the id).

    Returns:
        A descriptive finding whose value is the share of indicators with a value in every year.
    """
    indicators = len(table.index)
    complete = int((table != "").all(axis=1).sum()) if indicators else 0
    values = int((table != "").to_numpy().sum()) if indicators else 0
    labels = sorted({str(v) for v in np.ravel(table.to_numpy()) if v} - {""})
    synthetic = "synthetic" in labels
    share = complete / indicators if indicators else 0.0
    names = region_names or {"en": region, "zh": region}
    en, zh = both(
        "finding.coverage",
        region=names,
        start=start,
        end=end,
        complete={lang: number_format(lang).number(complete) for lang in LANGS},
        indicators={lang: number_format(lang).number(indicators) for lang in LANGS},
        values={lang: number_format(lang).number(values) for lang in LANGS},
        provenance=lambda lang: (
            message("separator.list", lang).join(labels) or message("finding.coverage.none", lang)
        ),
    )
    return Finding(
        id=make_id(region, "annual_data", "coverage"),
        area="audit",
        indicator="annual_data",
        region=region,
        period_start=int(start),
        period_end=int(end),
        statistic="coverage",
        statement_en=with_synthetic_label(en, synthetic, "en"),
        statement_zh=with_synthetic_label(zh, synthetic, "zh"),
        value=share,
        unit="share",
        evidence="descriptive",
        provenance=labels,
        synthetic=synthetic,
        notebook=notebook,
        method="indicators with a value in every year of the window / stored indicators",
    )
