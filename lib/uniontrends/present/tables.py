"""Tables as a reader gets them: in notebooks (a pandas Styler), as CSV and as XLSX sheets."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from uniontrends.safe import controls_written_out, neutralise_formulas

CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel on Chinese Windows read UTF-8 correctly
XLSX_SHEET_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

# Column headings of the shared tidy tables, for display in Chinese.
_COLUMNS_ZH = {
    "region": "地区",
    "year": "年份",
    "indicator": "指标",
    "value": "数值",
    "qualifier": "限定",
    "unit": "单位",
    "source": "来源",
    "provenance": "数据性质",
    "period_start": "起始年",
    "period_end": "截止年",
    "note": "备注",
}


def _sheet_name(name: str, taken: set[str]) -> str:
    # Excel forbids []:*?/\ , leading/trailing apostrophes and names over 31 characters,
    # and compares names case-insensitively.
    base = _SHEET_BAD.sub("_", name).strip("'") or "table"
    base = base[:XLSX_SHEET_MAX]
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"~{n}"
        candidate = base[: XLSX_SHEET_MAX - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def write_workbook(tables: dict[str, pd.DataFrame], path: str | Path) -> dict[str, str]:
    """Write tables to one XLSX file, a sheet per table, text never run as a formula.

    Text cells keep their text (a cell is typed text, so "=..." is never run); control
    characters, which a workbook refuses, are written out (``safe.controls_written_out``).

    Args:
        tables: {name: table}, in sheet order.
        path: the .xlsx file to write.

    Returns:
        {table name: sheet name used} (names shortened to 31 characters and made unique).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    sheets: dict[str, str] = {}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, df in tables.items():
            sheet = _sheet_name(name, taken)
            sheets[name] = sheet
            shown = controls_written_out(df)
            shown.to_excel(writer, sheet_name=sheet, index=not _plain_index(df))
            # openpyxl types any text starting with "=" as a formula; we never write formulas,
            # so such a cell came from data and must stay text (OWASP formula injection).
            for row in writer.sheets[sheet].iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    return sheets


def _plain_index(df: pd.DataFrame) -> bool:
    return isinstance(df.index, pd.RangeIndex) and df.index.name is None


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV in UTF-8 with BOM, formula-like text neutralised.

    Args:
        df: the table.
        path: the .csv file to write.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_formulas(df).to_csv(path, index=not _plain_index(df), encoding=CSV_ENCODING)
    return path


def _format_p(p: float) -> str:
    # Styler escapes data, not what a formatter returns; a no-break space keeps "< 0.001" whole
    return html.escape("<\u00a00.001") if p < 0.001 else f"{p:.3f}"


def _whole_numbers(column: pd.Series) -> bool:
    """A float column whose values are all whole numbers (counts stored as floats)."""
    if not pd.api.types.is_float_dtype(column) or column.isna().all():
        return False
    return bool(column.dropna().mod(1).eq(0).all())


def display_table(df: pd.DataFrame, lang: str = "en", precision: int = 2) -> Styler:
    """A table for notebooks: thousands separators, text HTML-escaped, headings in `lang`.

    Args:
        df: the table (values in base units).
        lang: "en" or "zh"; zh translates the shared column names.
        precision: decimals shown for non-integer numbers.

    Returns:
        A pandas Styler (renders as HTML in Jupyter and in the HTML export).
    """
    shown = controls_written_out(df.rename(columns=_COLUMNS_ZH) if lang == "zh" else df)
    styler = shown.style.format(thousands=",", precision=precision, escape="html")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    whole = [c for c in shown.columns if _whole_numbers(shown[c])]
    if whole:  # 38 organisations, not 38.00
        styler = styler.format(thousands=",", precision=0, subset=whole, na_rep="")
    year_cols = [
        c
        for c in shown.columns
        if c in ("year", "年份", "period_start", "起始年", "period_end", "截止年")
    ]
    if year_cols:
        # years are labels, not quantities: no thousands separator
        styler = styler.format("{}", subset=year_cols, escape="html")
    p_cols = [c for c in shown.columns if c in ("p_value", "p value", "p值")]
    if p_cols:  # "0.00" would hide how small a p-value is; files keep the number itself
        styler = styler.format(_format_p, subset=p_cols, na_rep="")
    text_cols = [c for c in shown.columns if pd.api.types.is_string_dtype(shown[c])]
    if text_cols:  # sentences read from the left; numbers stay right-aligned
        styler = styler.set_properties(subset=text_cols, **{"text-align": "left"})
    if _plain_index(shown):  # a row counter says nothing (CSV and XLSX leave it out too)
        styler = styler.hide(axis="index")
    return styler
