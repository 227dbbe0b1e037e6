"""Intake of a filled-in year workbook: validate, compare with last year, append atomically."""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from filelock import FileLock

from uniontrends.cycle.template import DATA_SHEET
from uniontrends.data.catalog import Catalog
from uniontrends.data.model import ANNUAL_COLUMNS, ANNUAL_DIR
from uniontrends.data.package import DataPackage
from uniontrends.data.tables import read_table
from uniontrends.data.validate import check_annual
from uniontrends.errors import DataError, Problem, UniontrendsError

OUTLIER_FACTOR = 3.0
BACKUP_DIR = "backups"
_BLANK = ("", "nan", "none", "null", "n/a", "na", "-")


class IntakeRefused(UniontrendsError):
    """The workbook is valid but adding it needs a flag (--replace, --accept-outliers, ...)."""


@dataclass
class Intake:
    """A validated year workbook.

    Attributes:
        region: region slug.
        year: the year the workbook reports.
        table: the new rows, columns model.ANNUAL_COLUMNS, value in base units.
        blank: indicator ids whose value cell was left blank (not reported that year).
        file: the workbook's name (with sheet) for messages.
    """

    region: str
    year: int
    table: pd.DataFrame
    blank: list[str] = field(default_factory=list)
    file: str = ""


@dataclass
class Plan:
    """What adding a workbook would do, before anything is written."""

    intake: Intake
    changes: pd.DataFrame
    missing: list[str]
    year_exists: bool
    csv_path: Path

    @property
    def outliers(self) -> pd.DataFrame:
        """Rows of `changes` flagged as implausible jumps."""
        return self.changes[self.changes["outlier"]]

    def refusals(
        self, replace: bool = False, accept_outliers: bool = False, allow_missing: bool = False
    ) -> list[str]:
        """Reasons adding is refused under the given flags (empty = may proceed)."""
        reasons = []
        if self.year_exists and not replace:
            reasons.append(
                f"{self.intake.region} {self.intake.year} is already in {self.csv_path.name}; "
                "use --replace to overwrite it (the old file is kept as a backup)"
            )
        if len(self.outliers) and not accept_outliers:
            names = ", ".join(self.outliers["indicator"])
            reasons.append(
                f"{len(self.outliers)} value(s) above {OUTLIER_FACTOR:g}x or below "
                f"1/{OUTLIER_FACTOR:g} of last year ({names}); check them, then use "
                "--accept-outliers"
            )
        if self.missing and not allow_missing:
            reasons.append(
                f"{len(self.missing)} indicator(s) had a value in {self.intake.year - 1} but are "
                f"blank now ({', '.join(self.missing)}); fill them in or use --allow-missing"
            )
        return reasons


@dataclass
class AddYearResult:
    """What add_year wrote."""

    region: str
    year: int
    rows_added: int
    rows_replaced: int
    csv_path: Path
    backup_path: Path | None
    plan: Plan


def read_filled(path: Path | str, catalog: Catalog) -> Intake:
    """Read and validate a filled-in template (sheet "data").

    Blank value cells mean "not reported"; text such as "3.5万" or "1200余" is parsed into base
    units and its qualifier. Rules are those of validate.check_annual, so problems name the
    workbook, sheet, row and column as the user sees them.

    Args:
        path: the .xlsx workbook written by template.write_template and filled in.
        catalog: the data package's indicator catalog.

    Returns:
        Intake with the typed rows.

    Raises:
        DataError: every problem, e.g. "putuo_2023.xlsx, sheet 'data', row 5, column 'value'".
    """
    frame = read_table(path, sheet=DATA_SHEET)
    name = str(frame.attrs.get("file", Path(path).name))
    missing_cols = [c for c in ANNUAL_COLUMNS if c not in frame.columns]
    if missing_cols:
        raise DataError(
            [
                Problem(name, "missing_column", f"column {c!r} is missing from the template", 1, c)
                for c in missing_cols
            ]
        )
    problems: list[Problem] = []
    region, year = _single(frame, "region", name, problems), _single(frame, "year", name, problems)
    if problems:
        raise DataError(problems)
    is_blank = frame["value"].str.strip().str.lower().isin(_BLANK)
    blank = [str(i) for i in frame.loc[is_blank, "indicator"]]
    filled = frame.loc[~is_blank, list(ANNUAL_COLUMNS)].copy()
    # A number with no qualifier is exact; a phrase ("1200余") overrides "exact" in validation.
    filled.loc[filled["qualifier"].str.strip() == "", "qualifier"] = "exact"
    if filled.empty:
        table = pd.DataFrame(columns=list(ANNUAL_COLUMNS))
    else:
        table = check_annual(filled, catalog, file=name, region=region)
    return Intake(region=region, year=int(year), table=table, blank=blank, file=name)


def _single(frame: pd.DataFrame, column: str, name: str, problems: list[Problem]) -> str:
    """The one value a column must hold on every row; adds a Problem per odd row."""
    values = frame[column].str.strip()
    common = values.mode().iloc[0] if not values.empty else ""
    if common == "":
        problems.append(
            Problem(name, "template_" + column, f"column {column!r} is empty", 2, column)
        )
        return ""
    for row in values.index[values != common]:
        problems.append(
            Problem(
                name,
                "template_" + column,
                f"{column} {values[row]!r} differs from {common!r} on the other rows: one workbook "
                "holds one region and one year",
                int(row),
                column,
            )
        )
    if column == "year" and not common.isdigit():
        problems.append(Problem(name, "year_format", f"year {common!r} is not a year", 2, column))
    return common


def compare_with_last(
    new: pd.DataFrame,
    annual: pd.DataFrame,
    year: int,
    catalog: Catalog,
    factor: float = OUTLIER_FACTOR,
) -> pd.DataFrame:
    """The new values next to last year's, with the change and an outlier flag.

    Args:
        new: the new year's rows (ANNUAL_COLUMNS, base units).
        annual: the region's existing annual table (ANNUAL_COLUMNS).
        year: the new year; last year is year - 1.
        catalog: for names.
        factor: a value above factor x or below 1/factor of last year's is an outlier.

    Returns:
        DataFrame: indicator, name_en, name_zh, unit, last (NaN if none), value, qualifier,
        ratio (value / last; inf from a zero), change (ratio - 1), outlier (bool).
    """
    last = annual[annual["year"] == year - 1].set_index("indicator")["value"]
    rows = []
    for rec in new.to_dict("records"):
        ident = rec["indicator"]
        before = float(last.get(ident, math.nan))
        value = float(rec["value"])
        if math.isnan(before):
            ratio = math.nan
        elif before == 0:
            ratio = 1.0 if value == 0 else math.inf
        else:
            ratio = value / before
        # A value that is zero now but was not, or that jumps from zero, is as implausible as 3x.
        outlier = not math.isnan(ratio) and (ratio > factor or ratio < 1 / factor)
        ind = catalog[ident]
        rows.append(
            {
                "indicator": ident,
                "name_en": ind.name_en,
                "name_zh": ind.name_zh,
                "unit": rec["unit"],
                "last": before,
                "value": value,
                "qualifier": rec["qualifier"],
                "ratio": ratio,
                "change": ratio - 1,
                "outlier": bool(outlier),
            }
        )
    columns = [
        "indicator",
        "name_en",
        "name_zh",
        "unit",
        "last",
        "value",
        "qualifier",
        "ratio",
        "change",
        "outlier",
    ]
    return pd.DataFrame(rows, columns=columns).astype({"outlier": bool})


def plan_add_year(path: Path | str, package: DataPackage) -> Plan:
    """Validate a workbook and work out what adding it would change (writes nothing).

    Args:
        path: the filled-in workbook.
        package: the data package the year is added to.

    Returns:
        Plan with the comparison table, missing indicators and whether the year exists.

    Raises:
        DataError: the workbook or the existing annual table breaks a rule.
    """
    catalog = package.catalog
    intake = read_filled(path, catalog)
    csv_path = package.root / ANNUAL_DIR / f"{intake.region}.csv"
    if csv_path.exists():
        annual = package.annual_of(intake.region)
    else:
        annual = pd.DataFrame(columns=list(ANNUAL_COLUMNS)).astype({"year": int, "value": float})
    reported_last = set(annual.loc[annual["year"] == intake.year - 1, "indicator"])
    missing = [i for i in reported_last if i not in set(intake.table["indicator"])]
    order = list(catalog.indicators)
    missing.sort(key=order.index)
    return Plan(
        intake=intake,
        changes=compare_with_last(intake.table, annual, intake.year, catalog),
        missing=missing,
        year_exists=bool((annual["year"] == intake.year).any()),
        csv_path=csv_path,
    )


def _format_value(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    # 12 significant digits drop float noise (2022 x 1.1 = 145296.80000000002).
    return format(float(value), ".12g")


def _rows_text(table: pd.DataFrame, lineterminator: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    for rec in table.to_dict("records"):
        row = [rec[c] for c in ANNUAL_COLUMNS]
        row[ANNUAL_COLUMNS.index("value")] = _format_value(rec["value"])
        row[ANNUAL_COLUMNS.index("year")] = str(int(rec["year"]))
        # One physical line per row keeps the line-level replace below exact.
        writer.writerow([" ".join(str(v).splitlines()) for v in row])
    return buffer.getvalue()


def merge_year(existing: str, table: pd.DataFrame, year: int) -> tuple[str, int]:
    """The CSV text with `year`'s rows removed and the new rows appended; other lines untouched.

    Args:
        existing: the current CSV text (header first); "" for a new file.
        table: the new rows (ANNUAL_COLUMNS).
        year: the year being added.

    Returns:
        (new text, number of old rows of `year` removed).
    """
    if not existing:
        header = ",".join(ANNUAL_COLUMNS) + "\n"
        return header + _rows_text(table, "\n"), 0
    lines = existing.splitlines(keepends=True)
    terminator = "\r\n" if lines[0].endswith("\r\n") else "\n"
    year_index = next(csv.reader([lines[0]])).index("year")
    kept, removed = [lines[0]], 0
    for line in lines[1:]:
        fields = next(csv.reader([line]), [])
        if len(fields) > year_index and fields[year_index].strip() == str(year):
            removed += 1
            continue
        kept.append(line)
    if not kept[-1].endswith(("\n", "\r")):
        kept[-1] += terminator
    return "".join(kept) + _rows_text(table, terminator), removed


def _check_merged(text: str, name: str, region: str, catalog: Catalog) -> None:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    check_annual(frame, catalog, file=name, region=region)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_plan(
    plan: Plan,
    catalog: Catalog,
    replace: bool = False,
    accept_outliers: bool = False,
    allow_missing: bool = False,
    now: datetime | None = None,
) -> AddYearResult:
    """Append (or with replace, swap in) the year's rows in data/annual/<region>.csv atomically.

    Args:
        plan: from plan_add_year.
        catalog: the data package's indicator catalog (the merged table is checked with it).
        replace: allow overwriting an existing year (the old file goes to annual/backups/).
        accept_outliers: allow values above 3x or below 1/3 of last year's.
        allow_missing: allow indicators reported last year to be blank now.
        now: time stamp of the backup name (default: now).

    Returns:
        AddYearResult.

    Raises:
        IntakeRefused: a flag is needed (the message says which and why).
        DataError: the merged table would break a rule (nothing is written).
    """
    reasons = plan.refusals(replace, accept_outliers, allow_missing)
    if reasons:
        raise IntakeRefused("not added:\n" + "\n".join(f"  - {r}" for r in reasons))
    path = plan.csv_path
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    with FileLock(str(path.parent / f".{path.name}.lock"), timeout=60):
        # Decoded as plain UTF-8 so that a BOM, if any, is written back byte-identical.
        existing = path.read_bytes().decode("utf-8") if path.exists() else ""
        text, removed = merge_year(existing, plan.intake.table, plan.intake.year)
        _check_merged(text.lstrip("\ufeff"), path.name, plan.intake.region, catalog)
        if removed:
            stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S")
            backup = path.parent / BACKUP_DIR / f"{path.stem}.{stamp}.csv"
            backup.parent.mkdir(exist_ok=True)
            shutil.copy2(path, backup)
        _write_atomic(path, text)
    return AddYearResult(
        region=plan.intake.region,
        year=plan.intake.year,
        rows_added=len(plan.intake.table),
        rows_replaced=removed,
        csv_path=path,
        backup_path=backup,
        plan=plan,
    )


def add_year(
    path: Path | str,
    package: DataPackage,
    replace: bool = False,
    accept_outliers: bool = False,
    allow_missing: bool = False,
    now: datetime | None = None,
) -> AddYearResult:
    """Validate a filled-in workbook and add its year to data/annual/<region>.csv.

    Args:
        path: the workbook (from `uniontrends template`).
        package: the data package the year is added to.
        replace, accept_outliers, allow_missing: see apply_plan.
        now: time stamp of a backup (default: now).

    Returns:
        AddYearResult.

    Raises:
        DataError: the workbook breaks a rule (sheet, row, column named).
        IntakeRefused: a flag is needed.
    """
    plan = plan_add_year(path, package)
    return apply_plan(plan, package.catalog, replace, accept_outliers, allow_missing, now)
