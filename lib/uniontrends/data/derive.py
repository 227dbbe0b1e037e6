"""Derived indicators: catalog rates (numerator / denominator x scale) per region-year.

Rules (also returned by ``derivation_rules()`` for the method notes):
- A rate is derived where the catalog gives numerator and denominator and both are in the panel
  for the region-year; a rate already in the panel for that region-year is kept, not recomputed.
- A zero or negative denominator is an error (a rate per zero members is undefined).
- Where the numerator or denominator is marked missing for the region-year, the rate is
  missing too (no value, qualifier missing, the reason naming the input).
- provenance: the inputs' provenance when they agree, else the less direct one in the order
  reference, official_annual, reported.
- A rate with a synthetic input is synthetic.
- qualifier of a ratio: exact/exact -> exact; at_least numerator over an exact denominator ->
  at_least (and at_most -> at_most); an exact numerator over an at_least denominator -> at_most
  (and at_most -> at_least); anything approx, or bounds that do not combine, -> approx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from uniontrends.data.model import ANNUAL_COLUMNS, ANNUAL_OPTIONAL_COLUMNS, MISSING
from uniontrends.errors import DataError, Problem, UniontrendsError

_PANEL = "panel"
# When provenances disagree the derived row takes the less direct one.
_PROVENANCE_ORDER = ("synthetic", "reference", "official_annual", "reported")
_FIELDS = (
    "id",
    "area",
    "name_en",
    "name_zh",
    "unit",
    "kind",
    "aggregation",
    "numerator",
    "denominator",
    "scale",
)


def derivation_rules(synthetic: bool = True) -> str:
    """The derivation rules as text for a report's method notes.

    Args:
        synthetic: whether the data hold synthetic values (the rule about them is left out
            when none do: a report on official data says nothing about synthetic data).
    """
    text = (__doc__ or "").split("\n\n", 1)[1].strip()
    if synthetic:
        return text
    return "\n".join(line for line in text.splitlines() if "synthetic" not in line)


def catalog_entries(catalog: Any) -> dict[str, dict[str, Any]]:
    """The catalog as ``{indicator_id: {field: value}}``.

    Args:
        catalog: the parsed ``indicators.yaml`` dict (with an ``indicators`` list), a list of
            dicts, a list of objects with attributes (``catalog.Indicator``), or a mapping
            from id to either.
    """
    if catalog is None:
        return {}
    if isinstance(catalog, Mapping) and "indicators" in catalog:
        items: Iterable[Any] = catalog["indicators"]
    elif isinstance(catalog, Mapping):
        items = catalog.values()
    else:
        items = getattr(catalog, "indicators", catalog)
        if isinstance(items, Mapping):
            items = items.values()
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, Mapping):
            entry = dict(item)
        else:
            entry = {k: getattr(item, k) for k in _FIELDS if hasattr(item, k)}
        out[str(entry["id"])] = entry
    return out


def catalog_areas(catalog: Any) -> dict[str, dict[str, str]]:
    """Area names ``{area: {"name_en": ..., "name_zh": ...}}`` when the catalog carries them."""
    if isinstance(catalog, Mapping) and isinstance(catalog.get("areas"), Mapping):
        return {k: dict(v) for k, v in catalog["areas"].items()}
    areas = getattr(catalog, "areas", None)
    if isinstance(areas, Mapping):
        return {k: dict(v) if isinstance(v, Mapping) else vars(v) for k, v in areas.items()}
    return {}


def combine_ratio_qualifier(numerator: str, denominator: str) -> str:
    """Qualifier of numerator / denominator (see the module rules)."""
    if numerator == "exact" and denominator == "exact":
        return "exact"
    if "approx" in (numerator, denominator):
        return "approx"
    if denominator == "exact":
        return numerator
    if numerator == "exact":
        return {"at_least": "at_most", "at_most": "at_least"}[denominator]
    return "approx"


def combine_sum_qualifier(qualifiers: Iterable[str]) -> str:
    """Qualifier of a sum: lower bounds plus exact values stay a lower bound; mixed -> approx."""
    found = set(qualifiers) - {"exact"}
    if not found:
        return "exact"
    if len(found) == 1 and "approx" not in found:
        return found.pop()
    return "approx"


def combine_statistic_qualifier(qualifiers: Iterable[str]) -> str:
    """Qualifier of a statistic (slope, change, test) of values: any inexact input -> approx."""
    return "exact" if set(qualifiers) <= {"exact"} else "approx"


def combine_provenance(provenances: Iterable[str]) -> str:
    """Provenance of a value computed from inputs with these provenances (see module rules)."""
    found = set(provenances)
    for p in _PROVENANCE_ORDER:
        if p in found:
            return p
    raise UniontrendsError(f"unknown provenance(s) {sorted(found)}")


def _with_optional_columns(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with every optional column (a table of ANNUAL_COLUMNS only gets defaults)."""
    out = panel.copy()
    if "missing_reason" not in out:
        out["missing_reason"] = ""
    for col in ("sample_size", "design_effect"):
        if col not in out:
            out[col] = float("nan")
    return out


def add_derived(panel: pd.DataFrame, catalog: Any) -> pd.DataFrame:
    """Add the catalog's rate indicators computed from their numerator and denominator.

    Args:
        panel: tidy annual panel with ``model.ANNUAL_COLUMNS`` (and, from validation, the
            optional ``model.ANNUAL_OPTIONAL_COLUMNS``, added with defaults when absent).
        catalog: the indicator catalog (see ``catalog_entries``).

    Returns:
        A new panel (``model.PANEL_COLUMNS`` and any other columns of ``panel``): the input
        rows plus one row per derivable region-year rate, in the rate's catalog unit (e.g.
        per 1,000 members when scale is 1000); missing where an input is missing.

    Raises:
        DataError: a missing column, duplicate region-year-indicator rows, or a denominator <= 0.
    """
    missing = [c for c in ANNUAL_COLUMNS if c not in panel.columns]
    if missing:
        raise DataError(
            [Problem(_PANEL, "required_column", "column missing", column=c) for c in missing]
        )
    panel = _with_optional_columns(panel)
    key = ["region", "year", "indicator"]
    dup = panel.duplicated(key, keep=False)
    if dup.any():
        raise DataError(
            [
                Problem(
                    _PANEL,
                    "unique_region_year_indicator",
                    f"duplicate row for {r.region} {r.year} {r.indicator}",
                    column="indicator",
                )
                for r in panel[dup].drop_duplicates(key).itertuples()
            ]
        )
    entries = catalog_entries(catalog)
    by_ind = {ind: g.set_index(["region", "year"]) for ind, g in panel.groupby("indicator")}
    new_rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for ind_id, entry in entries.items():
        num_id, den_id = entry.get("numerator"), entry.get("denominator")
        if not num_id or not den_id or num_id not in by_ind or den_id not in by_ind:
            continue
        num, den = by_ind[num_id], by_ind[den_id]
        have = by_ind[ind_id].index if ind_id in by_ind else pd.Index([])
        scale = float(entry.get("scale") or 1)
        for region, year in num.index.intersection(den.index).difference(have):
            n, d = num.loc[(region, year)], den.loc[(region, year)]
            row = {
                "region": region,
                "year": year,
                "indicator": ind_id,
                "unit": entry.get("unit", ""),
                "source": f"derived: {num_id} / {den_id} x {scale:g}",
                "provenance": combine_provenance([n["provenance"], d["provenance"]]),
                "missing_reason": "",
                "sample_size": float("nan"),
                "design_effect": float("nan"),
            }
            absent = [(i, r) for i, r in ((num_id, n), (den_id, d)) if pd.isna(r["value"])]
            if absent:
                why = "; ".join(
                    f"{i} is missing ({r['missing_reason'] or 'no value'})" for i, r in absent
                )
                new_rows.append(
                    row | {"value": float("nan"), "qualifier": MISSING, "missing_reason": why}
                )
                continue
            if not d["value"] > 0:
                problems.append(
                    Problem(
                        _PANEL,
                        "denominator_positive",
                        f"{den_id} is {d['value']} for {region} {year}; cannot derive {ind_id}",
                        column="value",
                    )
                )
                continue
            new_rows.append(
                row
                | {
                    "value": float(n["value"]) / float(d["value"]) * scale,
                    "qualifier": combine_ratio_qualifier(n["qualifier"], d["qualifier"]),
                }
            )
    if problems:
        raise DataError(problems)
    if not new_rows:
        return panel
    columns = [*ANNUAL_COLUMNS, *ANNUAL_OPTIONAL_COLUMNS]
    derived = pd.DataFrame(new_rows, columns=columns)
    derived = derived.astype({c: panel[c].dtype for c in ("year",) if c in panel})
    out = pd.concat([panel, derived], ignore_index=True)
    return out.sort_values(key, kind="stable", ignore_index=True)
