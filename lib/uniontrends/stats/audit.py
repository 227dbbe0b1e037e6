"""Data audit: coverage of indicators by year, provenance mix, gaps, and reconciliation.

The findings built on these tables are in ``findings.audit``.

Reconciliation rules (``reconciliation_rules()`` returns this text for the method notes):
- The annual values of the reported period are aggregated as the catalog says: flows and money
  are summed, stocks take the value of the last year, rates the last (or mean) value.
- A lower bound ("1200余件", qualifier at_least) is consistent when the annual aggregate is at
  least the bound; an upper bound (at_most) when it is at most the bound; an exact figure when
  the two agree within 0.5 % (rounding in the article); an approximate one ("约") within 10 %.
- A period with a missing year cannot be summed: status ``incomplete``; no annual data at all:
  status ``no_annual_data``.
- Synthetic annual series are anchored to the published figures, so their consistency shows the
  generator honours the bounds; it is no evidence about the real annual values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from uniontrends.data.derive import catalog_entries

EXACT_TOLERANCE = 0.005
APPROX_TOLERANCE = 0.10
STATUSES = ("consistent", "inconsistent", "incomplete", "no_annual_data")
RECONCILE_COLUMNS = (
    "region",
    "indicator",
    "period_start",
    "period_end",
    "reported_value",
    "qualifier",
    "phrase_zh",
    "aggregation",
    "annual_value",
    "annual_years",
    "annual_provenance",
    "difference",
    "status",
)


def reconciliation_rules() -> str:
    """The reconciliation rules as text for a report's method notes."""
    doc = __doc__ or ""
    return doc[doc.index("Reconciliation rules") :].strip()


def is_consistent(annual: float, reported: float, qualifier: str) -> bool:
    """Whether an annual aggregate agrees with a published figure under its qualifier.

    Args:
        annual: aggregate of the annual values (base units).
        reported: the published figure (base units).
        qualifier: one of ``model.QUALIFIERS``; at_least means ``reported`` is a lower bound.
    """
    if qualifier == "at_least":
        return annual >= reported
    if qualifier == "at_most":
        return annual <= reported
    scale = max(abs(reported), 1e-12)
    tolerance = APPROX_TOLERANCE if qualifier == "approx" else EXACT_TOLERANCE
    return abs(annual - reported) / scale <= tolerance


def _aggregate(values: pd.Series, aggregation: str) -> float:
    if aggregation == "sum":
        return float(values.sum())
    if aggregation == "mean":
        return float(values.mean())
    return float(values.iloc[-1])


def reconcile(reported: pd.DataFrame, panel: pd.DataFrame, catalog: Any = None) -> pd.DataFrame:
    """Compare every published figure with the aggregate of the annual values of its period.

    Args:
        reported: published figures (``model.REPORTED_COLUMNS``), base units.
        panel: tidy annual panel (``model.ANNUAL_COLUMNS``), base units.
        catalog: the indicator catalog (aggregation per indicator; default sum).

    Returns:
        One row per published figure (``RECONCILE_COLUMNS``); ``difference`` = annual aggregate
        minus the published value (base units), ``status`` one of ``STATUSES``.
    """
    entries = catalog_entries(catalog)
    rows = []
    for r in reported.itertuples(index=False):
        indicator, start, end = str(r.indicator), int(r.period_start), int(r.period_end)
        aggregation = str(entries.get(indicator, {}).get("aggregation", "sum"))
        sel = panel[
            (panel["region"] == r.region)
            & (panel["indicator"] == indicator)
            & (panel["year"].between(start, end))
        ].sort_values("year")
        row = {
            "region": r.region,
            "indicator": indicator,
            "period_start": start,
            "period_end": end,
            "reported_value": float(r.value),
            "qualifier": str(r.qualifier),
            "phrase_zh": getattr(r, "phrase_zh", ""),
            "aggregation": aggregation,
            "annual_value": np.nan,
            "annual_years": len(sel),
            "annual_provenance": ", ".join(sorted(set(sel["provenance"].astype(str)))),
            "difference": np.nan,
        }
        # a stock or rate needs only the last year; a sum needs every year of the period
        needed = set(range(start, end + 1)) if aggregation == "sum" else {end}
        have = {int(y) for y in sel["year"]}
        if sel.empty:
            row["status"] = "no_annual_data"
        elif not needed <= have or sel["value"].isna().any():
            row["status"] = "incomplete"
        else:
            annual = _aggregate(sel["value"].astype(float), aggregation)
            row["annual_value"] = annual
            row["difference"] = annual - float(r.value)
            ok = is_consistent(annual, float(r.value), str(r.qualifier))
            row["status"] = "consistent" if ok else "inconsistent"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(RECONCILE_COLUMNS))


def coverage(panel: pd.DataFrame, region: str, start: int, end: int) -> pd.DataFrame:
    """Which indicator has a value in which year, and its provenance.

    Args:
        panel: tidy annual panel.
        region: region id.
        start: first year shown.
        end: last year shown.

    Returns:
        Indicator x year table of provenance labels ("" where there is no value).
    """
    sel = panel[(panel["region"] == region) & panel["year"].between(start, end)]
    sel = sel[sel["value"].notna()]
    table = sel.pivot_table(
        index="indicator", columns="year", values="provenance", aggfunc="first"
    ).reindex(columns=range(start, end + 1))
    table.columns = [int(c) for c in table.columns]
    return table.fillna("").astype(str)


def provenance_mix(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per provenance in each named table.

    Args:
        frames: {table name: frame with a ``provenance`` column}.

    Returns:
        Long table with columns table, provenance, rows.
    """
    parts = [
        f["provenance"]
        .astype(str)
        .value_counts()
        .rename_axis("provenance")
        .reset_index(name="rows")
        .assign(table=name)
        for name, f in frames.items()
        if not f.empty
    ]
    if not parts:
        return pd.DataFrame(columns=["table", "provenance", "rows"])
    return pd.concat(parts, ignore_index=True)[["table", "provenance", "rows"]]


def gaps(panel: pd.DataFrame, catalog: Any, region: str, start: int, end: int) -> pd.DataFrame:
    """Stored catalog indicators with missing years in ``start..end`` for ``region``.

    Derived rates (with numerator and denominator) are not expected in the files and are left out.

    Returns:
        Columns indicator, missing_years (comma-separated), n_missing; empty when complete.
    """
    entries = catalog_entries(catalog)
    stored = [i for i, e in entries.items() if not (e.get("numerator") and e.get("denominator"))]
    sel = panel[(panel["region"] == region) & panel["value"].notna()]
    years = sel.groupby("indicator")["year"].apply(lambda s: {int(y) for y in s}).to_dict()
    rows = []
    for ind in stored:
        missing = sorted(set(range(start, end + 1)) - years.get(ind, set()))
        if missing:
            rows.append(
                {
                    "indicator": ind,
                    "missing_years": ", ".join(str(y) for y in missing),
                    "n_missing": len(missing),
                }
            )
    return pd.DataFrame(rows, columns=["indicator", "missing_years", "n_missing"])
