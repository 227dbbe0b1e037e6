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
_CHINESE = "gb18030"
# GB18030 decodes almost any byte string, so a file read as GB18030 is taken for Chinese text
# only when nearly all its non-ASCII characters are common Chinese (in GB2312, which holds the
# 6,763 characters of everyday text): a cp1252 or Shift-JIS file decodes into rare characters.
_CHINESE_SHARE = 0.9
# Another encoding is accepted only when the detector's best reading is clean (chaos below this)
# and no other clean reading gives a different text.
_CLEAN_CHAOS = 0.05
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
DECLARE_HINT = (
    "save it as UTF-8 CSV, or declare its encoding in package.yaml, e.g. "
    "encodings: {{{name}: cp1252}}"
)


def file_problem(path: Path, rule: str, message: str, **where: object) -> DataError:
    return DataError([Problem(path.name, rule, message, **where)])  # type: ignore[arg-type]


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_chinese(text: str) -> bool:
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if non_ascii == 0:
        return True
    uncommon = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    return (non_ascii - uncommon) / non_ascii >= _CHINESE_SHARE


def _detected(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) when charset detection is unambiguous, else None."""
    matches = list(from_bytes(data))[:8]
    clean = [m for m in matches if m.chaos <= _CLEAN_CHAOS]
    if not clean:
        return None
    readings = {str(m) for m in clean}
    if len(readings) != 1:
        return None
    return readings.pop(), clean[0].encoding


def decode_csv(
    path: Path, data: bytes, encoding: str | None = None, declared_as: str | None = None
) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding name).

    Rules: a declared encoding is used as declared (strictly); a byte-order mark decides
    (UTF-8, UTF-16); else UTF-8, then GB18030 when the text reads as Chinese, then another
    encoding only when charset detection is unambiguous. Anything else is refused with the
    way to declare the encoding.

    Args:
        path: the file (for messages).
        data: its bytes.
        encoding: the encoding declared for it (package.yaml ``encodings``), if any.
        declared_as: the file's name in package.yaml (for the hint; default annual/<name>).

    Raises:
        DataError: binary data, bytes the declared encoding cannot decode, or an encoding
            that cannot be told with confidence.
    """
    name = declared_as or f"{path.parent.name}/{path.name}"
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise file_problem(
                path, "encoding", f"encoding {encoding!r} (declared in package.yaml) is not an "
                "encoding Python knows, e.g. utf-8, gb18030, big5, cp1252, shift_jis"
            ) from None  # fmt: skip
        except UnicodeDecodeError as error:
            raise file_problem(
                path, "encoding", f"the file is not {encoding} text as package.yaml declares "
                f"(byte {error.start}); correct the declared encoding",
                row=_line_of(data, error.start),
            ) from None  # fmt: skip
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as error:
                raise file_problem(
                    path, "encoding", f"the file starts like {codec} text but byte "
                    f"{error.start} is not; save it as UTF-8 CSV",
                    row=_line_of(data, error.start),
                ) from None  # fmt: skip
    if b"\x00" in data:
        raise file_problem(
            path,
            "encoding",
            "the file holds NUL bytes: it is binary, not CSV text; save it as "
            "UTF-8 CSV (no encoding tried)",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(_CHINESE)
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        return text, _CHINESE
    detected = _detected(data)
    if detected is not None:
        return detected
    raise file_problem(
        path,
        "encoding",
        "cannot tell the file's encoding (encodings tried: utf-8, gb18030, which reads "
        "it as uncommon characters or fails, and charset detection, which is not "
        f"certain); {DECLARE_HINT.format(name=name)}",
    )


def csv_column(path: Path, column: str, encoding: str | None = None) -> list[str] | None:
    """The stripped cells of one column of a CSV file; None when the header lacks it.

    Raises:
        DataError: the file cannot be decoded as text.
    """
    text, _encoding = decode_csv(path, path.read_bytes(), encoding)
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
