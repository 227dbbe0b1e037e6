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

from uniontrends.cycle.template import DATA_SHEET, column_id
from uniontrends.data.catalog import Catalog
from uniontrends.data.model import (
    ANNUAL_COLUMNS,
    ANNUAL_DIR,
    ANNUAL_OPTIONAL_COLUMNS,
    MISSING,
)
from uniontrends.data.package import DataPackage
from uniontrends.data.tables import read_table
from uniontrends.data.textfile import decode_csv
from uniontrends.data.validate import check_annual, empty_annual
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
        table: the new rows, columns model.PANEL_COLUMNS, value in base units (NaN for a
            row marked missing).
        blank: indicator ids whose value cell was left blank and not marked missing (not
            reported that year).
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
    encoding: str | None = None  # the table's declared encoding (package.yaml), if any

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

    A blank value cell means "not reported" unless its qualifier is ``missing`` (the year
    has no value; a missing_reason may say why); text such as "3.5万" or "1200余" is parsed
    into base units and its qualifier. Rules are those of validate.check_annual, so problems
    name the workbook, sheet, row and column as the user sees them.

    Args:
        path: the .xlsx workbook written by template.write_template and filled in.
        catalog: the data package's indicator catalog.

    Returns:
        Intake with the typed rows.

    Raises:
        DataError: every problem, e.g. "putuo_2023.xlsx, sheet 'data', row 5, column 'value'".
    """
    frame = read_table(path, sheet=DATA_SHEET)
    frame.columns = [column_id(c) for c in frame.columns]
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
    marked = frame["qualifier"].str.strip() == MISSING
    blank = [str(i) for i in frame.loc[is_blank & ~marked, "indicator"]]
    columns = [*ANNUAL_COLUMNS, *(c for c in ANNUAL_OPTIONAL_COLUMNS if c in frame.columns)]
    filled = frame.loc[~is_blank | marked, columns].copy()
    # A number with no qualifier is exact; a phrase ("1200余") overrides "exact" in validation.
    filled.loc[filled["qualifier"].str.strip() == "", "qualifier"] = "exact"
    if filled.empty:
        table = empty_annual()
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
        DataFrame: indicator, name_en, name_zh, unit, last (NaN if none), value (NaN when
        marked missing), qualifier, ratio (value / last; inf from a zero), change (ratio - 1),
        outlier (bool).
    """
    last = annual[annual["year"] == year - 1].set_index("indicator")["value"]
    rows = []
    for rec in new.to_dict("records"):
        ident = rec["indicator"]
        before = float(last.get(ident, math.nan))
        value = float(rec["value"])
        if math.isnan(before) or math.isnan(value):
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


def plan_add_year(path: Path | str, package: DataPackage, new_region: bool = False) -> Plan:
    """Validate a workbook and work out what adding it would change (writes nothing).

    Args:
        path: the filled-in workbook.
        package: the data package the year is added to.
        new_region: allow a region the package does not have yet (its table is created).

    Returns:
        Plan with the comparison table, missing indicators and whether the year exists.

    Raises:
        DataError: the workbook or the existing annual table breaks a rule.
        IntakeRefused: the workbook's region is not in the package and not ``new_region``.
    """
    catalog = package.catalog
    intake = read_filled(path, catalog)
    known = package.region_ids()
    if intake.region not in known and not new_region:
        # A typo in the region column would otherwise start a new data file silently.
        raise IntakeRefused(
            f"region {intake.region!r} is not a region of the package "
            f"({', '.join(known) or 'none'}): correct the region column of {intake.file}, "
            f"or pass --new-region to start annual/{intake.region}.csv"
        )
    csv_path = package.root / ANNUAL_DIR / f"{intake.region}.csv"
    other = package.annual_file(intake.region)
    if other is not None and other != csv_path:
        raise IntakeRefused(
            f"{intake.region}'s annual table is {other.name}; add-year writes CSV tables only: "
            f"save {other.name} as {csv_path.name} first"
        )
    annual = package.annual_of(intake.region) if csv_path.exists() else empty_annual()
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
        encoding=package.info.encoding_of(f"{ANNUAL_DIR}/{csv_path.name}"),
    )


def _format_value(value: float) -> str:
    if value != value:
        return ""  # a year marked missing has no value
    if float(value).is_integer():
        return str(int(value))
    # 12 significant digits drop float noise (2022 x 1.1 = 145296.80000000002).
    return format(float(value), ".12g")


def needed_columns(table: pd.DataFrame) -> list[str]:
    """The optional columns the rows use (a reason, a sample size or design effect)."""
    used = []
    for col in ANNUAL_OPTIONAL_COLUMNS:
        if col not in table:
            continue
        cells = table[col]
        if pd.api.types.is_numeric_dtype(cells):
            used += [col] if cells.notna().any() else []
        elif (cells.fillna("").astype(str).str.strip() != "").any():
            used.append(col)
    return used


def _rows_text(table: pd.DataFrame, columns: list[str], lineterminator: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    for rec in table.to_dict("records"):
        row = []
        for col in columns:
            value = rec.get(col, "")
            if col in ("value", "sample_size", "design_effect"):
                value = _format_value(float(value)) if value not in ("", None) else ""
            elif col == "year":
                value = str(int(value))
            row.append(value)
        # One physical line per row keeps the line-level replace below exact.
        writer.writerow([" ".join(str(v).splitlines()) for v in row])
    return buffer.getvalue()


def merge_year(existing: str, table: pd.DataFrame, year: int) -> tuple[str, int]:
    """The CSV text with `year`'s rows removed and the new rows appended; other lines untouched.

    When the new rows use an optional column the header lacks (missing_reason, sample_size,
    design_effect), the header gains it and every other line an empty field at its end.

    Args:
        existing: the current CSV text (header first); "" for a new file.
        table: the new rows (ANNUAL_COLUMNS, optionally model.ANNUAL_OPTIONAL_COLUMNS).
        year: the year being added.

    Returns:
        (new text, number of old rows of `year` removed).
    """
    needed = needed_columns(table)
    if not existing:
        columns = [*ANNUAL_COLUMNS, *needed]
        return ",".join(columns) + "\n" + _rows_text(table, columns, "\n"), 0
    lines = existing.splitlines(keepends=True)
    terminator = "\r\n" if lines[0].endswith("\r\n") else "\n"
    header = next(csv.reader([lines[0]]))
    added = [c for c in needed if c not in header]
    year_index = header.index("year")
    kept, removed = [], 0
    for line in lines[1:]:
        fields = next(csv.reader([line]), [])
        if len(fields) > year_index and fields[year_index].strip() == str(year):
            removed += 1
            continue
        kept.append(line)
    if added:
        body = lines[0].rstrip("\r\n") + "," + ",".join(added)
        kept = [line.rstrip("\r\n") + "," * len(added) + terminator if line.strip() else line
                for line in kept]  # fmt: skip
        kept.insert(0, body + terminator)
    else:
        kept.insert(0, lines[0])
    if not kept[-1].endswith(("\n", "\r")):
        kept[-1] += terminator
    columns = [c.strip().lstrip("\ufeff") for c in header] + added
    return "".join(kept) + _rows_text(table, columns, terminator), removed


def _check_merged(text: str, name: str, region: str, catalog: Catalog) -> None:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    check_annual(frame, catalog, file=name, region=region)


def _file_mode(path: Path) -> int:
    """The mode a rewritten file keeps: its own, or what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    mode = _file_mode(path)  # mkstemp creates 0600: the data file would lose its mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _backup(path: Path, now: datetime) -> Path:
    """Copy ``path`` to annual/backups/<stem>.<time stamp>[-N].csv, never over another backup.

    Two replacements in the same second get -2, -3, ...: the name is claimed with an
    exclusive create, so not even two processes can take the same one.
    """
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    n = 1
    while True:
        backup = folder / f"{path.stem}.{stamp}{'' if n == 1 else f'-{n}'}.csv"
        try:
            with open(backup, "xb") as handle, open(path, "rb") as source:
                shutil.copyfileobj(source, handle)
        except FileExistsError:
            n += 1
            continue
        shutil.copystat(path, backup)  # the backup keeps the file's mode and time
        return backup


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
        replace: allow overwriting an existing year (the old file goes to annual/backups/,
            as it does when the header gains a column).
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
        # Written back in the file's own encoding (a BOM, GB18030 or a declared one), so the
        # earlier rows stay byte-identical.
        existing, encoding = (
            decode_csv(path, path.read_bytes(), plan.encoding) if path.exists() else ("", "utf-8")
        )
        text, removed = merge_year(existing, plan.intake.table, plan.intake.year)
        _check_merged(text, path.name, plan.intake.region, catalog)
        header_changed = bool(existing) and text.split("\n", 1)[0] != existing.split("\n", 1)[0]
        if removed or header_changed:
            backup = _backup(path, now or datetime.now())
        _write_atomic(path, text, encoding)
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
    new_region: bool = False,
) -> AddYearResult:
    """Validate a filled-in workbook and add its year to data/annual/<region>.csv.

    Args:
        path: the workbook (from `uniontrends template`).
        package: the data package the year is added to.
        replace, accept_outliers, allow_missing: see apply_plan.
        now: time stamp of a backup (default: now).
        new_region: allow a region the package does not have yet.

    Returns:
        AddYearResult.

    Raises:
        DataError: the workbook breaks a rule (sheet, row, column named).
        IntakeRefused: a flag is needed (or --new-region for an unknown region).
    """
    plan = plan_add_year(path, package, new_region)
    return apply_plan(plan, package.catalog, replace, accept_outliers, allow_missing, now)
