"""Tests of the fill-in workbook (template.py)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from uniontrends import config
from uniontrends.cycle.template import column_id, stored_indicators, write_template
from uniontrends.data.catalog import load_catalog
from uniontrends.data.package import open_package
from uniontrends.errors import DataError, ParameterError


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(config.PROJ_ROOT / "data", tmp_path / "data"))


def _last_year(data_dir: Path, indicator: str, year: int) -> float:
    with open(data_dir / "annual" / "putuo.csv", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            if rec["indicator"] == indicator and int(rec["year"]) == year:
                return float(rec["value"])
    raise KeyError(indicator)


def test_one_row_per_stored_indicator_with_last_year(data_dir: Path, tmp_path: Path) -> None:
    path = write_template(
        open_package(data_dir), "putuo", 2023, tmp_path / "out" / "putuo_2023.xlsx"
    )
    book = load_workbook(path)
    assert book.sheetnames == ["instructions", "data"]  # opens on its instructions
    assert book.active.title == "instructions"
    ws = book["data"]
    header = [column_id(c.value) for c in ws[1]]
    # Chinese first for a Chinese package, the id the reader uses in brackets
    assert ws["D1"].value == "指标名称\nIndicator, Chinese [name_zh]"
    assert header[:4] == ["region", "year", "indicator", "name_zh"]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    catalog = load_catalog(data_dir)
    ids = [r["indicator"] for r in rows]
    assert ids == stored_indicators(catalog)
    # Derived rates (numerator/denominator) are computed, never entered.
    assert "union_density" not in ids and "disputes_per_1000_members" not in ids
    assert "coverage_enterprises_100plus" in ids  # a stored share rate stays
    by_id = {r["indicator"]: r for r in rows}
    assert by_id["union_members"]["last_year_value"] == _last_year(data_dir, "union_members", 2022)
    # last year's values of the bundled package are synthetic, and say so
    assert by_id["union_members"]["last_year_provenance"] == "synthetic"
    assert ws.cell(2, header.index("last_year_provenance") + 1).fill.fgColor.rgb.endswith("F8CBAD")
    assert by_id["disputes_mediated"]["name_zh"] == "劳动争议调处"
    assert by_id["disputes_mediated"]["unit_zh"] == "件"
    assert all(r["year"] == 2023 and r["region"] == "putuo" for r in rows)
    assert all(r["value"] is None and r["provenance"] == "official_annual" for r in rows)
    assert ws.freeze_panes == "D2"


def test_validations_show_prompts_and_alerts_that_accept_chinese_quantities(
    data_dir: Path, tmp_path: Path
) -> None:
    path = write_template(open_package(data_dir), "putuo", 2023, tmp_path / "t.xlsx")
    ws = load_workbook(path)["data"]
    header = [column_id(c.value) for c in ws[1]]
    value_col = header.index("value") + 1
    validations = ws.data_validations.dataValidation
    # Every input cell shows its prompt when selected (openpyxl's default is off).
    assert all(dv.showInputMessage and dv.prompt and dv.promptTitle for dv in validations)
    assert all(len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32 for dv in validations)
    lists = {dv.formula1 for dv in validations if dv.type == "list"}
    assert '"exact,at_least,at_most,approx,missing"' in lists
    assert '"reported,official_annual,synthetic"' in lists
    values = {str(dv.sqref): dv for dv in validations if dv.type == "custom"}
    assert len(values) == ws.max_row - 1  # one per row: the formula names its own cell
    # Alerts are on, as warnings: a phrase the formula does not know can still be kept.
    assert all(dv.showErrorMessage and dv.errorStyle == "warning" for dv in values.values())
    share_row = next(
        r for r in range(2, ws.max_row + 1) if ws.cell(r, header.index("unit") + 1).value == "share"
    )
    letter = ws.cell(share_row, value_col).column_letter
    assert ws.cell(share_row, value_col).number_format == "0.0%"
    assert values[f"{letter}{share_row}"].formula1 == (
        f"AND(ISNUMBER({letter}{share_row}),{letter}{share_row}>=0,{letter}{share_row}<=1)"
    )
    count_row = header.index("value")  # any non-share row
    count_row = next(r for r in range(2, ws.max_row + 1) if r != share_row and
                     ws.cell(r, header.index("unit") + 1).value != "share")  # fmt: skip
    formula = values[f"{letter}{count_row}"].formula1
    # a number >= 0, or text that is a number once 万/余/超/约/... are removed
    assert formula.startswith(f"OR(AND(ISNUMBER({letter}{count_row}),{letter}{count_row}>=0),")
    assert all(f'"{word}",""' in formula for word in ("万", "余", "超", "约"))
    assert len(formula) <= 255  # Excel's limit for a validation formula


def test_a_package_of_its_own_gets_its_indicators_and_english_first(tmp_path: Path) -> None:
    from uniontrends.data.starter import write_starter_package

    root = tmp_path / "federation"
    write_starter_package(root, region="north", name_en="North", country="gbr")
    (root / "annual" / "north.csv").write_text(
        "region,year,indicator,value,qualifier,unit,source,provenance\n"
        "north,2022,union_members,1200,exact,persons,return 2022,official_annual\n",
        "utf-8",
    )
    ws = load_workbook(write_template(open_package(root), "north", 2023, tmp_path / "n.xlsx"))
    data = ws["data"]
    header = [column_id(c.value) for c in data[1]]
    assert data["D1"].value == "Indicator, English\n指标名称（英文） [name_en]"
    assert "sample_size" not in header  # no rate a survey could measure is stored
    ids = [data.cell(r, 3).value for r in range(2, data.max_row + 1)]
    assert ids == ["union_members", "employees"]  # density is derived
    row = {h: data.cell(2, i + 1).value for i, h in enumerate(header)}
    assert row["last_year_value"] == 1200 and row["last_year_provenance"] == "official_annual"
    assert "How to fill in" in ws["instructions"]["A3"].value  # English first


def test_instructions_are_bilingual(data_dir: Path, tmp_path: Path) -> None:
    path = write_template(open_package(data_dir), "putuo", 2023, tmp_path / "t.xlsx")
    text = "\n".join(str(c.value) for c in load_workbook(path)["instructions"]["A"] if c.value)
    assert "填写说明" in text and "How to fill in" in text and "3.5万" in text


def test_rejects_non_xlsx_and_bad_or_unknown_region(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="xlsx"):
        write_template(open_package(data_dir), "putuo", 2023, tmp_path / "t.csv")
    with pytest.raises(Exception, match="region"):
        write_template(open_package(data_dir), "../etc", 2023, tmp_path / "t.xlsx")
    with pytest.raises(ParameterError, match="not a region of the package.*--new-region"):
        write_template(open_package(data_dir), "putou", 2023, tmp_path / "t.xlsx")
    path = write_template(open_package(data_dir), "zhoushan", 2023, tmp_path / "t.xlsx",
                          new_region=True)  # fmt: skip
    assert load_workbook(path)["data"]["A2"].value == "zhoushan"
