"""Validation of annual and reported tables (pandera schemas + cross-row rules) into Problems.

Every rule names its file, row, column and rule; every problem is collected, not only the first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from uniontrends.data.catalog import Catalog
from uniontrends.data.model import (
    ANNUAL_COLUMNS,
    PROVENANCES,
    QUALIFIERS,
    REGION_PATTERN,
    REPORTED_COLUMNS,
    UNITS,
    YEAR_MAX,
    YEAR_MIN,
)
from uniontrends.data.quantities import parse_quantity, parse_value
from uniontrends.data.tables import read_table
from uniontrends.errors import DataError, Problem, QuantityError

_ID_COLUMNS = ("region", "indicator", "qualifier", "unit", "provenance")
_TEXT_COLUMNS = ("source", "note")
_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_YEAR = re.compile(r"^\d{4}$")
_FORMULA_START = ("=", "+", "-", "@")
_NONNEGATIVE_KINDS = ("flow", "stock", "money", "rate")

# pandera check name (rule) -> message template for one failing cell ({case} = the cell).
_MESSAGES = {
    "region_slug": "region {case!r} is not a safe slug (lower-case letters, digits, '_' or '-', "
    "starting with a letter, no '/' or '..')",
    "year_range": f"year {{case}} is outside {YEAR_MIN}..{YEAR_MAX}",
    "indicator_known": "indicator {case!r} is not in the catalog (data/indicators.yaml)",
    "qualifier_known": f"qualifier {{case!r}} is not one of {', '.join(QUALIFIERS)}",
    "provenance_known": f"provenance {{case!r}} is not one of {', '.join(PROVENANCES)}",
    "source_nonempty": "source is empty: every value needs its source",
    "value_finite": "value {case} is not a finite number",
}


@dataclass
class ValidationReport:
    """What `validate_dir` found: rows per file, regions, indicators and every problem."""

    data_dir: Path
    files: dict[str, int] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    indicators: int = 0
    reported_figures: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.problems

    @property
    def rows(self) -> int:
        """Data rows read over all tables."""
        return sum(self.files.values())

    def summary(self) -> str:
        """One line of counts, e.g. "ok: 4 files, 1230 rows, 3 regions, ..."."""
        head = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        return (
            f"{head}: {len(self.files)} files, {self.rows} rows, {len(self.regions)} regions, "
            f"{self.indicators} indicators, {self.reported_figures} reported figures"
        )


def empty_annual() -> pd.DataFrame:
    """An annual table with no rows and the right columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in ANNUAL_COLUMNS})
    return frame.astype({"year": int, "value": float})


def empty_reported() -> pd.DataFrame:
    """A reported table with no rows and the right columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in REPORTED_COLUMNS})
    return frame.astype({"period_start": int, "period_end": int, "value": float})


def _schema(catalog: Catalog, year_columns: tuple[str, ...]) -> pa.DataFrameSchema:
    """Column-level rules; rule names double as pandera error strings (see _MESSAGES)."""
    columns = {
        "region": pa.Column(str, pa.Check.str_matches(REGION_PATTERN, error="region_slug")),
        "indicator": pa.Column(
            str, pa.Check.isin(list(catalog.indicators), error="indicator_known")
        ),
        "qualifier": pa.Column(str, pa.Check.isin(list(QUALIFIERS), error="qualifier_known")),
        "provenance": pa.Column(str, pa.Check.isin(list(PROVENANCES), error="provenance_known")),
        "source": pa.Column(str, pa.Check.str_length(min_value=1, error="source_nonempty")),
        "value": pa.Column(
            float,
            pa.Check(lambda s: s.map(math.isfinite), element_wise=False, error="value_finite"),
            nullable=True,
        ),
    }
    for name in year_columns:
        columns[name] = pa.Column(
            "Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX, error="year_range"), nullable=True
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _schema_problems(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> list[Problem]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        problems = []
        for case in error.failure_cases.itertuples(index=False):
            rule = str(case.check)
            template = _MESSAGES.get(rule, f"{case.column}: failed {rule} ({{case!r}})")
            row = int(case.index) if pd.notna(case.index) else None
            problems.append(
                Problem(file, rule, template.format(case=case.failure_case), row, case.column)
            )
        return problems
    return []


def _columns_problems(frame: pd.DataFrame, expected: tuple[str, ...], file: str) -> list[Problem]:
    problems = [
        Problem(
            file,
            "missing_column",
            f"column {c!r} is missing; expected columns: {', '.join(expected)}",
            1,
            c,
        )
        for c in expected
        if c not in frame.columns
    ]
    problems += [
        Problem(
            file,
            "unknown_column",
            f"column {c!r} is not part of the table; expected columns: {', '.join(expected)}",
            1,
            c,
        )
        for c in frame.columns
        if c not in expected
    ]
    dupes = frame.columns[frame.columns.duplicated()]
    problems += [
        Problem(file, "duplicate_column", f"column {c!r} appears twice", 1, c) for c in dupes
    ]
    return problems


def _strip_ids(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Flag and strip spaces around identifier cells (' union_members' would not match)."""
    problems = []
    for col in _ID_COLUMNS:
        if col not in frame.columns:
            continue
        stripped = frame[col].str.strip()
        for row in frame.index[stripped != frame[col]]:
            problems.append(
                Problem(
                    file,
                    "whitespace",
                    f"{frame.at[row, col]!r} has spaces around it: write {stripped[row]!r}",
                    row,
                    col,
                )
            )
        frame[col] = stripped
    return problems


def _parse_years(frame: pd.DataFrame, col: str, file: str) -> tuple[pd.Series, list[Problem]]:
    problems, years = [], []
    for row, text in frame[col].str.strip().items():
        if _YEAR.match(text):
            years.append(int(text))
            continue
        digits = re.search(r"\d{4}", text)
        hint = f": write {digits[0]}" if digits else ": write a four-digit year such as 2020"
        problems.append(
            Problem(file, "year_type", f"{col} {text!r} is not a whole year{hint}", row, col)
        )
        years.append(None)
    return pd.Series(years, index=frame.index, dtype="Int64"), problems


def _parse_values(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Turn value cells into floats in place; Chinese phrases set unit/qualifier when consistent."""
    problems, values = [], []
    for row, text in frame["value"].items():
        cell = text.strip()
        if cell == "" or cell.lower() in ("nan", "na", "n/a", "null", "none", "-"):
            problems.append(
                Problem(
                    file,
                    "value_missing",
                    f"value {text!r} is missing: leave the row out "
                    "rather than writing an empty or NaN value",
                    row,
                    "value",
                )
            )
            values.append(float("nan"))
            continue
        if _PLAIN_NUMBER.match(cell):
            values.append(float(cell))
            continue
        try:
            quantity = parse_value(cell)
        except QuantityError as error:
            problems.append(Problem(file, "value_parse", str(error), row, "value"))
            values.append(float("nan"))
            continue
        values.append(quantity.value)
        if quantity.unit is not None and frame.at[row, "unit"] in ("", quantity.unit):
            frame.at[row, "unit"] = quantity.unit
        elif quantity.unit is not None:
            problems.append(
                Problem(
                    file,
                    "unit_conflict",
                    f"value {cell!r} is in {quantity.unit!r} but the "
                    f"unit column says {frame.at[row, 'unit']!r}",
                    row,
                    "unit",
                )
            )
        given = frame.at[row, "qualifier"]
        if given == "":
            frame.at[row, "qualifier"] = quantity.qualifier
        elif quantity.qualifier != "exact":
            if given in ("exact", quantity.qualifier):
                frame.at[row, "qualifier"] = quantity.qualifier
            else:
                problems.append(
                    Problem(
                        file,
                        "qualifier_conflict",
                        f"value {cell!r} means "
                        f"{quantity.qualifier!r} but the qualifier column says {given!r}",
                        row,
                        "qualifier",
                    )
                )
    frame["value"] = pd.Series(values, index=frame.index, dtype=float)
    return problems


def _unit_message(unit: str, want: str, value: float, indicator: str) -> str:
    """Explain a wrong unit, with the converted value when the unit is a scaled one (万元)."""
    try:
        per_unit = parse_quantity("1" + unit) if unit else None
    except QuantityError:
        per_unit = None
    if per_unit is not None and per_unit.unit == want and not math.isnan(value):
        converted = value * per_unit.value
        shown = f"{converted:.0f}" if float(converted).is_integer() else f"{converted:g}"
        return (
            f"unit {unit!r} is not allowed: values are stored in base units; write {shown} "
            f"with unit {want!r}"
        )
    if unit in UNITS:
        return f"unit {unit!r} does not match the catalog unit {want!r} of {indicator!r}"
    return f"unit {unit!r} is not a known unit; {indicator!r} is stored in {want!r}"


def _catalog_problems(frame: pd.DataFrame, catalog: Catalog, file: str) -> list[Problem]:
    problems = []
    for row, rec in frame.iterrows():
        ind = catalog.indicators.get(rec["indicator"])
        if ind is None:
            continue
        value = rec["value"]
        if rec["unit"] != ind.unit:
            problems.append(
                Problem(
                    file,
                    "unit_catalog",
                    _unit_message(rec["unit"], ind.unit, value, ind.id),
                    row,
                    "unit",
                )
            )
            continue
        if math.isnan(value) or not math.isfinite(value):
            continue
        if ind.kind in _NONNEGATIVE_KINDS and value < 0:
            problems.append(
                Problem(
                    file,
                    "nonnegative",
                    f"value {value:g} is negative: {ind.id!r} is a "
                    f"{ind.kind} in {ind.unit!r} and cannot be below 0",
                    row,
                    "value",
                )
            )
        elif ind.unit == "share" and value > 1:
            problems.append(
                Problem(
                    file,
                    "share_range",
                    f"rate {value:g} is above 1: write shares as "
                    f"fractions (85% -> 0.85); {value:g} would be {value * 100:g}%, which "
                    "is impossible",
                    row,
                    "value",
                )
            )
    return problems


def _formula_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Text that a spreadsheet would run as a formula (CSV injection), unless it is a number."""
    problems = []
    for col in _TEXT_COLUMNS:
        if col not in frame.columns:
            continue
        for row, text in frame[col].items():
            cell = text.lstrip()
            # A lone "-" (a common "none") is text to a spreadsheet, not a formula.
            if len(cell) > 1 and cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(cell):
                problems.append(
                    Problem(
                        file,
                        "formula_injection",
                        f"{col} starts with {cell[0]!r} "
                        f"({cell[:40]!r}): a spreadsheet would run it as a formula; "
                        "remove the leading character or quote it with a leading apostrophe",
                        row,
                        col,
                    )
                )
    return problems


def _duplicate_problems(frame: pd.DataFrame, keys: list[str], file: str) -> list[Problem]:
    keyed = frame.dropna(subset=keys)
    dup = keyed.duplicated(subset=keys, keep=False)
    problems = []
    for key, group in keyed[dup].groupby(keys, sort=False):
        rows = list(group.index)
        for row in rows[1:]:
            problems.append(
                Problem(
                    file,
                    "duplicate_row",
                    f"({', '.join(keys)}) = {key} repeats row {rows[0]}: keep one row per key",
                    row,
                    keys[-1],
                )
            )
    return problems


def _contiguity_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for (region, indicator), group in frame.groupby(["region", "indicator"], sort=False):
        if group["year"].isna().any():
            continue  # an unreadable year is already reported; a gap there would repeat it
        years = sorted(set(int(y) for y in group["year"]))
        for before, after in zip(years, years[1:], strict=False):
            if after - before > 1:
                missing = ", ".join(str(y) for y in range(before + 1, after))
                row = int(group.index[group["year"] == after][0])
                problems.append(
                    Problem(
                        file,
                        "missing_year",
                        f"{region}/{indicator}: missing year "
                        f"{missing} between {before} and {after}",
                        row,
                        "year",
                    )
                )
    return problems


def _prepare(frame: pd.DataFrame, expected: tuple[str, ...], file: str) -> pd.DataFrame:
    frame = frame.copy()
    if frame.index.name != "row":
        # A frame not from read_table: number rows as the file would (header = 1).
        frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    frame.columns = [str(c) for c in frame.columns]
    problems = _columns_problems(frame, expected, file)
    if problems:
        raise DataError(problems)
    for col in expected:
        frame[col] = frame[col].map(lambda v: "" if v is None or v != v else str(v))
    return frame


def _file_name(frame: pd.DataFrame, file: str | None, default: str) -> str:
    return file or str(frame.attrs.get("file", default))


def check_annual(
    frame: pd.DataFrame,
    catalog: Catalog,
    file: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Validate one annual table (as read by load.read_table) and return it typed.

    Args:
        frame: string cells indexed by file row; columns model.ANNUAL_COLUMNS.
        catalog: the indicator catalog of the data package.
        file: the file name for messages (default: frame.attrs["file"]).
        region: when given (annual/<region>.csv), every row must belong to this region.

    Returns:
        DataFrame with columns ANNUAL_COLUMNS, year int, value float (base units), index 0..n-1.

    Raises:
        DataError: every broken rule, each with file, row, column and rule.
    """
    name = _file_name(frame, file, "annual table")
    frame = _prepare(frame, ANNUAL_COLUMNS, name)
    problems = _strip_ids(frame, name)
    frame["year"], found = _parse_years(frame, "year", name)
    problems += found + _parse_values(frame, name)
    problems += _schema_problems(frame, _schema(catalog, ("year",)), name)
    problems += _catalog_problems(frame, catalog, name)
    problems += _formula_problems(frame, name)
    problems += _duplicate_problems(frame, ["region", "indicator", "year"], name)
    problems += _contiguity_problems(frame, name)
    if region is not None:
        # One table per region: params and the runner find a region's data by file name.
        for row in frame.index[(frame["region"] != region) & (frame["region"] != "")]:
            problems.append(
                Problem(
                    name,
                    "region_file",
                    f"region {frame.at[row, 'region']!r} in the table "
                    f"of {region!r}: put each region's rows in annual/<region>.csv",
                    row,
                    "region",
                )
            )
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    out = frame[list(ANNUAL_COLUMNS)].reset_index(drop=True)
    return out.astype({"year": int, "value": float})


def check_reported(frame: pd.DataFrame, catalog: Catalog, file: str | None = None) -> pd.DataFrame:
    """Validate one reported-figures table and return it typed.

    Args:
        frame: string cells indexed by file row; columns model.REPORTED_COLUMNS.
        catalog: the indicator catalog of the data package.
        file: the file name for messages (default: frame.attrs["file"]).

    Returns:
        DataFrame with columns REPORTED_COLUMNS, period_start/end int, value float (base units).

    Raises:
        DataError: every broken rule, each with file, row, column and rule.
    """
    name = _file_name(frame, file, "reported table")
    frame = _prepare(frame, REPORTED_COLUMNS, name)
    problems = _strip_ids(frame, name)
    for col in ("period_start", "period_end"):
        frame[col], found = _parse_years(frame, col, name)
        problems += found
    problems += _parse_values(frame, name)
    problems += _schema_problems(frame, _schema(catalog, ("period_start", "period_end")), name)
    bad = frame["period_start"] > frame["period_end"]
    for row in frame.index[bad.fillna(False).astype(bool)]:
        problems.append(
            Problem(
                name,
                "period_order",
                f"period_start {frame.at[row, 'period_start']} is "
                f"after period_end {frame.at[row, 'period_end']}",
                row,
                "period_start",
            )
        )
    problems += _catalog_problems(frame, catalog, name)
    problems += _formula_problems(frame, name)
    problems += _duplicate_problems(
        frame, ["region", "indicator", "period_start", "period_end"], name
    )
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    out = frame[list(REPORTED_COLUMNS)].reset_index(drop=True)
    return out.astype({"period_start": int, "period_end": int, "value": float})


def check_file(path: Path | str, catalog: Catalog, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate one annual or reported table (kind told by its columns).

    Args:
        path: a .csv or .xlsx file; a table with period_start is a reported table.
        catalog: the indicator catalog of the data package.
        sheet: the XLSX sheet (default: the first).

    Returns:
        The typed table (see check_annual / check_reported).

    Raises:
        DataError: every broken rule, naming file (and sheet), row, column and rule.
    """
    frame = read_table(path, sheet=sheet)
    if "period_start" in frame.columns:
        return check_reported(frame, catalog)
    return check_annual(frame, catalog)
