"""Finding tables and reading CSV text the way Chinese spreadsheets write it, without pandas.

A fully cached run reads what it needs here, so the CLI starts fast.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from charset_normalizer import from_bytes

from uniontrends.errors import DataError, Problem

TABLE_SUFFIXES = (".csv", ".xlsx")

# Chinese Excel writes GBK/GB18030; UTF-8 with or without BOM is what everything else writes.
_CHINESE_FALLBACK = "gb18030"


def file_problem(path: Path, rule: str, message: str, **where: object) -> DataError:
    return DataError([Problem(path.name, rule, message, **where)])  # type: ignore[arg-type]


def decode_csv(path: Path, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding name)."""
    if b"\x00" in data:
        raise file_problem(
            path,
            "encoding",
            "the file holds NUL bytes: it is binary, not CSV text; save it as "
            "UTF-8 CSV (no encoding tried)",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        encoding = best.encoding
        # For short Chinese files the detector may name a narrower or unrelated code page;
        # GB18030 is a strict superset of GBK/GB2312, so prefer it whenever it decodes cleanly.
        try:
            return data.decode(_CHINESE_FALLBACK), _CHINESE_FALLBACK
        except UnicodeDecodeError:
            return str(best), encoding
    raise file_problem(
        path,
        "encoding",
        "cannot decode the file as text (encodings tried: utf-8, utf-8-sig, gb18030 and "
        "charset-normalizer detection); save it as UTF-8 CSV",
    )


def csv_column(path: Path, column: str) -> list[str] | None:
    """The stripped cells of one column of a CSV file; None when the header lacks it.

    Raises:
        DataError: the file cannot be decoded as text.
    """
    text, _encoding = decode_csv(path, path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    headers = {name.strip(): name for name in reader.fieldnames or []}
    if column not in headers:
        return None
    return [(row.get(headers[column]) or "").strip() for row in reader]


def table_files(folder: Path) -> list[Path]:
    """The .csv/.xlsx files of a folder, sorted by name (README and others ignored)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in TABLE_SUFFIXES)
