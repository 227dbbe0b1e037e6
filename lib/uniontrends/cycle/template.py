"""The Excel workbook a federation fills in for one new year (read back by `add_year`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from uniontrends.data.catalog import Catalog
from uniontrends.data.model import PROVENANCES, QUALIFIERS
from uniontrends.data.package import DataPackage
from uniontrends.errors import DataError, Problem
from uniontrends.notebook.params import check_region_slug

DATA_SHEET = "data"
INSTRUCTIONS_SHEET = "instructions"
DEFAULT_PROVENANCE = "official_annual"
# Provenances a user may enter for a year of annual returns ("reference" is for external series).
ENTRY_PROVENANCES = tuple(p for p in PROVENANCES if p != "reference")
# (column, header comment zh, header comment en); row 1 holds the machine names so that
# validation messages name the same column the user sees.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("region", "地区（勿改）", "region slug (do not change)"),
    ("year", "年份（勿改）", "year being reported (do not change)"),
    ("indicator", "指标代码（勿改）", "indicator id (do not change)"),
    ("name_zh", "指标名称", "indicator name, Chinese"),
    ("name_en", "指标名称（英文）", "indicator name, English"),
    ("unit", "单位代码（勿改）", "unit id (do not change)"),
    ("unit_zh", "单位", "unit, Chinese"),
    ("unit_en", "单位（英文）", "unit, English"),
    ("last_year_value", "上一年数值（仅供参考）", "last year's value, for reference only"),
    ("last_year_qualifier", "上一年限定词", "last year's qualifier"),
    ("value", "本年数值：请填写；可写“3.5万”“1200余”", "this year's value: fill in"),
    ("qualifier", "限定词：exact 精确 / at_least 以上 / approx 约", "exact / at_least / approx"),
    ("source", "来源（必填）", "source of the value (required)"),
    ("provenance", "数据性质", "official_annual / reported / synthetic"),
)
COLUMN_NAMES = tuple(c[0] for c in COLUMNS)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_MAX_ROWS_VALIDATED = 1000

INSTRUCTIONS = {
    "zh": [
        "填写说明",
        "1. 在“data”工作表中，每行一个指标。只填写黄色列：value（本年数值）、qualifier、source、"
        "provenance。",
        "2. 数值用基本单位（人、人次、件、元）；也可以直接写中文数量，如“3.5万”“1200余”“超12万”，"
        "导入时会自动换算（“余/超/以上”记为 at_least，“约”记为 approx）。",
        "3. 比例类指标（单位 share）填写 0 到 1 之间的小数，单元格按百分比显示（如 85%）。",
        "4. 本年未统计的指标请留空。上一年有数值而本年留空的指标，导入时会列出，需确认。",
        "5. 每个数值都要写来源（source），例如“区总工会2023年统计年报”。",
        "6. 与上一年相比增长超过3倍或降至三分之一以下的数值会被标出，需复核后确认。",
        "7. 请勿修改 region、year、indicator、unit 列和第一行的列名。",
        "导入命令：uniontrends add-year <本文件.xlsx>",
    ],
    "en": [
        "How to fill in",
        "1. On sheet 'data' there is one row per indicator. Fill in the yellow columns only: "
        "value, qualifier, source, provenance.",
        "2. Give values in base units (persons, person-times, cases, yuan); Chinese quantities "
        "such as '3.5万', '1200余' or '超12万' are accepted and converted on import ('余/超/以上' "
        "become at_least, '约' becomes approx).",
        "3. Share indicators (unit share) take a fraction between 0 and 1, shown as a percentage.",
        "4. Leave a value blank when the indicator was not reported this year. Indicators that "
        "had a value last year but are blank now are listed on import and must be confirmed.",
        "5. Every value needs its source, e.g. 'District federation annual return 2023'.",
        "6. Values above 3x or below 1/3 of last year's are flagged and must be confirmed.",
        "7. Do not change the region, year, indicator and unit columns or the header row.",
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


def template_frame(package: DataPackage, region: str, year: int) -> pd.DataFrame:
    """The rows of the workbook: one per stored indicator, with last year's value (base units).

    Args:
        package: the data package.
        region: region slug; its last-year values come from annual/<region>.csv.
        year: the year to fill in; last year is year - 1.

    Returns:
        DataFrame with columns COLUMN_NAMES; value and source empty, qualifier "exact",
        provenance "official_annual"; last_year_value NaN where last year has no value.
    """
    region = check_region_slug(region)
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
                "value": "",
                "qualifier": "exact",
                "source": "",
                "provenance": DEFAULT_PROVENANCE,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMN_NAMES))


def _list_validation(options: tuple[str, ...], prompt: str) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
    dv.error, dv.errorTitle = f"Choose one of: {', '.join(options)}", "uniontrends"
    dv.prompt, dv.promptTitle = prompt, "uniontrends"
    return dv


def _value_validation(low: float, high: float | None, message: str) -> DataValidation:
    # A warning, not a stop: text such as "3.5万" must stay possible and is parsed on import.
    if high is None:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(low))
    else:
        dv = DataValidation(
            type="decimal", operator="between", formula1=str(low), formula2=str(high)
        )
    dv.allow_blank, dv.errorStyle = True, "warning"
    dv.error, dv.errorTitle = message, "uniontrends"
    dv.prompt, dv.promptTitle = message, "uniontrends"
    return dv


def _write_data_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    col = {name: i + 1 for i, name in enumerate(COLUMN_NAMES)}
    for name, zh, en in COLUMNS:
        cell = ws.cell(row=1, column=col[name], value=name)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.comment = Comment(f"{zh}\n{en}", "uniontrends")
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        for name in COLUMN_NAMES:
            value = rec[name]
            if isinstance(value, float) and value != value:
                value = None
            cell = ws.cell(row=i, column=col[name], value=value)
            if name in ("value", "qualifier", "source", "provenance"):
                cell.fill = _INPUT_FILL
        if rec["unit"] == "share":
            for name in ("last_year_value", "value"):
                ws.cell(row=i, column=col[name]).number_format = "0.0%"
        else:
            ws.cell(row=i, column=col["last_year_value"]).number_format = "#,##0.##"
    last_row = max(len(frame) + 1, 2)
    value_letter = get_column_letter(col["value"])
    share_rows = [i for i, u in enumerate(frame["unit"], start=2) if u == "share"]
    other_rows = [i for i, u in enumerate(frame["unit"], start=2) if u != "share"]
    share_dv = _value_validation(0, 1, "A share between 0 and 1 (0%-100%) / 0到1之间的比例")
    count_dv = _value_validation(
        0, None, "A number >= 0 in base units, or text like 3.5万 / 1200余 (不小于0的数)"
    )
    for dv, rows in ((share_dv, share_rows), (count_dv, other_rows)):
        for r in rows:
            dv.add(f"{value_letter}{r}")
        ws.add_data_validation(dv)
    for name, options, prompt in (
        ("qualifier", QUALIFIERS, "exact 精确 / at_least 以上 / approx 约"),
        ("provenance", ENTRY_PROVENANCES, "official_annual 统计年报 / reported 公开报道"),
    ):
        dv = _list_validation(options, prompt)
        letter = get_column_letter(col[name])
        dv.add(f"{letter}2:{letter}{max(last_row, _MAX_ROWS_VALIDATED)}")
        ws.add_data_validation(dv)
    widths = {"name_zh": 28, "name_en": 40, "source": 36, "value": 14, "last_year_value": 16}
    for name in COLUMN_NAMES:
        ws.column_dimensions[get_column_letter(col[name])].width = widths.get(name, 12)
    # Keep the header and the indicator's identity visible while scrolling.
    ws.freeze_panes = "D2"


def write_template(package: DataPackage, region: str, year: int, path: Path | str) -> Path:
    """Write the fill-in workbook for `region` and `year`.

    Args:
        package: the data package.
        region: region slug (e.g. "putuo").
        year: the year to fill in (last year's values are shown for reference).
        path: the .xlsx file to write (its folder is created).

    Returns:
        The path written.

    Raises:
        DataError: the catalog or annual table is invalid, or path is not .xlsx.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise DataError([Problem(path.name, "file_type", "the template must be an .xlsx file")])
    frame = template_frame(package, region, year)
    book = Workbook()
    ws = book.active
    ws.title = DATA_SHEET
    _write_data_sheet(ws, frame)
    info = book.create_sheet(INSTRUCTIONS_SHEET)
    info.column_dimensions["A"].width = 120
    lines = [f"uniontrends: {region} {year}", ""]
    lines += INSTRUCTIONS["zh"] + [""] + INSTRUCTIONS["en"]
    for i, text in enumerate(lines, start=1):
        cell = info.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True)
        if text in (INSTRUCTIONS["zh"][0], INSTRUCTIONS["en"][0]) or i == 1:
            cell.font = Font(bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def fill_template(
    path: Path | str,
    values: dict[str, object],
    source: str,
    provenance: str = DEFAULT_PROVENANCE,
) -> Path:
    """Fill value, source and provenance of a template programmatically (scripts, tests).

    Args:
        path: a workbook from write_template; changed in place.
        values: {indicator id: number in base units or text such as "3.5万"}; None = blank.
        source: the source written next to every filled value.
        provenance: one of ENTRY_PROVENANCES.

    Returns:
        The path.

    Raises:
        KeyError: an indicator of `values` has no row in the workbook.
    """
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book[DATA_SHEET]
    col = {cell.value: cell.column for cell in ws[1]}
    rows = {ws.cell(r, col["indicator"]).value: r for r in range(2, ws.max_row + 1)}
    unknown = sorted(set(values) - set(rows))
    if unknown:
        raise KeyError(f"no row for indicator(s) {unknown} in {path}")
    for ident, value in values.items():
        r = rows[ident]
        ws.cell(r, col["value"]).value = value
        ws.cell(r, col["source"]).value = source if value is not None else None
        ws.cell(r, col["provenance"]).value = provenance
    book.save(path)
    return Path(path)
