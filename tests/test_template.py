"""Tests of the fill-in workbook (template.py)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from uniontrends import config
from uniontrends.cycle.template import COLUMN_NAMES, stored_indicators, write_template
from uniontrends.data.catalog import load_catalog
from uniontrends.data.package import open_package
from uniontrends.errors import DataError


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
    ws = book["data"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == COLUMN_NAMES
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    catalog = load_catalog(data_dir)
    ids = [r["indicator"] for r in rows]
    assert ids == stored_indicators(catalog)
    # Derived rates (numerator/denominator) are computed, never entered.
    assert "union_density" not in ids and "disputes_per_1000_members" not in ids
    assert "coverage_enterprises_100plus" in ids  # a stored share rate stays
    by_id = {r["indicator"]: r for r in rows}
    assert by_id["union_members"]["last_year_value"] == _last_year(data_dir, "union_members", 2022)
    assert by_id["disputes_mediated"]["name_zh"] == "劳动争议调处"
    assert by_id["disputes_mediated"]["unit_zh"] == "件"
    assert all(r["year"] == 2023 and r["region"] == "putuo" for r in rows)
    assert all(r["value"] is None and r["provenance"] == "official_annual" for r in rows)
    assert ws.freeze_panes == "D2"


def test_validations_and_formats(data_dir: Path, tmp_path: Path) -> None:
    path = write_template(open_package(data_dir), "putuo", 2023, tmp_path / "t.xlsx")
    ws = load_workbook(path)["data"]
    header = [c.value for c in ws[1]]
    value_col = header.index("value") + 1
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"exact,at_least,at_most,approx"' in lists
    assert '"reported,official_annual,synthetic"' in lists
    decimals = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal"]
    assert {dv.operator for dv in decimals} == {"between", "greaterThanOrEqual"}
    # Warnings, not stops: "3.5万" typed as text must stay possible.
    assert all(dv.errorStyle == "warning" for dv in decimals)
    share_row = next(
        r for r in range(2, ws.max_row + 1) if ws.cell(r, header.index("unit") + 1).value == "share"
    )
    assert ws.cell(share_row, value_col).number_format == "0.0%"
    between = next(dv for dv in decimals if dv.operator == "between")
    assert f"{ws.cell(share_row, value_col).column_letter}{share_row}" in str(between.sqref)


def test_instructions_are_bilingual(data_dir: Path, tmp_path: Path) -> None:
    path = write_template(open_package(data_dir), "putuo", 2023, tmp_path / "t.xlsx")
    text = "\n".join(str(c.value) for c in load_workbook(path)["instructions"]["A"] if c.value)
    assert "填写说明" in text and "How to fill in" in text and "3.5万" in text


def test_rejects_non_xlsx_and_bad_region(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="xlsx"):
        write_template(open_package(data_dir), "putuo", 2023, tmp_path / "t.csv")
    with pytest.raises(Exception, match="region"):
        write_template(open_package(data_dir), "../etc", 2023, tmp_path / "t.xlsx")
