"""Panel access: one indicator of one region over a window, with the years that have values.

A year may be missing from the window, or present with no value (``value`` NaN, optionally with
a ``missing_reason``): the statistics use the years that exist when at least ``WINDOW_MIN``
remain, and say which are missing (``missing_years``); with fewer the indicator is not
analysed and the error says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from uniontrends.data.model import WINDOW_MIN
from uniontrends.errors import DataError, ParameterError, Problem
from uniontrends.notes import Note, NotedError, years_field

# The rows of each (indicator, region) of one panel, while ``indexed_rows`` is active for it.
_ROWS: ContextVar[tuple[pd.DataFrame, dict[tuple[str, str], pd.DataFrame]] | None] = ContextVar(
    "uniontrends_series_rows", default=None
)


@contextmanager
def indexed_rows(panel: pd.DataFrame) -> Iterator[None]:
    """Within the block, look the rows of an indicator and region up in ``panel`` once.

    An area summary reads each series several times (its window, the previous term, the
    exposure of every per-member rate); filtering the whole panel each time dominated the
    statistics' run time. The panel must not change inside the block.
    """
    groups = {
        (str(i), str(r)): rows
        for (i, r), rows in panel.groupby(["indicator", "region"], sort=False)
    }
    token = _ROWS.set((panel, groups))
    try:
        yield
    finally:
        _ROWS.reset(token)


def series_rows(panel: pd.DataFrame, indicator: str, region: str) -> pd.DataFrame:
    """The panel's rows of one indicator and region (in panel order; do not modify them)."""
    active = _ROWS.get()
    if active is not None and active[0] is panel:
        found = active[1].get((indicator, region))
        return found if found is not None else panel.iloc[:0]
    return panel[(panel["indicator"] == indicator) & (panel["region"] == region)]


def missing_years(frame: pd.DataFrame, end: int, window: int) -> list[int]:
    """The years of the window ``end - window + 1 .. end`` that ``frame`` (by year) lacks."""
    return sorted(set(range(end - window + 1, end + 1)) - {int(y) for y in frame.index})


def _reasons(rows: pd.DataFrame) -> str:
    if "missing_reason" not in rows.columns:
        return ""
    given = [
        f"{int(y)}: {r}"
        for y, r in zip(rows["year"], rows["missing_reason"], strict=True)
        if isinstance(r, str) and r.strip()
    ]
    return f" ({'; '.join(given)})" if given else ""


def window_series(
    panel: pd.DataFrame, indicator: str, region: str, end: int, window: int = 5
) -> pd.DataFrame:
    """The rows with a value of one indicator and region in end - window + 1 ... end, by year.

    Raises:
        ParameterError: window < WINDOW_MIN.
        UniontrendsError: no data, or fewer than WINDOW_MIN years with a value in the window
            (the message names the missing years and any reasons given).
        DataError: duplicate years.
    """
    if window < WINDOW_MIN:
        raise ParameterError("window", window, f"a trend needs at least {WINDOW_MIN} years")
    start = end - window + 1
    rows = series_rows(panel, indicator, region)
    if rows.empty:
        raise NotedError(Note.of("skip.no_data", indicator=indicator, region=region))
    # positional numpy work on the small frame: pandas indexing per call dominated a notebook
    years = rows["year"].to_numpy(dtype=float)
    inside = np.flatnonzero((years >= start) & (years <= end))
    in_years = years[inside].astype(int)
    uniq, counts = np.unique(in_years, return_counts=True)
    if np.any(counts > 1):
        raise DataError(
            [
                Problem(
                    "panel", "unique_year", f"{region} {indicator} has {y} twice", column="year"
                )
                for y in uniq[counts > 1]
            ]
        )
    values = rows["value"].to_numpy(dtype=float)[inside]
    kept = inside[~np.isnan(values)]
    order = kept[np.argsort(years[kept], kind="stable")]
    columns = [i for i, c in enumerate(rows.columns) if c != "year"]
    out = rows.iloc[order, columns]
    out.index = pd.Index(years[order].astype(int), name="year")
    if len(out) < WINDOW_MIN:
        missing = missing_years(out, end, window)
        raise NotedError(
            Note.of(
                "skip.too_few_years", indicator=indicator, region=region, n=len(out),
                start=start, end=end, missing=years_field(missing), needed=WINDOW_MIN,
                reasons=_reasons(rows.iloc[inside[np.isnan(values)]]),
            )
        )  # fmt: skip
    return out


def exposure_series(
    panel: pd.DataFrame, exposure: str | None, region: str, years: list[int]
) -> pd.Series | None:
    """The exposure's values for exactly these years, or None when any is missing."""
    if not exposure:
        return None
    rows = series_rows(panel, exposure, region)
    rows = rows[rows["year"].isin(years) & rows["value"].notna()]
    rows = rows.drop_duplicates("year").set_index("year")["value"]
    if len(rows) != len(years):
        return None
    rows.index = rows.index.astype(int)
    return rows.reindex(years).astype(float)
