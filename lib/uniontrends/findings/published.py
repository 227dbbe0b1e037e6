"""Findings that state published figures exactly as they were published, bounds kept."""

from __future__ import annotations

from typing import Any

import pandas as pd

from uniontrends.data.derive import catalog_entries
from uniontrends.data.model import LANGS
from uniontrends.findings.record import Finding, make_id
from uniontrends.findings.wording import both, with_synthetic_label
from uniontrends.messages import message
from uniontrends.numbers import number_format

_BOUNDS = ("at_least", "at_most")


def reported_findings(
    reported: pd.DataFrame,
    region: str,
    catalog: Any,
    *,
    region_names: dict[str, str],
    notebook: str | None = None,
) -> list[Finding]:
    """Findings stating published figures as they were published.

    A lower bound ("1200余件") reads "more than 1,200 cases" / "超过1,200件" with interval
    [value, None]; an upper bound the reverse; "approx" reads "about" with no interval.

    Args:
        reported: published figures (``model.REPORTED_COLUMNS``).
        region: region id.
        catalog: the indicator catalog (names, area, kind).
        region_names: the region's display name by language ({"en": ..., "zh": ...}).
        notebook: name of the notebook the findings come from.
    """
    entries = catalog_entries(catalog)
    out: list[Finding] = []
    for r in reported[reported["region"] == region].itertuples(index=False):
        indicator = str(r.indicator)
        entry = entries.get(indicator, {})
        names = {lang: str(entry.get(f"name_{lang}") or indicator) for lang in ("en", "zh")}
        unit = str(entry.get("unit") or r.unit)
        qualifier, value, provenance = str(r.qualifier), float(r.value), str(r.provenance)
        start, end = int(r.period_start), int(r.period_end)
        synthetic = provenance == "synthetic"
        is_total = entry.get("aggregation", "sum") == "sum" and start != end
        when = "finding.reported.total" if is_total else "finding.reported.level"
        bound = f"finding.reported.bound.{qualifier}"
        en, zh = both(
            "finding.reported",
            name=names,
            region=region_names,
            amount={lang: number_format(lang).quantity(value, unit, qualifier) for lang in LANGS},
            when={lang: message(when, lang, start=start, end=end) for lang in LANGS},
            label={lang: message("finding.reported.label", lang) for lang in LANGS}
            if provenance == "reported"
            else provenance,
            bound={lang: message(bound, lang) for lang in LANGS} if qualifier in _BOUNDS else "",
            source=r.source,
        )
        statistic = "reported_total" if is_total else "reported_level"
        out.append(
            Finding(
                id=make_id(region, indicator, statistic),
                area=str(entry.get("area", "")),
                indicator=indicator,
                region=region,
                period_start=start,
                period_end=end,
                statistic=statistic,
                statement_en=with_synthetic_label(en, synthetic, "en"),
                statement_zh=with_synthetic_label(zh, synthetic, "zh"),
                value=value,
                unit=unit,
                interval_low=value if qualifier in ("exact", "at_least") else None,
                interval_high=value if qualifier in ("exact", "at_most") else None,
                evidence="descriptive",
                direction="none",
                qualifier=qualifier,
                small_sample=False,
                provenance=[provenance],
                synthetic=synthetic,
                notebook=notebook,
                method="published figure",
            )
        )
    return out
