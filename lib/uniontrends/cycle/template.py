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
from uniontrends.errors import DataError, ParameterError, Problem
from uniontrends.notebook.params import check_region_slug

DATA_SHEET = "data"
INSTRUCTIONS_SHEET = "instructions"
DEFAULT_PROVENANCE = "official_annual"
# Provenances a user may enter for a year of annual returns ("reference" is for external series).
ENTRY_PROVENANCES = tuple(p for p in PROVENANCES if p != "reference")
ENTRY_QUALIFIERS = (*QUALIFIERS, MISSING)
# (column id, Chinese label, English label); the id ends each header cell in brackets.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("region", "地区代码（勿改）", "Region id (do not change)"),
    ("year", "年份（勿改）", "Year (do not change)"),
    ("indicator", "指标代码（勿改）", "Indicator id (do not change)"),
    ("name_zh", "指标名称", "Indicator, Chinese"),
    ("name_en", "指标名称（英文）", "Indicator, English"),
    ("unit", "单位代码（勿改）", "Unit id (do not change)"),
    ("unit_zh", "单位", "Unit, Chinese"),
    ("unit_en", "单位（英文）", "Unit, English"),
    ("last_year_value", "上一年数值（仅供参考）", "Last year's value (for reference)"),
    ("last_year_qualifier", "上一年限定词", "Last year's qualifier"),
    ("last_year_provenance", "上一年数据性质", "Last year's provenance"),
    ("value", "本年数值（请填写）", "This year's value (fill in)"),
    ("qualifier", "限定词", "Qualifier"),
    ("missing_reason", "缺失原因", "Why missing"),
    ("source", "来源（必填）", "Source (required)"),
    ("provenance", "数据性质", "Provenance"),
    ("sample_size", "样本量（调查）", "Sample size (survey)"),
    ("design_effect", "设计效应（调查）", "Design effect (survey)"),
)
COLUMN_NAMES = tuple(c[0] for c in COLUMNS)
INPUT_COLUMNS = ("value", "qualifier", "missing_reason", "source", "provenance", "sample_size",
                 "design_effect")  # fmt: skip
_SURVEY_COLUMNS = ("sample_size", "design_effect")
_HEADER_ID = re.compile(r"\[([a-z_]+)\]\s*\Z")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SYNTHETIC_FILL = PatternFill("solid", fgColor="F8CBAD")
_MAX_ROWS_VALIDATED = 1000
# What the value check accepts as text once these words are removed: a number. Excel allows
# 255 characters in a validation formula, so the common words only ("3.5万人次" still passes
# after the warning).
_QUANTITY_WORDS = ("万", "余", "超", "约", "近", "多", "以上")

# Prompts and alerts: Excel shows at most 32 characters of a title and 255 of a message.
_PROMPTS = {
    "value": (
        "本年数值 / Value",
        "填写数字（基本单位），或中文数量如“3.5万”“1200余”。"
        "Fill in a number in base units, or a Chinese quantity such as 3.5万 or 1200余.",
    ),
    "share": (
        "比例 / Share",
        "填写0到1之间的小数（85%填0.85）。A share between 0 and 1 (85% is 0.85).",
    ),
    "qualifier": (
        "限定词 / Qualifier",
        "exact 精确；at_least 以上/余；at_most 以下；approx 约；missing 本年缺失（数值留空）。",
    ),
    "missing_reason": (
        "缺失原因 / Why missing",
        "限定词为 missing 时可写明原因。When the qualifier is missing, say why (optional).",
    ),
    "source": (
        "来源 / Source",
        "每个数值都要写来源，如“区总工会2023年统计年报”。Every value needs its source.",
    ),
    "provenance": (
        "数据性质 / Provenance",
        "official_annual 统计年报；reported 公开报道；synthetic 合成示例数据。",
    ),
    "sample_size": (
        "样本量 / Sample size",
        "调查得出的比例：受访人数（正数）。Survey-based share: the number of respondents.",
    ),
    "design_effect": (
        "设计效应 / Design effect",
        "调查的设计效应（不小于1），可不填。The survey's design effect (at least 1), optional.",
    ),
}
_ERRORS = {
    "value": "这不是不小于0的数字或中文数量（如3.5万、1200余）。不改请点“是”，导入时会检查。"
    "Not a number >= 0 or a Chinese quantity; choose Yes to keep it (import checks it).",
    "share": "比例应在0到1之间（85%填0.85）。不改请点“是”，导入时会检查。"
    "A share lies between 0 and 1; choose Yes to keep it (import checks it).",
    "list": "请从下拉列表中选择。Choose one of the listed values.",
    "number": "应为正数（设计效应不小于1）。A positive number (a design effect at least 1).",
}

INSTRUCTIONS = {
    "zh": [
        "填写说明",
        "1. 在“data”工作表中，每行一个指标。只填写黄色列：本年数值、限定词、来源、数据性质"
        "（调查得出的比例可填样本量）。",
        "2. 数值用基本单位（人、人次、件、元）；也可以直接写中文数量，如“3.5万”“1200余”“超12万”，"
        "导入时会自动换算（“余/超/以上”记为 at_least，“约”记为 approx）。",
        "3. 比例类指标（单位 share）填写 0 到 1 之间的小数，单元格按百分比显示（如 85%）。",
        "4. 本年未统计的指标请留空；确知本年缺失的，数值留空、限定词选 missing，并可写明缺失原因。"
        "上一年有数值而本年留空（未标 missing）的指标，导入时会列出，需确认。",
        "5. 每个数值都要写来源（source），例如“区总工会2023年统计年报”。",
        "6. 与上一年相比增长超过3倍或降至三分之一以下的数值会被标出，需复核后确认。",
        "7. 上一年数据性质为 synthetic 的数值是示例（合成）数据，不是统计数字，仅供核对格式。",
        "8. 请勿修改地区、年份、指标和单位代码列以及第一行的列名。",
        "导入命令：uniontrends add-year <本文件.xlsx>",
    ],
    "en": [
        "How to fill in",
        "1. On sheet 'data' there is one row per indicator. Fill in the yellow columns only: "
        "value, qualifier, source, provenance (and the sample size of a survey-based share).",
        "2. Give values in base units (persons, person-times, cases, yuan); Chinese quantities "
        "such as '3.5万', '1200余' or '超12万' are accepted and converted on import ('余/超/以上' "
        "become at_least, '约' becomes approx).",
        "3. Share indicators (unit share) take a fraction between 0 and 1, shown as a percentage.",
        "4. Leave a value blank when the indicator was not compiled this year; when you know the "
        "year has no value, leave it blank, choose the qualifier 'missing' and say why. "
        "Indicators that had a value last year but are blank now (not marked missing) are "
        "listed on import and must be confirmed.",
        "5. Every value needs its source, e.g. 'District federation annual return 2023'.",
        "6. Values above 3x or below 1/3 of last year's are flagged and must be confirmed.",
        "7. A last year's value of provenance 'synthetic' is illustrative (generated), not a "
        "statistic: it shows the format only.",
        "8. Do not change the region, year, indicator and unit id columns or the header row.",
        "Import with: uniontrends add-year <this file.xlsx>",
    ],
}


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
    _name, zh, en = next(c for c in COLUMNS if c[0] == column)
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
    dv.promptTitle, dv.prompt = _PROMPTS[key]
    dv.errorTitle, dv.error = "uniontrends", error
    return dv


def _value_formula(cell: str, share: bool) -> str:
    if share:
        return f"AND(ISNUMBER({cell}),{cell}>=0,{cell}<=1)"
    bound = f"{cell}>=0"
    text = cell
    for word in _QUANTITY_WORDS:
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
        dv = _validation("custom", _value_formula(cell, share), "share" if share else "value",
                         _ERRORS["share" if share else "value"])  # fmt: skip
        dv.errorStyle = "warning"  # a phrase the formula does not know can still be kept
        dv.add(cell)
        ws.add_data_validation(dv)
    rows = f"2:{max(last_row, _MAX_ROWS_VALIDATED)}"
    for name, options in (("qualifier", ENTRY_QUALIFIERS), ("provenance", ENTRY_PROVENANCES)):
        dv = _validation("list", '"' + ",".join(options) + '"', name, _ERRORS["list"])
        letter = get_column_letter(col[name])
        dv.add(f"{letter}{rows.replace(':', f':{letter}')}")
        ws.add_data_validation(dv)
    for name, low in (("sample_size", 0), ("design_effect", 1)):
        if name not in col:
            continue
        dv = _validation("decimal", str(low), name, _ERRORS["number"])
        dv.operator = "greaterThan" if name == "sample_size" else "greaterThanOrEqual"
        letter = get_column_letter(col[name])
        dv.add(f"{letter}{rows.replace(':', f':{letter}')}")
        ws.add_data_validation(dv)
    for name in ("missing_reason", "source"):
        dv = _validation("textLength", "1000", name, _ERRORS["list"])
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
    lines += INSTRUCTIONS[first] + [""] + INSTRUCTIONS[second]
    for i, text in enumerate(lines, start=1):
        # Text from the package stays text: a title starting with "=" is not a formula.
        cell = ws.cell(row=i, column=1, value=text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True)
        if text in (INSTRUCTIONS["zh"][0], INSTRUCTIONS["en"][0]) or i == 1:
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
