"""Validation of annual and reported tables (pandera schemas + cross-row rules) into Problems.

Every rule names its file, row, column and rule; every problem is collected, not only the first.
The rules are vectorised (a 200,000-row table is checked in a few seconds); loops run over the
rows that break a rule only.

Values: a plain number ("1200", "0.85", "1e3"), a number with thousands separators in groups
of three ("1,200"), or a Chinese quantity ("3.5万", "1200余件"). "1.200" is refused: the dot may
be a decimal point or a thousands separator. An annual value may be left empty (or "NA",
"-") only with the qualifier ``missing`` (``model.MISSING``); its ``missing_reason`` may say
why. Years may be absent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from uniontrends.data.catalog import Catalog
from uniontrends.data.model import (
    ANNUAL_COLUMNS,
    ANNUAL_OPTIONAL_COLUMNS,
    ANNUAL_QUALIFIERS,
    FOLDER_PROVENANCES,
    MISSING,
    MISSING_REASON_DEFAULT,
    PANEL_COLUMNS,
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
_TEXT_COLUMNS = ("source", "note", "missing_reason")
_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
# "1.200" or "12.500.000": a dot before exactly three digits may be a thousands separator.
_DOT_THOUSANDS = re.compile(r"^[-+]?[1-9]\d{0,2}(\.\d{3})+$")
_GROUPED_NUMBER = re.compile(r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_YEAR = r"^\d{4}$"
_FORMULA_START = ("=", "+", "-", "@")
_NONNEGATIVE_KINDS = ("flow", "stock", "money", "rate")
_BLANKS = ("", "nan", "na", "n/a", "null", "none", "-", "–", "—", "－")
# A source that says its values are synthetic cannot carry another provenance.
_SYNTHETIC_SOURCE = re.compile(r"\bsynthetic\b|\bsimulated\b|合成", re.IGNORECASE)

# pandera check name (rule) -> message template for one failing cell ({case} = the cell).
_MESSAGES = {
    "region_slug": "region {case} is not a safe slug (lower-case letters, digits, '_' or '-', "
    "starting with a letter, no '/' or '..')",
    "year_range": f"year {{case}} is outside {YEAR_MIN}..{YEAR_MAX}",
    "indicator_known": "indicator {case} is not in the catalog (indicators.yaml)",
    "qualifier_known": "qualifier {case} is not one of {allowed}",
    "provenance_known": f"provenance {{case}} is not one of {', '.join(PROVENANCES)}",
    "source_nonempty": "source is empty: every value needs its source",
    "value_finite": "value {case} is not a finite number",
}


def shown(value: object, limit: int = 60) -> str:
    """A cell for a message: text quoted, numbers as written, cut to ``limit`` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ValidationReport:
    """What `validate_package` found: rows per file, regions, indicators and every problem.

    ``files`` counts every table file read, valid or not: its rows, or None when it broke a
    rule (the problems say which).
    """

    data_dir: Path
    files: dict[str, int | None] = field(default_factory=dict)
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
        """Data rows of the valid tables."""
        return sum(n for n in self.files.values() if n is not None)

    @property
    def invalid_files(self) -> list[str]:
        """The table files that broke a rule."""
        return [name for name, n in self.files.items() if n is None]

    def summary(self) -> str:
        """One line of counts, e.g. "ok: 4 files, 1230 rows, 3 regions, ..."."""
        head = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        bad = f" ({len(self.invalid_files)} with problems)" if self.invalid_files else ""
        return (
            f"{head}: {len(self.files)} files{bad}, {self.rows} rows, {len(self.regions)} "
            f"regions, {self.indicators} indicators, {self.reported_figures} reported figures"
        )


def empty_annual() -> pd.DataFrame:
    """An annual panel with no rows and the right columns and dtypes (``PANEL_COLUMNS``)."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in PANEL_COLUMNS})
    return frame.astype({"year": int, "value": float, "sample_size": float, "design_effect": float})


def empty_reported() -> pd.DataFrame:
    """A reported table with no rows and the right columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in REPORTED_COLUMNS})
    return frame.astype({"period_start": int, "period_end": int, "value": float})


def _schema(
    catalog: Catalog, year_columns: tuple[str, ...], qualifiers: tuple[str, ...]
) -> pa.DataFrameSchema:
    """Column-level rules; rule names double as pandera error strings (see _MESSAGES)."""
    columns = {
        "region": pa.Column(str, pa.Check.str_matches(REGION_PATTERN, error="region_slug")),
        "indicator": pa.Column(
            str, pa.Check.isin(list(catalog.indicators), error="indicator_known")
        ),
        "qualifier": pa.Column(str, pa.Check.isin(list(qualifiers), error="qualifier_known")),
        "provenance": pa.Column(str, pa.Check.isin(list(PROVENANCES), error="provenance_known")),
        "source": pa.Column(str, pa.Check.str_length(min_value=1, error="source_nonempty")),
        "value": pa.Column(
            float,
            pa.Check(lambda s: np.isfinite(s), element_wise=False, error="value_finite"),
            nullable=True,
        ),
    }
    for name in year_columns:
        columns[name] = pa.Column(
            "Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX, error="year_range"), nullable=True
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _schema_problems(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str, qualifiers: tuple[str, ...]
) -> list[Problem]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        problems = []
        for case in error.failure_cases.itertuples(index=False):
            rule = str(case.check)
            template = _MESSAGES.get(rule, f"{case.column}: failed {rule} ({{case}})")
            row = int(case.index) if pd.notna(case.index) else None
            message = template.format(case=shown(case.failure_case), allowed=", ".join(qualifiers))
            problems.append(Problem(file, rule, message, row, case.column))
        return problems
    return []


def _columns_problems(
    frame: pd.DataFrame, expected: tuple[str, ...], optional: tuple[str, ...], file: str
) -> list[Problem]:
    allowed = (*expected, *optional)
    listing = ", ".join(expected) + (f" (optional: {', '.join(optional)})" if optional else "")
    problems = [
        Problem(file, "missing_column", f"column {c!r} is missing; expected columns: {listing}",
                1, c)
        for c in expected
        if c not in frame.columns
    ]  # fmt: skip
    problems += [
        Problem(file, "unknown_column",
                f"column {shown(c)} is not part of the table; expected columns: {listing}", 1, c)
        for c in frame.columns
        if c not in allowed
    ]  # fmt: skip
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
                    f"{shown(frame.at[row, col])} has spaces around it: write "
                    f"{shown(stripped[row])}",
                    row,
                    col,
                )
            )
        frame[col] = stripped
    return problems


def _parse_years(frame: pd.DataFrame, col: str, file: str) -> tuple[pd.Series, list[Problem]]:
    text = frame[col].str.strip()
    good = text.str.fullmatch(_YEAR)
    years = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    years[good] = text[good].astype(int)
    problems = []
    for row, cell in text[~good].items():
        digits = re.search(r"\d{4}", cell)
        hint = f": write {digits[0]}" if digits else ": write a four-digit year such as 2020"
        problems.append(
            Problem(file, "year_type", f"{col} {shown(cell)} is not a whole year{hint}", row, col)
        )
    return years, problems


def _ambiguous_message(cell: str) -> str:
    groups = cell.lstrip("+-").split(".")
    joined = "".join(groups)
    if len(groups) > 2:
        return (
            f"value {cell!r} uses '.' as a thousands separator: write {joined} (no separator) "
            "or 1,234,567 with commas"
        )
    return (
        f"value {cell!r} is ambiguous: '.' may be a decimal point ({float(cell):g}) or a "
        f"thousands separator ({int(joined):,}); write {joined} or {float(cell):g}"
    )


def _parse_values(frame: pd.DataFrame, catalog: Catalog, file: str, annual: bool) -> list[Problem]:
    """Turn value cells into floats in place; Chinese phrases set unit/qualifier when consistent.

    Plain numbers are converted in one step; blanks, ambiguous numbers and phrases row by row.
    A share is at most 1, so "1.000" there can only be a decimal: the dot is ambiguous in
    other units only.
    """
    problems: list[Problem] = []
    cells = frame["value"].str.strip()
    values = pd.Series(np.nan, index=frame.index, dtype=float)
    blank = cells.str.lower().isin(_BLANKS)
    share = (frame["unit"].str.strip() == "share") | (
        frame["indicator"].str.strip().map({i: c.unit for i, c in catalog.indicators.items()})
        == "share"
    )
    ambiguous = cells.str.match(_DOT_THOUSANDS) & ~share
    plain = cells.str.match(_PLAIN_NUMBER) & ~ambiguous
    values[plain] = pd.to_numeric(cells[plain], errors="coerce")
    marked = frame["qualifier"].str.strip() == MISSING
    for row in frame.index[blank & ~marked]:
        hint = (
            "to record that this year has no value, set the qualifier to 'missing' (a "
            "missing_reason may say why), or leave the row out"
            if annual
            else "leave the row out: a figure that was not published has no row"
        )
        problems.append(
            Problem(file, "value_missing", f"value {shown(frame.at[row, 'value'])} is empty: "
                    f"{hint}", row, "value")
        )  # fmt: skip
    if annual:
        for row in frame.index[marked & ~blank]:
            problems.append(
                Problem(file, "qualifier_missing", f"qualifier 'missing' but the value is "
                        f"{shown(cells[row])}: leave the value empty for a missing year, or give "
                        "the value's own qualifier (exact, at_least, at_most, approx)", row,
                        "qualifier")
            )  # fmt: skip
    for row in frame.index[~blank & ~plain]:
        cell = cells[row]
        if ambiguous[row]:
            problems.append(Problem(file, "value_ambiguous", _ambiguous_message(cell), row,
                                    "value"))  # fmt: skip
            continue
        if _GROUPED_NUMBER.match(cell):
            values[row] = float(cell.replace(",", ""))
            continue
        try:
            quantity = parse_value(cell)
        except QuantityError as error:
            problems.append(Problem(file, "value_parse", shown(str(error), 400), row, "value"))
            continue
        values[row] = quantity.value
        unit = frame.at[row, "unit"]
        if quantity.unit is not None and unit in ("", quantity.unit):
            frame.at[row, "unit"] = quantity.unit
        elif quantity.unit is not None:
            problems.append(
                Problem(file, "unit_conflict", f"value {shown(cell)} is in {quantity.unit!r} but "
                        f"the unit column says {shown(unit)}", row, "unit")
            )  # fmt: skip
        given = frame.at[row, "qualifier"]
        if given == "":
            frame.at[row, "qualifier"] = quantity.qualifier
        elif quantity.qualifier != "exact":
            if given in ("exact", quantity.qualifier):
                frame.at[row, "qualifier"] = quantity.qualifier
            else:
                problems.append(
                    Problem(file, "qualifier_conflict", f"value {shown(cell)} means "
                            f"{quantity.qualifier!r} but the qualifier column says {shown(given)}",
                            row, "qualifier")
                )  # fmt: skip
    frame["value"] = values
    return problems


def _unit_message(unit: str, want: str, value: float, indicator: str) -> str:
    """Explain a wrong unit, with the converted value when the unit is a scaled one (万元)."""
    try:
        per_unit = parse_quantity("1" + unit) if unit and len(unit) < 20 else None
    except QuantityError:
        per_unit = None
    if per_unit is not None and per_unit.unit == want and not math.isnan(value):
        converted = value * per_unit.value
        value_text = f"{converted:.0f}" if float(converted).is_integer() else f"{converted:g}"
        return (
            f"unit {unit!r} is not allowed: values are stored in base units; write {value_text} "
            f"with unit {want!r}"
        )
    if unit in UNITS:
        return f"unit {unit!r} does not match the catalog unit {want!r} of {indicator!r}"
    return f"unit {shown(unit)} is not a known unit; {indicator!r} is stored in {want!r}"


def _catalog_problems(frame: pd.DataFrame, catalog: Catalog, file: str) -> list[Problem]:
    known = frame["indicator"].isin(list(catalog.indicators))
    if not known.any():
        return []
    sel = frame[known]
    inds = sel["indicator"]
    want_unit = inds.map({i: c.unit for i, c in catalog.indicators.items()})
    kind = inds.map({i: c.kind for i, c in catalog.indicators.items()})
    problems = []
    wrong_unit = sel["unit"] != want_unit
    for row in sel.index[wrong_unit]:
        problems.append(
            Problem(file, "unit_catalog", _unit_message(sel.at[row, "unit"], want_unit[row],
                    sel.at[row, "value"], inds[row]), row, "unit")
        )  # fmt: skip
    value = sel["value"]
    negative = ~wrong_unit & kind.isin(_NONNEGATIVE_KINDS) & (value < 0)
    for row in sel.index[negative]:
        ind = catalog[inds[row]]
        problems.append(
            Problem(file, "nonnegative", f"value {value[row]:g} is negative: {ind.id!r} is a "
                    f"{ind.kind} in {ind.unit!r} and cannot be below 0", row, "value")
        )  # fmt: skip
    above = ~wrong_unit & ~negative & (want_unit == "share") & (value > 1)
    for row in sel.index[above]:
        v = value[row]
        problems.append(
            Problem(file, "share_range", f"rate {v:g} is above 1: write shares as fractions "
                    f"(85% -> 0.85); {v:g} would be {v * 100:g}%, which is impossible", row,
                    "value")
        )  # fmt: skip
    return problems


def _derived_problems(frame: pd.DataFrame, catalog: Catalog, file: str) -> list[Problem]:
    """A share derived from two rows of the table must lie in [0, 1], its denominator > 0."""
    problems = []
    keyed = frame.dropna(subset=["year", "value"])
    for ind in catalog.derived():
        num = keyed[keyed["indicator"] == ind.numerator]
        den = keyed[keyed["indicator"] == ind.denominator]
        if num.empty or den.empty:
            continue
        pairs = num.reset_index().merge(
            den.reset_index(), on=["region", "year"], suffixes=("_num", "_den")
        )
        if pairs.empty:
            continue
        ratio = pairs["value_num"] / pairs["value_den"].where(pairs["value_den"] > 0) * ind.scale
        for rec in pairs[pairs["value_den"] <= 0].itertuples(index=False):
            problems.append(
                Problem(file, "denominator_positive", f"{ind.denominator} is "
                        f"{rec.value_den:g} for {rec.region} {rec.year}: {ind.id} "
                        f"({ind.numerator} / {ind.denominator}) is undefined; a denominator "
                        "must be above 0", int(rec.row_den), "value")
            )  # fmt: skip
        if ind.unit != "share":
            continue
        for rec, share in zip(pairs.itertuples(index=False), ratio, strict=True):
            if share > 1:
                problems.append(
                    Problem(file, "derived_share", f"{ind.numerator} {rec.value_num:,.0f} (this "
                            f"row) / {ind.denominator} {rec.value_den:,.0f} (row "
                            f"{rec.row_den}) gives {ind.id} {share:.4g} ({share:.0%}) for "
                            f"{rec.region} {rec.year}: a share cannot be above 100%; check both "
                            "values and their units", int(rec.row_num), "value")
                )  # fmt: skip
    return problems


def _formula_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Text that a spreadsheet would run as a formula (CSV injection), unless it is a number."""
    problems = []
    for col in _TEXT_COLUMNS:
        if col not in frame.columns:
            continue
        text = frame[col].str.lstrip()
        # A lone "-" (a common "none") is text to a spreadsheet, not a formula.
        suspect = text.str.startswith(_FORMULA_START) & (text.str.len() > 1)
        suspect &= ~text.str.match(_PLAIN_NUMBER)
        for row in frame.index[suspect]:
            cell = text[row]
            problems.append(
                Problem(file, "formula_injection", f"{col} starts with {cell[0]!r} "
                        f"({shown(cell[:40])}): a spreadsheet would run it as a formula; remove "
                        "the leading character or quote it with a leading apostrophe", row, col)
            )  # fmt: skip
    return problems


def _provenance_problems(frame: pd.DataFrame, folder: str, file: str) -> list[Problem]:
    """Provenance must fit the folder (annual/, reported/) and not contradict the source."""
    allowed = FOLDER_PROVENANCES[folder]
    prov = frame["provenance"]
    problems = []
    misplaced = prov.isin(list(PROVENANCES)) & ~prov.isin(list(allowed))
    for row in frame.index[misplaced]:
        where = (
            "external series belong in reference/"
            if prov[row] == "reference"
            else "published figures have provenance 'reported'"
        )
        problems.append(
            Problem(file, "provenance_folder", f"provenance {prov[row]!r} does not belong in "
                    f"{folder}/: {where}; rows here are {', '.join(allowed)}", row, "provenance")
        )  # fmt: skip
    says_synthetic = frame["source"].str.contains(_SYNTHETIC_SOURCE) & (prov != "synthetic")
    for row in frame.index[says_synthetic & ~misplaced]:
        problems.append(
            Problem(file, "provenance_source", f"the source calls the value synthetic "
                    f"({shown(frame.at[row, 'source'])}) but the provenance is "
                    f"{shown(prov[row])}: a synthetic value must be labelled 'synthetic'", row,
                    "provenance")
        )  # fmt: skip
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
                    f"({', '.join(keys)}) = {shown(key, 120)} repeats row {rows[0]}: keep one "
                    "row per key",
                    row,
                    keys[-1],
                )
            )
    return problems


def _number_column(
    frame: pd.DataFrame, col: str, file: str, minimum: float, strict: bool
) -> tuple[pd.Series, list[Problem]]:
    """An optional numeric column: empty -> NaN; else a finite number above (or at) minimum."""
    text = frame[col].str.strip() if col in frame.columns else pd.Series("", index=frame.index)
    out = pd.Series(np.nan, index=frame.index, dtype=float)
    given = text != ""
    numbers = pd.to_numeric(text[given].str.replace(",", "", regex=False), errors="coerce")
    out[given] = numbers
    bound = f"above {minimum:g}" if strict else f"at least {minimum:g}"
    ok = np.isfinite(out) & ((out > minimum) if strict else (out >= minimum))
    problems = [
        Problem(file, f"{col}_range", f"{col} {shown(text[row])} must be a number {bound}",
                row, col)
        for row in frame.index[given & ~ok]
    ]  # fmt: skip
    return out, problems


def _optional_problems(frame: pd.DataFrame, catalog: Catalog, file: str) -> list[Problem]:
    """missing_reason, sample_size and design_effect: typed in place, checked for coherence."""
    reason = frame["missing_reason"].str.strip() if "missing_reason" in frame.columns else None
    marked = frame["qualifier"] == MISSING
    problems = []
    if reason is None:
        reason = pd.Series("", index=frame.index)
    for row in frame.index[(reason != "") & ~marked]:
        problems.append(
            Problem(file, "missing_reason", f"missing_reason {shown(reason[row])} on a row with "
                    "a value: only a row with qualifier 'missing' has a missing_reason", row,
                    "missing_reason")
        )  # fmt: skip
    frame["missing_reason"] = reason.where(~marked | (reason != ""), MISSING_REASON_DEFAULT)
    frame["sample_size"], found = _number_column(frame, "sample_size", file, 0, strict=True)
    problems += found
    frame["design_effect"], found = _number_column(frame, "design_effect", file, 1, strict=False)
    problems += found
    kinds = frame["indicator"].map({i: c.kind for i, c in catalog.indicators.items()})
    sized = frame["sample_size"].notna()
    for row in frame.index[sized & (kinds != "rate") & kinds.notna()]:
        problems.append(
            Problem(file, "sample_size_kind", f"sample_size on {shown(frame.at[row, 'indicator'])}"
                    f", a {kinds[row]}: a sample size belongs to a survey-based rate", row,
                    "sample_size")
        )  # fmt: skip
    for row in frame.index[sized & marked]:
        problems.append(
            Problem(file, "sample_size_missing", "sample_size on a missing value: a year "
                    "without a value has no sample", row, "sample_size")
        )  # fmt: skip
    for row in frame.index[frame["design_effect"].notna() & ~sized]:
        problems.append(
            Problem(file, "design_effect_alone", "design_effect without a sample_size: the "
                    "design effect scales a sample size", row, "design_effect")
        )  # fmt: skip
    return problems


def _prepare(
    frame: pd.DataFrame, expected: tuple[str, ...], optional: tuple[str, ...], file: str
) -> pd.DataFrame:
    frame = frame.copy()
    if frame.index.name != "row":
        # A frame not from read_table: number rows as the file would (header = 1).
        frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    frame.columns = [str(c) for c in frame.columns]
    problems = _columns_problems(frame, expected, optional, file)
    if problems:
        raise DataError(problems)
    for col in (*expected, *(c for c in optional if c in frame.columns)):
        frame[col] = frame[col].map(lambda v: "" if v is None or v != v else str(v))
    return frame


def _file_name(frame: pd.DataFrame, file: str | None, default: str) -> str:
    return file or str(frame.attrs.get("file", default))


def _raise_sorted(problems: list[Problem]) -> None:
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))


def check_annual(
    frame: pd.DataFrame,
    catalog: Catalog,
    file: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Validate one annual table (as read by tables.read_table) and return it typed.

    Args:
        frame: string cells indexed by file row; columns model.ANNUAL_COLUMNS plus any of
            model.ANNUAL_OPTIONAL_COLUMNS.
        catalog: the indicator catalog of the data package.
        file: the file name for messages (default: frame.attrs["file"]).
        region: when given (annual/<region>.csv), every row must belong to this region.

    Returns:
        DataFrame with columns model.PANEL_COLUMNS: year int, value float (base units; NaN
        where the qualifier is ``missing``), missing_reason text ("" on rows with a value),
        sample_size and design_effect float (NaN when not given); index 0..n-1.

    Raises:
        DataError: every broken rule, each with file, row, column and rule.
    """
    name = _file_name(frame, file, "annual table")
    frame = _prepare(frame, ANNUAL_COLUMNS, ANNUAL_OPTIONAL_COLUMNS, name)
    problems = _strip_ids(frame, name)
    frame["year"], found = _parse_years(frame, "year", name)
    problems += found + _parse_values(frame, catalog, name, annual=True)
    schema = _schema(catalog, ("year",), ANNUAL_QUALIFIERS)
    problems += _schema_problems(frame, schema, name, ANNUAL_QUALIFIERS)
    problems += _catalog_problems(frame, catalog, name)
    problems += _derived_problems(frame, catalog, name)
    problems += _formula_problems(frame, name)
    problems += _provenance_problems(frame, "annual", name)
    problems += _optional_problems(frame, catalog, name)
    problems += _duplicate_problems(frame, ["region", "indicator", "year"], name)
    if region is not None:
        # One table per region: params and the runner find a region's data by file name.
        for row in frame.index[(frame["region"] != region) & (frame["region"] != "")]:
            problems.append(
                Problem(name, "region_file", f"region {shown(frame.at[row, 'region'])} in the "
                        f"table of {region!r}: put each region's rows in annual/<region>.csv",
                        row, "region")
            )  # fmt: skip
    _raise_sorted(problems)
    out = frame[list(PANEL_COLUMNS)].reset_index(drop=True)
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
    frame = _prepare(frame, REPORTED_COLUMNS, (), name)
    problems = _strip_ids(frame, name)
    for col in ("period_start", "period_end"):
        frame[col], found = _parse_years(frame, col, name)
        problems += found
    problems += _parse_values(frame, catalog, name, annual=False)
    schema = _schema(catalog, ("period_start", "period_end"), QUALIFIERS)
    problems += _schema_problems(frame, schema, name, QUALIFIERS)
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
    problems += _provenance_problems(frame, "reported", name)
    problems += _duplicate_problems(
        frame, ["region", "indicator", "period_start", "period_end"], name
    )
    _raise_sorted(problems)
    out = frame[list(REPORTED_COLUMNS)].reset_index(drop=True)
    return out.astype({"period_start": int, "period_end": int, "value": float})


def check_file(
    path: Path | str, catalog: Catalog, sheet: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read and validate one annual or reported table (kind told by its columns).

    Args:
        path: a .csv or .xlsx file; a table with period_start is a reported table.
        catalog: the indicator catalog of the data package.
        sheet: the XLSX sheet (default: the first).
        encoding: the CSV's declared encoding, if any.

    Returns:
        The typed table (see check_annual / check_reported).

    Raises:
        DataError: every broken rule, naming file (and sheet), row, column and rule.
    """
    frame = read_table(path, sheet=sheet, encoding=encoding)
    if "period_start" in frame.columns:
        return check_reported(frame, catalog)
    return check_annual(frame, catalog)
