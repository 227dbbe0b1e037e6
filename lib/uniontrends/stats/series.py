"""Panel access: one indicator of one region over a window, checked to be complete."""

from __future__ import annotations

import pandas as pd

from uniontrends.data.model import WINDOW_MIN
from uniontrends.errors import DataError, ParameterError, Problem, UniontrendsError


def window_series(
    panel: pd.DataFrame, indicator: str, region: str, end: int, window: int = 5
) -> pd.DataFrame:
    """The rows of one indicator and region for the years end - window + 1 ... end, by year.

    Raises:
        ParameterError: window < WINDOW_MIN.
        UniontrendsError: no data, or years missing in the window.
        DataError: duplicate years or missing values.
    """
    if window < WINDOW_MIN:
        raise ParameterError("window", window, f"a trend needs at least {WINDOW_MIN} years")
    start = end - window + 1
    rows = panel[(panel["indicator"] == indicator) & (panel["region"] == region)]
    if rows.empty:
        raise UniontrendsError(f"no data for indicator {indicator!r} in region {region!r}")
    rows = rows[(rows["year"] >= start) & (rows["year"] <= end)]
    dup = rows["year"].duplicated()
    if dup.any():
        years = sorted(int(y) for y in rows.loc[dup, "year"])
        raise DataError(
            [
                Problem(
                    "panel", "unique_year", f"{region} {indicator} has {y} twice", column="year"
                )
                for y in years
            ]
        )
    missing = sorted(set(range(start, end + 1)) - {int(y) for y in rows["year"]})
    if missing:
        raise UniontrendsError(
            f"{indicator} in {region}: years {missing} missing from the window {start}-{end}; "
            f"a trend over a window with gaps would be misleading"
        )
    if rows["value"].isna().any():
        raise DataError(
            [
                Problem("panel", "value_present", f"{region} {indicator} {int(y)} has no value")
                for y in rows.loc[rows["value"].isna(), "year"]
            ]
        )
    out = rows.sort_values("year").set_index("year")
    out.index = out.index.astype(int)
    return out


def exposure_series(
    panel: pd.DataFrame, exposure: str | None, region: str, years: list[int]
) -> pd.Series | None:
    if not exposure:
        return None
    rows = panel[(panel["indicator"] == exposure) & (panel["region"] == region)]
    rows = rows[rows["year"].isin(years)].drop_duplicates("year").set_index("year")["value"]
    if len(rows) != len(years):
        return None
    rows.index = rows.index.astype(int)
    return rows.reindex(years).astype(float)
