"""The Excel workbook a federation fills in for one new year (read back by `add_year`).

The workbook opens on its instructions; sheet ``data`` has one row per indicator the package
stores, with last year's value, qualifier and provenance beside the cells to fill in. Headers
are bilingual, Chinese first for a Chinese-speaking package (``PackageInfo.is_chinese``), and
end with the column's id in brackets ("本年数值\\nThis year's value [value]"), which is what
problems name and what ``add_year`` reads. Every input cell shows a prompt when selected;
a value that is neither a number in range nor a Chinese quantity ("3.5万", "1200余", "超12万")
raises a warning that can be overridden, because import parses and checks every cell anyway.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from uniontrends.data.catalog import Catalog
from uniontrends.data.model import MISSING, PROVENANCES, QUALIFIERS
from uniontrends.data.package import DataPackage
from uniontrends.data.quantities import COMMON_WORDS
from uniontrends.errors import DataError, ParameterError, Problem
from uniontrends.messages import message
from uniontrends.notebook.params import check_region_slug

DATA_SHEET = "data"
INSTRUCTIONS_SHEET = "instructions"
DEFAULT_PROVENANCE = "official_annual"
# Provenances a user may enter for a year of annual returns ("reference" is for external series).
ENTRY_PROVENANCES = tuple(p for p in PROVENANCES if p != "reference")
ENTRY_QUALIFIERS = (*QUALIFIERS, MISSING)
# The columns in order; the id ends each header cell in brackets, after the labels in both
# languages (``messages.yaml``: ``template.column.<id>``).
COLUMN_NAMES = (
    "region", "year", "indicator", "name_zh", "name_en", "unit", "unit_zh", "unit_en",
    "last_year_value", "last_year_qualifier", "last_year_provenance", "value", "qualifier",
    "missing_reason", "source", "provenance", "sample_size", "design_effect",
)  # fmt: skip
INPUT_COLUMNS = ("value", "qualifier", "missing_reason", "source", "provenance", "sample_size",
                 "design_effect")  # fmt: skip
_SURVEY_COLUMNS = ("sample_size", "design_effect")
_HEADER_ID = re.compile(r"\[([a-z_]+)\]\s*\Z")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SYNTHETIC_FILL = PatternFill("solid", fgColor="F8CBAD")
_MAX_ROWS_VALIDATED = 1000

# Prompts and alerts, in both languages at once (``messages.yaml``: ``template.*``): Excel
# shows at most 32 characters of a title and 255 of a message.
_PROMPTED = ("value", "share", "qualifier", "missing_reason", "source", "provenance",
             "sample_size", "design_effect")  # fmt: skip
# The instructions sheet, line by line.
_INSTRUCTION_LINES = ("title", "1", "2", "3", "4", "5", "6", "7", "8", "import")


def _bilingual(key: str, separator: str = "") -> str:
    """A message in Chinese, then in English (the form is read in both)."""
    return message(key, "zh") + separator + message(key, "en")


def _instructions(lang: str) -> list[str]:
    return [message(f"template.instructions.{line}", lang) for line in _INSTRUCTION_LINES]


def stored_indicators(catalog: Catalog) -> list[str]:
    """Indicator ids that annual tables store (derived numerator/denominator rates excluded).

    Args:
        catalog: the indicator catalog.

    Returns:
        Indicator ids in catalog order.
    """
    return [ind.id for ind in catalog.indicators.values() if not ind.is_derived]


def header_text(column: str, chinese_first: bool) -> str:
    """A header cell: both labels, the reader's language first, then the id in brackets."""
    zh, en = (message(f"template.column.{column}", lang) for lang in ("zh", "en"))
    first, second = (zh, en) if chinese_first else (en, zh)
    return f"{first}\n{second} [{column}]"


def column_id(header: object) -> str:
    """The column id a header cell names ("...[value]" -> "value"; a bare id stays)."""
    text = str(header or "").strip()
    match = _HEADER_ID.search(text)
    return match[1] if match else text


def check_template_region(package: DataPackage, region: str, new_region: bool) -> str:
    """The region, when the package has it (or ``new_region`` allows a new one).

    Raises:
        ParameterError: not a slug, or unknown without ``new_region``.
    """
    region = check_region_slug(region)
    known = package.region_ids()
    if region not in known and not new_region:
        raise ParameterError(
            "region",
            region,
            f"region {region!r} is not a region of the package ({', '.join(known) or 'none'}): "
            "correct the region, or pass --new-region to start a new region's table "
            f"annual/{region}.csv",
        )
    return region


def template_frame(
    package: DataPackage, region: str, year: int, new_region: bool = False
) -> pd.DataFrame:
    """The rows of the workbook: one per stored indicator, with last year's value (base units).

    Args:
        package: the data package.
        region: region id; its last-year values come from annual/<region>.csv.
        year: the year to fill in; last year is year - 1.
        new_region: allow a region the package does not have yet (no last year).

    Returns:
        DataFrame with columns COLUMN_NAMES; value, source and the survey columns empty,
        qualifier "exact", provenance "official_annual"; last year's value NaN (and its
        qualifier "missing") where last year has no value.

    Raises:
        ParameterError: the region is not a slug or not in the package.
    """
    region = check_template_region(package, region, new_region)
    catalog = package.catalog
    annual = package.annual_of(region)
    last = annual[annual["year"] == year - 1].set_index("indicator")
    rows = []
    for ident in stored_indicators(catalog):
        ind = catalog[ident]
        has_last = ident in last.index
        rows.append(
            {
                "region": region,
                "year": int(year),
                "indicator": ident,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "unit": ind.unit,
                "unit_zh": ind.unit_label("zh"),
                "unit_en": ind.unit_label("en"),
                "last_year_value": float(last.at[ident, "value"]) if has_last else float("nan"),
                "last_year_qualifier": str(last.at[ident, "qualifier"]) if has_last else "",
                "last_year_provenance": str(last.at[ident, "provenance"]) if has_last else "",
                "value": "",
                "qualifier": "exact",
                "missing_reason": "",
                "source": "",
                "provenance": DEFAULT_PROVENANCE,
                "sample_size": "",
                "design_effect": "",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMN_NAMES))


def _shown_columns(catalog: Catalog, chinese_first: bool) -> tuple[str, ...]:
    """The columns of this package's workbook: names in the reader's order, survey columns
    only when the package stores a rate a survey could measure."""
    names = ("name_zh", "name_en") if chinese_first else ("name_en", "name_zh")
    units = ("unit_zh", "unit_en") if chinese_first else ("unit_en", "unit_zh")
    rates = any(ind.kind == "rate" for ind in catalog.indicators.values() if not ind.is_derived)
    out = []
    for name in COLUMN_NAMES:
        if name in _SURVEY_COLUMNS and not rates:
            continue
        if name in ("name_zh", "name_en"):
            name = names[("name_zh", "name_en").index(name)]
        if name in ("unit_zh", "unit_en"):
            name = units[("unit_zh", "unit_en").index(name)]
        out.append(name)
    return tuple(out)


def _validation(kind: str, formula: str, key: str, error: str) -> DataValidation:
    """A validation with its prompt and alert switched on (openpyxl leaves both off)."""
    dv = DataValidation(type=kind, formula1=formula, allow_blank=True)
    dv.showInputMessage = dv.showErrorMessage = True
    dv.promptTitle = (
        message(f"template.prompt_title.{key}", "zh")
        + " / "
        + message(f"template.prompt_title.{key}", "en")
    )
    dv.prompt = _bilingual(f"template.prompt.{key}")
    dv.errorTitle, dv.error = "uniontrends", error
    return dv


def _value_formula(cell: str, share: bool) -> str:
    if share:
        return f"AND(ISNUMBER({cell}),{cell}>=0,{cell}<=1)"
    bound = f"{cell}>=0"
    text = cell
    for word in COMMON_WORDS:  # removed, what is left must be a number
        text = f'SUBSTITUTE({text},"{word}","")'
    return f"OR(AND(ISNUMBER({cell}),{bound}),ISNUMBER(--{text}))"


def _write_data_sheet(ws: Worksheet, frame: pd.DataFrame, columns: tuple[str, ...],
                      chinese_first: bool) -> None:  # fmt: skip
    col = {name: i + 1 for i, name in enumerate(columns)}
    for name in columns:
        cell = ws.cell(row=1, column=col[name], value=header_text(name, chinese_first))
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 45
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        for name in columns:
            value = rec[name]
            if isinstance(value, float) and value != value:
                value = None
            cell = ws.cell(row=i, column=col[name], value=value if value != "" else None)
            if name in INPUT_COLUMNS:
                cell.fill = _INPUT_FILL
        if rec["last_year_provenance"] == "synthetic":
            # Last year's value is illustrative: the clerk must not take it for a statistic.
            for name in ("last_year_value", "last_year_provenance"):
                ws.cell(row=i, column=col[name]).fill = _SYNTHETIC_FILL
        number_format = "0.0%" if rec["unit"] == "share" else "#,##0.##"
        for name in ("last_year_value", "value"):
            ws.cell(row=i, column=col[name]).number_format = number_format
    last_row = max(len(frame) + 1, 2)
    value_letter = get_column_letter(col["value"])
    # One validation per row: a relative formula refers to its own row's cell.
    for i, unit in enumerate(frame["unit"], start=2):
        share = unit == "share"
        cell = f"{value_letter}{i}"
        kind = "share" if share else "value"
        dv = _validation("custom", _value_formula(cell, share), kind,
                         _bilingual(f"template.alert.{kind}"))  # fmt: skip
        dv.errorStyle = "warning"  # a phrase the formula does not know can still be kept
        dv.add(cell)
        ws.add_data_validation(dv)
    rows = f"2:{max(last_row, _MAX_ROWS_VALIDATED)}"
    for name, options in (("qualifier", ENTRY_QUALIFIERS), ("provenance", ENTRY_PROVENANCES)):
        dv = _validation(
            "list", '"' + ",".join(options) + '"', name, _bilingual("template.alert.list")
        )
        letter = get_column_letter(col[name])
        dv.add(f"{letter}{rows.replace(':', f':{letter}')}")
        ws.add_data_validation(dv)
    for name, low in (("sample_size", 0), ("design_effect", 1)):
        if name not in col:
            continue
        dv = _validation("decimal", str(low), name, _bilingual("template.alert.number"))
        dv.operator = "greaterThan" if name == "sample_size" else "greaterThanOrEqual"
        letter = get_column_letter(col[name])
        dv.add(f"{letter}{rows.replace(':', f':{letter}')}")
        ws.add_data_validation(dv)
    for name in ("missing_reason", "source"):
        dv = _validation("textLength", "1000", name, _bilingual("template.alert.list"))
        dv.operator, dv.showErrorMessage = "lessThanOrEqual", False  # a prompt, not a rule
        letter = get_column_letter(col[name])
        dv.add(f"{letter}{rows.replace(':', f':{letter}')}")
        ws.add_data_validation(dv)
    widths = {"name_zh": 28, "name_en": 40, "source": 36, "value": 16, "last_year_value": 18,
              "missing_reason": 20}  # fmt: skip
    for name in columns:
        ws.column_dimensions[get_column_letter(col[name])].width = widths.get(name, 14)
    # Keep the header and the indicator's identity visible while scrolling.
    ws.freeze_panes = "D2"


def _write_instructions(ws: Worksheet, package: DataPackage, region: str, year: int,
                        chinese_first: bool) -> None:  # fmt: skip
    ws.column_dimensions["A"].width = 120
    title = package.info.title_zh if chinese_first else package.info.title_en
    name = package.region_name(region, "zh" if chinese_first else "en")
    lines = [f"{title or package.info.id}: {name} ({region}) {year}", ""]
    first, second = ("zh", "en") if chinese_first else ("en", "zh")
    lines += _instructions(first) + [""] + _instructions(second)
    for i, text in enumerate(lines, start=1):
        # Text from the package stays text: a title starting with "=" is not a formula.
        cell = ws.cell(row=i, column=1, value=text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True)
        if text in (_instructions("zh")[0], _instructions("en")[0]) or i == 1:
            cell.font = Font(bold=True)


def write_template(
    package: DataPackage, region: str, year: int, path: Path | str, new_region: bool = False
) -> Path:
    """Write the fill-in workbook for `region` and `year`.

    Args:
        package: the data package.
        region: region id (e.g. "putuo").
        year: the year to fill in (last year's values are shown for reference).
        path: the .xlsx file to write (its folder is created).
        new_region: allow a region the package does not have yet.

    Returns:
        The path written.

    Raises:
        DataError: the catalog or annual table is invalid, or path is not .xlsx.
        ParameterError: the region is not a slug or not in the package.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise DataError([Problem(path.name, "file_type", "the template must be an .xlsx file")])
    frame = template_frame(package, region, year, new_region)
    chinese_first = package.info.is_chinese
    book = Workbook()
    info = book.active
    info.title = INSTRUCTIONS_SHEET
    _write_instructions(info, package, region, year, chinese_first)
    data = book.create_sheet(DATA_SHEET)
    _write_data_sheet(data, frame, _shown_columns(package.catalog, chinese_first), chinese_first)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def fill_template(
    path: Path | str,
    values: dict[str, object],
    source: str,
    provenance: str = DEFAULT_PROVENANCE,
    **columns: dict[str, object],
) -> Path:
    """Fill value, source and provenance of a template programmatically (scripts, tests).

    Args:
        path: a workbook from write_template; changed in place.
        values: {indicator id: number in base units or text such as "3.5万"}; None = blank
            (a blank whose qualifier is set to "missing" below keeps the source).
        source: the source written next to every filled value.
        provenance: one of ENTRY_PROVENANCES.
        **columns: other input columns by id, e.g. qualifier={"legal_aid_cases": "missing"}.

    Returns:
        The path.

    Raises:
        KeyError: an indicator of `values` has no row in the workbook.
    """
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book[DATA_SHEET]
    col = {column_id(cell.value): cell.column for cell in ws[1]}
    rows = {ws.cell(r, col["indicator"]).value: r for r in range(2, ws.max_row + 1)}
    unknown = sorted(set(values) - set(rows))
    if unknown:
        raise KeyError(f"no row for indicator(s) {unknown} in {path}")
    marked = set(columns.get("qualifier", {}))
    for ident, value in values.items():
        r = rows[ident]
        ws.cell(r, col["value"]).value = value
        # A blank marked missing keeps its source too: who says the year has no value.
        ws.cell(r, col["source"]).value = source if value is not None or ident in marked else None
        ws.cell(r, col["provenance"]).value = provenance
    for name, by_indicator in columns.items():
        for ident, value in by_indicator.items():
            ws.cell(rows[ident], col[name]).value = value
    book.save(path)
    return Path(path)
