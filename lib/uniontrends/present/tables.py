"""Tables as a reader gets them: in notebooks (a pandas Styler), as CSV and as XLSX sheets."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from uniontrends.messages import message, message_table
from uniontrends.notes import note_text
from uniontrends.numbers import (
    DECIMALS,
    MISSING,
    NumberFormat,
    estimate_decimals,
    is_missing,
    missing_note,
    number_format,
    unit_text,
)
from uniontrends.safe import controls_written_out, escape_html, neutralise_formulas

CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel on Chinese Windows read UTF-8 correctly
XLSX_SHEET_MAX = 31
NOWRAP_WIDTH = 22  # a column whose cells are at most this wide (half-em units) never wraps
LONG_TABLE_ROWS = 40  # longer tables show their first rows, the whole table collapsed
HEAD_ROWS = 10
# The statistics a reader looks for first, per indicator (the rest are collapsed).
KEY_STATISTICS = ("level_start", "level_end", "rel_change", "cagr")
TREND_METHODS_FIRST = ("glm_rate_ratio", "ols_slope", "mann_kendall_s")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def header(column: object, lang: str = "en") -> str:
    """A column's heading in ``lang`` (``messages.yaml``: ``header.*``, then a coded word's
    ``word.*``); an unknown column as its name, underscores read as spaces in English."""
    name = str(column)
    found = message_table("header", lang).get(name)
    if found is not None:
        return found
    if lang == "zh":
        return message_table("word", lang).get(name, name)
    return name.replace("_", " ")


def localized(df: pd.DataFrame, lang: str, name_of: Callable[[str], str]) -> pd.DataFrame:
    """A table for readers of ``lang`` (a copy): indicator names, coded words (a provenance,
    a qualifier, an evidence level standing alone in a cell), technical notes
    (``notes.Note``) and headings in the language.

    Args:
        df: the table, with ids and codes as the files keep them.
        lang: "en" or "zh".
        name_of: indicator id -> its name in ``lang``.
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:  # a statistic's method or note kept as a catalog key
            out[col] = out[col].map(lambda v: note_text(v, lang))
    if "indicator" in out.columns:
        out["indicator"] = out["indicator"].map(lambda i: name_of(str(i)))
    if "unit" in out.columns:  # "cases per year" -> "件/年", "person_times" -> "person-times"
        out["unit"] = out["unit"].map(lambda u: unit_text(u, lang))
    # only the words a language writes differently from their code (none in English)
    words = {code: text for code, text in message_table("word", lang).items() if text != code}
    if words:
        for col in out.columns:
            if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
                out[col] = out[col].map(lambda v: words.get(v, v) if isinstance(v, str) else v)
    out.columns = [header(c, lang) for c in out.columns]
    return out


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


def _p_cell(fmt: NumberFormat, p: float) -> str:
    """A p-value in a table: "0.030", "< 0.001" (a dash when missing)."""
    if is_missing(p):
        return MISSING
    # Styler escapes data, not what a formatter returns; a no-break space keeps "< 0.001" whole
    if p < 0.001:
        return html.escape("<\u00a0" + fmt.number(0.001, 3, fixed=True))
    return fmt.number(p, 3, fixed=True)


def _number_cell(fmt: NumberFormat, decimals: int, value: object) -> str:
    """A number in a table: every digit, the locale's separators, a true minus sign."""
    return fmt.value(value, decimals, large=False, fixed=True)  # type: ignore[arg-type]


def _whole_numbers(column: pd.Series) -> bool:
    """A column of integers, or of floats that are all whole numbers (counts stored as floats)."""
    if pd.api.types.is_integer_dtype(column):
        return True
    if not pd.api.types.is_float_dtype(column) or column.isna().all():
        return False
    return bool(column.dropna().mod(1).eq(0).all())


def _visual_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _short_columns(df: pd.DataFrame) -> list[object]:
    """Columns whose shown cells are all short: they never wrap (no "明/确" on two lines)."""
    short = []
    for col in df.columns:
        cells = [str(v) for v in df[col].tolist()]
        if max((_visual_width(c) for c in cells), default=0) <= NOWRAP_WIDTH:
            short.append(col)
    return short


def display_table(df: pd.DataFrame, lang: str = "en", precision: int = 2) -> Styler:
    """A table for notebooks: thousands separators, text HTML-escaped, headings in `lang`.

    Text columns and their headers are left-aligned, numbers and theirs right-aligned;
    columns of short values (numbers, codes, evidence words) never wrap, so a narrow page
    squeezes only the columns of sentences. Numbers are written by the language's formatter
    (``uniontrends.numbers``) with every digit; a missing number is a dash, missing text is
    nothing, never "nan".

    Args:
        df: the table (values in base units).
        lang: "en" or "zh": the headings' language (``header``).
        precision: decimals shown for non-integer numbers.

    Returns:
        A pandas Styler (renders as HTML in Jupyter and in the HTML export).
    """
    # headings in the language (a table already localised keeps its own)
    shown = controls_written_out(df.set_axis([header(c, lang) for c in df.columns], axis=1))
    fmt = number_format(lang)
    styler = shown.style.format(escape="html", na_rep="")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    year_cols = [c for c in shown.columns if c in _headers(("year", "period_start", "period_end"))]
    p_cols = [c for c in shown.columns if c in _headers(("p_value", "p_adjusted"))]
    for col in shown.columns:
        if col in year_cols or col in p_cols or not _is_number(shown[col]):
            continue
        decimals = 0 if _whole_numbers(shown[col]) else precision  # 38 organisations, not 38.00
        cell = functools.partial(_number_cell, fmt, decimals)
        styler = styler.format(cell, subset=[col], na_rep=MISSING)
    if year_cols:
        # years are labels, not quantities: no thousands separator
        styler = styler.format("{}", subset=year_cols, escape="html", na_rep=MISSING)
    if p_cols:  # "0.00" would hide how small a p-value is; files keep the number itself
        cell = functools.partial(_p_cell, fmt)
        styler = styler.format(cell, subset=p_cols, na_rep=MISSING)
    text_cols = [c for c in shown.columns if _is_text(shown[c])]
    if text_cols:  # sentences read from the left; numbers stay right-aligned
        styler = styler.set_properties(subset=text_cols, **{"text-align": "left"})
    headers = [
        {"selector": f"th.col_heading.col{i}", "props": "text-align: left;"}
        for i, c in enumerate(shown.columns)
        if c in text_cols
    ]
    if headers:  # a header stands over its column: left over text, right over numbers
        styler = styler.set_table_styles(headers, overwrite=False)
    short = _short_columns(shown)
    if short:
        classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
        classes[short] = "ut-nowrap"
        styler = styler.set_td_classes(classes)
    styler = styler.set_table_attributes('class="ut-table"')
    if _plain_index(shown):  # a row counter says nothing (CSV and XLSX leave it out too)
        styler = styler.hide(axis="index")
    return styler


def _headers(columns: tuple[str, ...]) -> set[str]:
    """The columns as named in any table: their ids and their headings in every language."""
    return {*columns, *(header(c, lang) for c in columns for lang in ("en", "zh"))}


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) or column.dtype == object


# ---- long tables: key numbers first, the rest collapsed (HTML <details>, no script) ---------


def format_value(value: object, unit: str, lang: str = "en") -> str:
    """A statistic's value for reading, by its unit (``uniontrends.numbers``): shares,
    relative changes and growth rates in %, counts and money in 万/亿 in Chinese, rates per
    1,000 members to two decimals, estimates with as many digits as they carry.

    Args:
        value: a number (or None / NaN).
        unit: the statistic's unit ("share", "share per year", "cases", ...).
        lang: "en" or "zh".

    Returns:
        The text shown; a dash for a missing value, never "nan".
    """
    fmt = number_format(lang)
    if is_missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if unit in ("share", "share per year"):  # a share, or a change relative to a level
        return fmt.percentage(number)
    # an estimate's digits, at least the unit's (a rate per 1,000 members: two)
    return fmt.value(number, max(DECIMALS.get(unit, 0), estimate_decimals(number)))


def collapsed(inner_html: str, summary: str, note: str = "", open_: bool = False) -> str:
    """HTML ``<details>``: `summary` always shown, `inner_html` on a click (no script).

    Args:
        inner_html: markup already safe (a Styler's HTML, escaped).
        summary: plain text (escaped here).
        note: plain text shown after the summary in a lighter weight (escaped here).
        open_: start opened.
    """
    extra = f' <span class="ut-summary-note">{escape_html(note)}</span>' if note else ""
    state = " open" if open_ else ""
    return (
        f'<details class="ut-group"{state}><summary>{escape_html(summary)}{extra}</summary>'
        f"{inner_html}</details>"
    )


def long_table_html(styled: Styler, head: Styler, n_rows: int, lang: str) -> str:
    """A long table as its first rows, then the whole table collapsed.

    Args:
        styled: the whole table, styled (``display_table``).
        head: its first ``HEAD_ROWS`` rows, styled the same way.
        n_rows: rows in the whole table.
        lang: "en" or "zh".
    """
    note = escape_html(message("table.first_rows", lang, k=HEAD_ROWS, n=n_rows))
    return f'<p class="ut-edition">{note}</p>{head.to_html()}' + collapsed(
        styled.to_html(), message("table.all_rows", lang, n=n_rows)
    )


def statistics_html(
    table: pd.DataFrame,
    lang: str,
    name_of: Callable[[str], str],
    localize: Callable[[pd.DataFrame], pd.DataFrame],
    years: tuple[int, int],
) -> str:
    """An area's statistics as a reader wants them: key numbers first, all of them grouped.

    First one row per indicator (level at the start and end of the window, change, CAGR, the
    trend's evidence, the data's provenance), then every statistic of each indicator in a
    collapsed group of its own.

    Args:
        table: the statistics table (indicator, statistic, value, ci_low, ci_high, p_value,
            unit, method, evidence, provenance), ids not yet localised.
        lang: "en" or "zh".
        name_of: indicator id -> display name.
        localize: the session's table localisation (headers, coded words) for the groups.
        years: first and last year of the window (the key numbers' level columns).

    Returns:
        HTML (every value from data escaped).
    """
    key = _key_numbers(table, lang, name_of, localize, years)
    parts = [display_table(key, lang).set_caption(message("table.key_numbers", lang)).to_html()]
    groups = []
    dashes = MISSING in key.to_numpy()
    for indicator, rows in table.groupby("indicator", sort=False):
        shown = rows.drop(columns=["indicator"]).copy()
        shown["value"] = [
            format_value(v, str(u), lang)
            for v, u in zip(shown["value"], shown["unit"], strict=True)
        ]
        for col in ("ci_low", "ci_high"):
            shown[col] = [
                "" if pd.isna(v) else format_value(v, str(u), lang)
                for v, u in zip(shown[col], shown["unit"], strict=True)
            ]
        dashes = dashes or MISSING in shown["value"].to_numpy()
        styled = display_table(localize(shown.reset_index(drop=True)), lang)
        note = message("table.statistics", lang, n=len(rows))
        groups.append(collapsed(styled.to_html(), name_of(str(indicator)), note))
    parts.append(collapsed("".join(groups), message("table.all_statistics", lang)))
    if dashes:  # a dash is explained once, under the key numbers
        parts.insert(1, f'<p class="ut-edition">{escape_html(missing_note(lang))}</p>')
    return "".join(parts)


def _key_numbers(
    table: pd.DataFrame,
    lang: str,
    name_of: Callable[[str], str],
    localize: Callable[[pd.DataFrame], pd.DataFrame],
    years: tuple[int, int],
) -> pd.DataFrame:
    rows = []
    for indicator, group in table.groupby("indicator", sort=False):
        stat = group.set_index("statistic")

        def shown(name: str, stat: pd.DataFrame = stat) -> str:
            if name not in stat.index:
                return MISSING
            return format_value(stat.at[name, "value"], str(stat.at[name, "unit"]), lang)

        trend = MISSING
        for name in TREND_METHODS_FIRST:
            if name in stat.index and isinstance(stat.at[name, "evidence"], str):
                trend = stat.at[name, "evidence"]
                break
        rows.append(
            {
                "indicator": name_of(str(indicator)),
                "start": shown("level_start"),
                "end": shown("level_end"),
                "change": shown("rel_change"),
                "cagr": shown("cagr"),
                "trend": trend,
                "provenance": str(group["provenance"].iloc[0]) if "provenance" in group else "",
            }
        )
    key = pd.DataFrame(rows)
    # coded words (evidence, provenance) in the session language, headers from this module
    coded = localize(key[["trend", "provenance"]].rename(columns={"trend": "evidence"}))
    key["trend"], key["provenance"] = coded.iloc[:, 0].to_numpy(), coded.iloc[:, 1].to_numpy()
    headers = {k: message(f"table.key.{k}", lang) for k in
               ("indicator", "change", "cagr", "trend", "provenance")}  # fmt: skip
    headers |= {
        "start": message("table.key.level", lang, year=years[0]),
        "end": message("table.key.level", lang, year=years[1]),
    }
    return key.rename(columns=headers)
