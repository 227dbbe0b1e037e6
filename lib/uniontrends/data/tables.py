"""Reading CSV and XLSX tables as strings, encoding-aware and size-guarded.

What a cell means is decided by validation (data/validate.py); here every cell is text and
every row keeps its 1-based file row, so problems name the line a user sees.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from uniontrends.data.textfile import TABLE_SUFFIXES, decode_csv
from uniontrends.data.textfile import file_problem as _problem

# Inputs are small (a region-year-indicator panel has a few hundred rows); anything far larger
# is a mistake and must fail before it is parsed in full.
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
FIRST_DATA_ROW = 2  # header is file row 1


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise _problem(path, "empty_file", "the file is empty (no header, no rows)")
    if size > MAX_BYTES:
        raise _problem(
            path,
            "file_too_large",
            f"the file has {size / 2**20:.0f} MiB, above the limit of {MAX_BYTES / 2**20:.0f} MiB; "
            "split it (one file per region)",
        )


def _finish(frame: pd.DataFrame, path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Strip header names, index by file row and record the origin in attrs."""
    where = f" (sheet {sheet!r})" if sheet else ""
    if frame.columns.empty:
        raise _problem(path, "empty_file", f"the file has no header{where}")
    if len(frame) == 0:
        raise _problem(path, "no_rows", f"the file has a header but no data rows{where}", row=2)
    if len(frame) > MAX_ROWS:
        raise _problem(
            path,
            "too_many_rows",
            f"the file has more than {MAX_ROWS:,} data rows{where}; split it (one file per region)",
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame), name="row")
    blank = frame.apply(lambda col: col.fillna("").astype(str).str.strip() == "").all(axis=1)
    frame = frame[~blank]
    if len(frame) == 0:
        raise _problem(path, "no_rows", f"the file has a header but no data rows{where}", row=2)
    # Messages name the sheet too: a workbook's problems are found by sheet, row and column.
    frame.attrs["file"] = f"{path.name}, sheet {sheet!r}" if sheet else path.name
    frame.attrs["path"] = str(path)
    if sheet:
        frame.attrs["sheet"] = sheet
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    # Counting line ends is cheap and refuses a long file before it is decoded or parsed.
    if data.count(b"\n") > MAX_ROWS + 1:
        raise _problem(
            path,
            "too_many_rows",
            f"the file has more than {MAX_ROWS:,} data rows; split it (one file per region)",
        )
    text, encoding = decode_csv(path, data)
    if not text.strip():
        raise _problem(path, "empty_file", "the file holds only whitespace")
    try:
        # Strings only: validation decides what a cell means ("2020年", "3.5万", "NaN").
        # nrows guards memory: one row past the limit is enough to know it is too long.
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            nrows=MAX_ROWS + 1,
            # Blank lines are kept (then dropped in _finish) so row numbers stay file lines.
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError as error:
        raise _problem(path, "empty_file", "the file has no header") from error
    except pd.errors.ParserError as error:
        line = re.search(r"line (\d+)", str(error))
        row = int(line[1]) if line else None
        raise _problem(
            path, "csv_syntax", f"cannot parse CSV: {str(error).strip()}", row=row
        ) from error
    frame.attrs["encoding"] = encoding
    return _finish(frame, path)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # The read-only pass reads the sheet dimensions without loading cells, so a huge sheet
        # is refused cheaply; the full load is needed to see merged ranges.
        lazy = load_workbook(path, read_only=True, data_only=True)
        sizes = {ws.title: ws.max_row or 0 for ws in lazy.worksheets}
        lazy.close()
        too_long = [title for title, rows in sizes.items() if rows - 1 > MAX_ROWS]
        if too_long:
            raise _problem(
                path, "too_many_rows", f"sheet {too_long[0]!r} has more than {MAX_ROWS:,} data rows"
            )
        book = load_workbook(path, read_only=False, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise _problem(
            path, "xlsx_invalid", f"cannot open as an Excel workbook: {error}"
        ) from error
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise _problem(
                path, "sheet_missing", f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}"
            )
        if ws.max_row - 1 > MAX_ROWS:
            raise _problem(
                path, "too_many_rows", f"sheet {ws.title!r} has more than {MAX_ROWS:,} data rows"
            )
        merged = [str(r) for r in ws.merged_cells.ranges if r.min_row == 1]
        if merged:
            raise _problem(
                path,
                "merged_header",
                f"sheet {ws.title!r}: merged header cells {', '.join(merged)}; give each column "
                "its own header cell in row 1",
                row=1,
            )
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    # Trailing blank rows are formatting, not data.
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise _problem(path, "empty_file", f"sheet {ws.title!r} is empty")
    header = rows[0]
    frame = pd.DataFrame(rows[1:], columns=header, dtype=str)
    return _finish(frame, path, sheet=ws.title)


def read_table(path: Path | str, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX table as strings, indexed by 1-based file row (first data row = 2).

    Args:
        path: a .csv (UTF-8, UTF-8-BOM, GBK/GB18030) or .xlsx file.
        sheet: the XLSX sheet name (default: the first sheet).

    Returns:
        DataFrame of str cells ("" for empty) with attrs file, path (and encoding or sheet).

    Raises:
        DataError: missing, empty, header-only, too large, undecodable or malformed file,
            or merged header cells (names the file, sheet and cell range).
    """
    path = Path(path)
    if not path.is_file():
        raise _problem(path, "file_missing", f"{path} does not exist")
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise _problem(
            path, "file_type", f"expected one of {', '.join(TABLE_SUFFIXES)}, got {path.suffix!r}"
        )
    _check_size(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, sheet)
    return _read_csv(path)
