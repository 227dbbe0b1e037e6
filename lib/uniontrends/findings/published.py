"""Findings that state published figures exactly as they were published, bounds kept."""

from __future__ import annotations

from typing import Any

import pandas as pd

from uniontrends.data.derive import catalog_entries
from uniontrends.findings.record import Finding, make_id
from uniontrends.findings.wording import format_quantity, with_synthetic_label

_BOUND = {
    "en": {"at_least": ", a lower bound", "at_most": ", an upper bound"},
    "zh": {"at_least": "，下限", "at_most": "，上限"},
}


def reported_findings(
    reported: pd.DataFrame,
    region: str,
    catalog: Any,
    *,
    region_names: dict[str, str],
    notebook: str | None = None,
) -> list[Finding]:
    """Findings stating published figures as they were published.

    A lower bound ("1200余件") reads "at least 1,200 cases" / "超过1,200件" with interval
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
        label = "reported" if provenance == "reported" else provenance
        label_zh = "公开报道数" if provenance == "reported" else label
        when_en = f"in total over {start}–{end}" if is_total else f"by {end}"
        when_zh = f"{start}—{end}年累计" if is_total else f"截至{end}年"
        amount_en = format_quantity(value, unit, "en", qualifier)
        amount_zh = format_quantity(value, unit, "zh", qualifier)
        en = (
            f"{names['en']}, {region_names['en']}: {amount_en} {when_en} ({label} figure"
            f"{_BOUND['en'].get(qualifier, '')}; {r.source})."
        )
        zh = (
            f"{region_names['zh']}{names['zh']}{when_zh}{amount_zh}（{label_zh}"
            f"{_BOUND['zh'].get(qualifier, '')}；{r.source}）。"
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
