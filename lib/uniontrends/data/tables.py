"""Reading CSV and XLSX tables as strings, encoding-aware and bounded in time and memory.

What a cell means is decided by validation (data/validate.py); here every cell is text and
every row keeps its 1-based file row, so problems name the line a user sees.

Limits (checked before the expensive step, never from what a file declares about itself):
- a file has at most ``MAX_BYTES``; a CSV at most ``MAX_ROWS`` data rows and ``MAX_COLUMNS``
  columns; a cell at most ``MAX_CELL_CHARS`` characters;
- an XLSX workbook is a zip archive: it may unpack to at most ``MAX_XLSX_UNPACKED`` bytes
  (measured while unpacking, not from the archive's directory), and a sheet may hold at most
  ``MAX_XLSX_CELLS`` cells and cells in the first ``MAX_COLUMNS`` columns only (counted in
  the sheet's XML before it is parsed; the declared ``<dimension>`` is ignored);
- a hidden sheet is never read, and an encrypted (password-protected) workbook, an old .xls
  renamed .xlsx, or a truncated or corrupt archive is refused by name.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from uniontrends.data.textfile import TABLE_SUFFIXES, decode_csv
from uniontrends.data.textfile import file_problem as _problem

# Inputs are small (a region-year-indicator panel has a few hundred rows); anything far larger
# is a mistake and must fail before it is parsed in full.
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 10_000
MAX_XLSX_UNPACKED = 64 * 1024 * 1024
MAX_XLSX_PART = 8 * 1024 * 1024  # any part other than sheets and shared strings (styles, ...)
# Parsing a sheet costs about 20 µs a cell here, so this keeps a sheet within a few seconds.
MAX_XLSX_CELLS = 200_000
FIRST_DATA_ROW = 2  # header is file row 1

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: encrypted or .xls
# Opening tags counted with bytes.count (C speed); ":c " covers a namespace prefix ("<x:c ").
_CELL = (b"<c ", b"<c>", b"<c/", b":c ", b":c>")
_SHARED_STRING = (b"<si>", b"<si ", b":si>", b":si ")
_WIDE_REF = re.compile(rb' r="([A-Z]{2,3})[0-9]')
_MERGE = re.compile(rb"mergeCell\b[^>]*?\bref=\"([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)\"")
_OVERLAP = 256  # bytes carried between chunks so a tag split by a chunk edge is still seen
_CHUNK = 1 << 20


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass
class _SheetFacts:
    """What a worksheet's XML holds, counted while it is unpacked."""

    cells: int = 0
    max_column: int = 0
    header_merges: set[str] = field(default_factory=set)


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
        raise _problem(
            path,
            "no_rows",
            f"the file has a header but no data rows{where}: add one row per year and indicator",
            row=2,
        )
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
        raise _problem(
            path,
            "no_rows",
            f"the file has a header but no data rows{where}: add one row per year and indicator",
            row=2,
        )
    # Messages name the sheet too: a workbook's problems are found by sheet, row and column.
    frame.attrs["file"] = f"{path.name}, sheet {sheet!r}" if sheet else path.name
    frame.attrs["path"] = str(path)
    if sheet:
        frame.attrs["sheet"] = sheet
    return frame


def _check_cells(frame: pd.DataFrame, path: Path, sheet: str | None = None) -> None:
    """Refuse a cell longer than MAX_CELL_CHARS (names its row and column)."""
    lengths = frame.apply(lambda col: col.str.len())
    if lengths.empty or not (lengths.to_numpy() > MAX_CELL_CHARS).any():
        return
    column = lengths.max().idxmax()
    row = int(lengths[column].idxmax())
    where = f"sheet {sheet!r}: " if sheet else ""
    raise _problem(
        path,
        "cell_too_large",
        f"{where}a cell holds {int(lengths[column].max()):,} characters, above the limit of "
        f"{MAX_CELL_CHARS:,}; a cell holds one value, a source or a short note",
        row=row + FIRST_DATA_ROW,
        column=str(column),
    )


def _read_csv(path: Path, encoding: str | None, declared_as: str | None) -> pd.DataFrame:
    data = path.read_bytes()
    # Counting line ends is cheap and refuses a long file before it is decoded or parsed.
    if data.count(b"\n") > MAX_ROWS + 1:
        raise _problem(
            path,
            "too_many_rows",
            f"the file has more than {MAX_ROWS:,} data rows; split it (one file per region)",
        )
    text, used = decode_csv(path, data, encoding, declared_as)
    if not text.strip():
        raise _problem(path, "empty_file", "the file holds only whitespace")
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    # pandas reads UTF-8 bytes without the copies a str buffer costs (4 bytes a character).
    utf8 = data if used == "utf-8" else text.lstrip("\ufeff").encode("utf-8")
    del text
    if header.count(",") >= MAX_COLUMNS:
        raise _problem(
            path,
            "too_many_columns",
            f"the header has {header.count(',') + 1:,} columns, above the limit of "
            f"{MAX_COLUMNS}; is the file a table with commas between its columns?",
            row=1,
        )
    try:
        # Strings only: validation decides what a cell means ("2020年", "3.5万", "NaN").
        # nrows guards memory: one row past the limit is enough to know it is too long.
        frame = pd.read_csv(
            io.BytesIO(utf8),
            encoding="utf-8",
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
        message = " ".join(str(error).split())[:300]
        raise _problem(path, "csv_syntax", f"cannot parse CSV: {message}", row=row) from error
    frame.attrs["encoding"] = used
    _check_cells(frame, path)
    return _finish(frame, path)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _scan_part(
    member: zipfile.ZipExtFile, count: tuple[bytes, ...] | None, facts: _SheetFacts, budget: int
) -> int:
    """Unpack one archive part in chunks (at most ``budget`` bytes), counting what it holds.

    Args:
        member: the open part.
        count: what to count in ``facts.cells`` (cells of a sheet, strings of the shared
            strings); None for other parts.
        facts: filled in: the count, and for a sheet its widest column and header merges.
        budget: bytes the part may unpack to.

    Returns:
        The bytes unpacked (budget + 1 when the part is larger than the budget).
    """
    total, tail = 0, b""
    sheet = count is _CELL
    while chunk := member.read(_CHUNK):
        total += len(chunk)
        if total > budget:
            return budget + 1
        if count is None:
            continue
        # Counted in the chunk only (not the carried tail) so nothing counts twice.
        facts.cells += sum(chunk.count(tag) for tag in count)
        if sheet:
            window = tail + chunk
            for match in _WIDE_REF.finditer(window):
                facts.max_column = max(facts.max_column, _column_number(match[1].decode()))
            for match in _MERGE.finditer(window):
                if match[2] == b"1":
                    start, end = match[1] + match[2], match[3] + match[4]
                    facts.header_merges.add(f"{start.decode()}:{end.decode()}")
            tail = window[-_OVERLAP:]
    return total


def _inspect_xlsx(path: Path) -> dict[str, _SheetFacts]:
    """Check the archive (kind, integrity, unpacked size) and count each sheet's cells.

    Returns:
        {part name of a worksheet: its facts}; shared strings are counted under their name.

    Raises:
        DataError: not an xlsx archive, encrypted, corrupt, or too large once unpacked.
    """
    with open(path, "rb") as handle:
        magic = handle.read(len(_CFB_MAGIC))
    if magic == _CFB_MAGIC:
        raise _problem(
            path,
            "xlsx_encrypted",
            "the workbook is password-protected (encrypted), or an old .xls file renamed "
            ".xlsx; save it as an .xlsx workbook without a password",
        )
    if not zipfile.is_zipfile(path):
        raise _problem(
            path,
            "xlsx_invalid",
            "cannot open as an Excel workbook: it is not an .xlsx (zip) archive, or it is "
            "truncated; save it again from Excel as .xlsx",
        )
    facts: dict[str, _SheetFacts] = {}
    unpacked = 0
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > 1000:
                raise _problem(path, "xlsx_invalid", f"the archive holds {len(infos)} parts")
            for info in infos:
                if info.is_dir():
                    continue
                name = info.filename.lstrip("/")
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    count: tuple[bytes, ...] | None = _CELL
                elif name == "xl/sharedStrings.xml":
                    count = _SHARED_STRING
                else:
                    count = None
                budget = MAX_XLSX_UNPACKED - unpacked if count else MAX_XLSX_PART
                part = _SheetFacts()
                with archive.open(info) as member:
                    size = _scan_part(member, count, part, budget)
                if size > budget:
                    limit = MAX_XLSX_UNPACKED if count else MAX_XLSX_PART
                    raise _problem(
                        path,
                        "xlsx_too_large",
                        f"the workbook unpacks to more than {limit / 2**20:.0f} MiB (part "
                        f"{name!r}); a table this large belongs in a CSV file",
                    )
                unpacked += size
                if count is not None:
                    facts[name] = part
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError, ValueError) as error:  # fmt: skip
        raise _problem(
            path,
            "xlsx_invalid",
            f"cannot open as an Excel workbook: the archive is corrupt or truncated ({error}); "
            "save it again from Excel as .xlsx",
        ) from None
    return facts


def _check_sheet_facts(path: Path, title: str, facts: _SheetFacts | None, strings: int) -> None:
    if facts is None:
        return
    if facts.cells > MAX_XLSX_CELLS or strings > MAX_XLSX_CELLS:
        raise _problem(
            path,
            "too_many_cells",
            f"sheet {title!r} holds more than {MAX_XLSX_CELLS:,} cells (about "
            f"{MAX_XLSX_CELLS // 8:,} rows of 8 columns); save a table this large as CSV",
        )
    if facts.max_column > MAX_COLUMNS:
        raise _problem(
            path,
            "too_many_columns",
            f"sheet {title!r} has a cell in column {facts.max_column}, beyond the "
            f"{MAX_COLUMNS} columns a table may have; delete what lies right of the table",
        )
    if facts.header_merges:
        raise _problem(
            path,
            "merged_header",
            f"sheet {title!r}: merged header cells {', '.join(sorted(facts.header_merges))}; "
            "give each column its own header cell in row 1",
            row=1,
        )


def _sheet_rows(path: Path, ws: object, columns: int) -> list[list[str]]:
    """The rows of a read-only sheet as text (``columns`` wide), each cell checked for size."""
    rows: list[list[str]] = []
    # The declared dimension is ignored (a sheet may lie about it); rows are counted here.
    ws.reset_dimensions()  # type: ignore[attr-defined]
    for number, row in enumerate(
        ws.iter_rows(values_only=True, max_col=columns),  # type: ignore[attr-defined]
        start=1,
    ):
        if number > MAX_ROWS + 1:
            raise _problem(
                path, "too_many_rows",
                f"sheet {ws.title!r} has more than {MAX_ROWS:,} data rows",  # type: ignore[attr-defined]
            )  # fmt: skip
        cells = [_cell_text(v) for v in row]
        for index, text in enumerate(cells):
            if len(text) > MAX_CELL_CHARS:
                header = rows[0][index] if rows and index < len(rows[0]) else f"#{index + 1}"
                raise _problem(
                    path, "cell_too_large",
                    f"sheet {ws.title!r}: a cell holds {len(text):,} characters, above the "  # type: ignore[attr-defined]
                    f"limit of {MAX_CELL_CHARS:,}", row=number, column=header,
                )  # fmt: skip
        rows.append(cells)
    return rows


def _frame_of(path: Path, rows: list[list[str]], title: str) -> pd.DataFrame:
    # Trailing blank rows are formatting, not data.
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise _problem(path, "empty_file", f"sheet {title!r} is empty")
    header = rows[0]
    while header and not header[-1].strip():
        header = header[:-1]
    width = len(header)
    body = []
    for number, row in enumerate(rows[1:], start=FIRST_DATA_ROW):
        outside = [i for i, c in enumerate(row[width:], start=width + 1) if c.strip()]
        if outside:
            raise _problem(
                path,
                "cell_outside_header",
                f"sheet {title!r}: a value in column {outside[0]}, right of the last header "
                "cell; give the column a header or delete the value",
                row=number,
            )
        body.append((row + [""] * width)[:width])
    return pd.DataFrame(body, columns=header, dtype=str)


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    facts = _inspect_xlsx(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a corrupt file
        raise _problem(
            path,
            "xlsx_invalid",
            f"cannot open as an Excel workbook ({type(error).__name__}: "
            f"{' '.join(str(error).split())[:200]}); save it again from Excel as .xlsx",
        ) from None
    try:
        if sheet is None:
            if not book.worksheets:
                raise _problem(path, "empty_file", "the workbook has no worksheet")
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise _problem(
                path, "sheet_missing", f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}"
            )
        if getattr(ws, "sheet_state", "visible") != "visible":
            raise _problem(
                path,
                "hidden_sheet",
                f"sheet {ws.title!r} is hidden: the table read must be one you can see; "
                "unhide it in Excel, or delete it",
            )
        part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        strings = facts.get("xl/sharedStrings.xml", _SheetFacts()).cells
        found = facts.get(part)
        _check_sheet_facts(path, ws.title, found, strings)
        # Columns beyond Z are seen by their references; a sheet without any reads 26 wide.
        columns = min(max(26, found.max_column if found else MAX_COLUMNS), MAX_COLUMNS)
        try:
            rows = _sheet_rows(path, ws, columns)
        except Exception as error:  # noqa: BLE001 - a corrupt sheet fails inside openpyxl
            if getattr(error, "problems", None):
                raise
            raise _problem(
                path,
                "xlsx_invalid",
                f"sheet {ws.title!r} cannot be read ({type(error).__name__}: "
                f"{' '.join(str(error).split())[:200]})",
            ) from None
    finally:
        book.close()
    return _finish(_frame_of(path, rows, ws.title), path, sheet=ws.title)


def read_table(
    path: Path | str,
    sheet: str | None = None,
    encoding: str | None = None,
    declared_as: str | None = None,
) -> pd.DataFrame:
    """Read a CSV or XLSX table as strings, indexed by 1-based file row (first data row = 2).

    Args:
        path: a .csv (UTF-8, UTF-8-BOM, GBK/GB18030, or a declared encoding) or .xlsx file.
        sheet: the XLSX sheet name (default: the first sheet).
        encoding: the CSV's declared encoding (package.yaml ``encodings``), if any.
        declared_as: the file's name as package.yaml would declare it (for messages).

    Returns:
        DataFrame of str cells ("" for empty) with attrs file, path (and encoding or sheet).

    Raises:
        DataError: missing, empty, header-only, too large, undecodable or malformed file,
            hidden sheet, merged header cells, encrypted or corrupt workbook (names the file,
            sheet and cell range).
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
    return _read_csv(path, encoding, declared_as)
