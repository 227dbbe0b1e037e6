"""Tests of the year intake (add_year.py) and the add-year / template CLI."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from uniontrends import config
from uniontrends.cli import app
from uniontrends.cycle.add_year import IntakeRefused, add_year, merge_year, plan_add_year
from uniontrends.cycle.template import fill_template, stored_indicators, write_template
from uniontrends.data.catalog import load_catalog
from uniontrends.data.package import open_package
from uniontrends.errors import DataError


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(config.PROJ_ROOT / "data", tmp_path / "data"))


def _values_2022(data_dir: Path) -> dict[str, float]:
    with open(data_dir / "annual" / "putuo.csv", encoding="utf-8") as handle:
        return {r["indicator"]: float(r["value"]) for r in csv.DictReader(handle)
                if r["year"] == "2022"}  # fmt: skip


def _grown(data_dir: Path) -> dict[str, object]:
    """2023 = 2022 x 1.1 (shares kept), as numbers."""
    out: dict[str, object] = {}
    for ident, value in _values_2022(data_dir).items():
        out[ident] = value if ident.startswith(("coverage", "app_satisf")) else value * 1.1
    return out


def _workbook(data_dir: Path, tmp_path: Path, values: dict[str, object]) -> Path:
    path = write_template(open_package(data_dir), "putuo", 2023, tmp_path / "putuo_2023.xlsx")
    return fill_template(path, values, source="test: federation annual return 2023")


def test_appends_year_and_keeps_previous_bytes(data_dir: Path, tmp_path: Path) -> None:
    csv_path = data_dir / "annual" / "putuo.csv"
    before = csv_path.read_bytes()
    values = _grown(data_dir)
    values["union_members"] = "11.5万"  # 115000, within 3x of 2022
    values["disputes_mediated"] = f"{int(values['disputes_mediated'])}余"
    result = add_year(_workbook(data_dir, tmp_path, values), open_package(data_dir))
    after = csv_path.read_bytes()
    assert after.startswith(before)  # every previous row byte-identical, in place
    assert result.rows_added == len(values) and result.backup_path is None
    new = open_package(data_dir).annual_of("putuo")
    new = new[new["year"] == 2023].set_index("indicator")
    assert len(new) == len(values)
    assert new.at["union_members", "value"] == 115000.0
    assert new.at["disputes_mediated", "qualifier"] == "at_least"
    assert new.at["disputes_mediated", "value"] == int(values["disputes_mediated"].rstrip("余"))
    expected = _values_2022(data_dir)["assistance_funds"] * 1.1
    assert new.at["assistance_funds", "value"] == pytest.approx(expected, rel=1e-11)
    assert (new["provenance"] == "official_annual").all()
    assert not list(csv_path.parent.glob(".*tmp"))  # no temp file left behind


def test_outliers_refused_unless_accepted(data_dir: Path, tmp_path: Path) -> None:
    values = _grown(data_dir)
    values["legal_education_events"] = _values_2022(data_dir)["legal_education_events"] * 3.5
    path = _workbook(data_dir, tmp_path, values)
    plan = plan_add_year(path, open_package(data_dir))
    assert list(plan.outliers["indicator"]) == ["legal_education_events"]
    assert plan.outliers["ratio"].iloc[0] == pytest.approx(3.5)
    csv_path = data_dir / "annual" / "putuo.csv"
    before = csv_path.read_bytes()
    with pytest.raises(IntakeRefused, match="legal_education_events.*--accept-outliers"):
        add_year(path, open_package(data_dir))
    assert csv_path.read_bytes() == before
    assert add_year(path, open_package(data_dir), accept_outliers=True).rows_added == len(values)


def test_missing_indicator_named_and_allowed_with_flag(data_dir: Path, tmp_path: Path) -> None:
    values = _grown(data_dir)
    values["mommy_rooms"] = None  # blank = not reported
    path = _workbook(data_dir, tmp_path, values)
    plan = plan_add_year(path, open_package(data_dir))
    assert plan.missing == ["mommy_rooms"] and "mommy_rooms" in plan.intake.blank
    with pytest.raises(IntakeRefused, match="mommy_rooms.*--allow-missing"):
        add_year(path, open_package(data_dir))
    result = add_year(path, open_package(data_dir), allow_missing=True)
    assert result.rows_added == len(values) - 1


def test_replace_needs_flag_and_keeps_backup(data_dir: Path, tmp_path: Path) -> None:
    path = _workbook(data_dir, tmp_path, _grown(data_dir))
    add_year(path, open_package(data_dir))
    csv_path = data_dir / "annual" / "putuo.csv"
    first = csv_path.read_bytes()
    with pytest.raises(IntakeRefused, match="--replace"):
        add_year(path, open_package(data_dir))
    values = _grown(data_dir)
    values["union_members"] = 120000
    fill_template(path, values, source="test: corrected return")
    result = add_year(path, open_package(data_dir), replace=True, now=datetime(2024, 3, 1, 9, 30))
    assert result.rows_replaced == len(values)
    assert result.backup_path == data_dir / "annual" / "backups" / "putuo.20240301T093000.csv"
    assert result.backup_path.read_bytes() == first
    table = open_package(data_dir).annual_of("putuo")
    rows_2023 = table[table["year"] == 2023]
    assert len(rows_2023) == len(values)  # replaced, not duplicated
    assert rows_2023.set_index("indicator").at["union_members", "value"] == 120000
    # Backups are not read as a region's table.
    assert set(table["region"]) == {"putuo"}


def test_bad_cells_name_sheet_row_and_column(data_dir: Path, tmp_path: Path) -> None:
    values = _grown(data_dir)
    values["employees"] = "lots"
    path = _workbook(data_dir, tmp_path, values)
    with pytest.raises(DataError) as caught:
        add_year(path, open_package(data_dir))
    problem = caught.value.problems[0]
    assert problem.file == "putuo_2023.xlsx, sheet 'data'"
    assert (problem.row, problem.column, problem.rule) == (3, "value", "value_parse")
    assert "putuo_2023.xlsx, sheet 'data', row 3, column 'value'" in str(caught.value)


def test_negative_and_share_above_one_are_rejected(data_dir: Path, tmp_path: Path) -> None:
    values = _grown(data_dir)
    values["disputes_mediated"] = -5
    values["coverage_enterprises_100plus"] = 1.7
    path = _workbook(data_dir, tmp_path, values)
    with pytest.raises(DataError) as caught:
        add_year(path, open_package(data_dir))
    order = stored_indicators(load_catalog(data_dir))
    rows = {ident: order.index(ident) + 2 for ident in order}  # header is row 1
    where = {(p.row, p.column) for p in caught.value.problems}
    assert (rows["disputes_mediated"], "value") in where
    assert (rows["coverage_enterprises_100plus"], "value") in where


def test_merge_year_keeps_crlf_and_other_lines() -> None:
    header = "region,year,indicator,value,qualifier,unit,source,provenance\r\n"
    old = ["putuo,2021,a,1,exact,cases,s,reported\r\n", "putuo,2022,a,2,exact,cases,s,reported\r\n"]
    frame = pd.DataFrame(
        [{"region": "putuo", "year": 2022, "indicator": "a", "value": 2.5, "qualifier": "exact",
          "unit": "cases", "source": "s, with comma", "provenance": "reported"}]
    )  # fmt: skip
    text, removed = merge_year(header + "".join(old), frame, 2022)
    assert removed == 1
    assert text.startswith(header + old[0])
    assert text.endswith('putuo,2022,a,2.5,exact,cases,"s, with comma",reported\r\n')


def test_a_missing_year_adds_its_column_and_keeps_the_other_lines_values() -> None:
    header = "region,year,indicator,value,qualifier,unit,source,provenance\n"
    old = "putuo,2021,a,1,exact,cases,s,reported\n"
    frame = pd.DataFrame(
        [{"region": "putuo", "year": 2022, "indicator": "a", "value": float("nan"),
          "qualifier": "missing", "unit": "cases", "source": "s", "provenance": "reported",
          "missing_reason": "not compiled", "sample_size": float("nan")}]
    )  # fmt: skip
    text, removed = merge_year(header + old, frame, 2022)
    assert removed == 0
    assert text == (
        header.replace("\n", ",missing_reason\n")
        + old.replace("\n", ",\n")
        + "putuo,2022,a,,missing,cases,s,reported,not compiled\n"
    )


def test_cli_template_and_add_year(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.xlsx"
    result = runner.invoke(
        app, ["template", "--region", "putuo", "--year", "2023", "-o", str(out),
              "--data-dir", str(data_dir)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    values = _grown(data_dir)
    values["app_visits"] = 10.0  # far below 1/3 of 2022
    fill_template(out, values, source="test")
    args = ["add-year", str(out), "--data-dir", str(data_dir)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "app_visits" in refused.output and "--accept-outliers" in refused.output
    assert "劳动争议调处" in refused.output  # the rich table shows Chinese names
    accepted = runner.invoke(app, [*args, "--accept-outliers"])
    assert accepted.exit_code == 0, accepted.output
    assert f"added {len(values)} rows for putuo 2023" in accepted.output


def test_a_year_marked_missing_is_added_as_missing_with_its_reason(
    data_dir: Path, tmp_path: Path
) -> None:
    values: dict[str, object] = dict(_grown(data_dir))
    values["legal_aid_cases"] = None
    path = _workbook(data_dir, tmp_path, values)
    fill_template(path, {}, source="", qualifier={"legal_aid_cases": "missing"},
                  missing_reason={"legal_aid_cases": "not compiled in 2023"})  # fmt: skip
    fill_template(path, {"legal_aid_cases": None}, source="return 2023",
                  qualifier={"legal_aid_cases": "missing"})  # fmt: skip
    plan = plan_add_year(path, open_package(data_dir))
    assert plan.missing == [] and plan.intake.blank == []  # marked, so not "left blank"
    result = add_year(path, open_package(data_dir))
    assert result.backup_path is not None  # the header gained missing_reason
    new = open_package(data_dir).annual_of("putuo").set_index(["indicator", "year"])
    row = new.loc[("legal_aid_cases", 2023)]
    assert pd.isna(row["value"]) and row["qualifier"] == "missing"
    assert row["missing_reason"] == "not compiled in 2023"
    assert new.loc[("legal_aid_cases", 2022), "missing_reason"] == ""


def test_an_unknown_region_needs_new_region(data_dir: Path, tmp_path: Path) -> None:
    path = write_template(open_package(data_dir), "zhoushan", 2023, tmp_path / "z.xlsx",
                          new_region=True)  # fmt: skip
    fill_template(path, {"union_members": 5000}, source="return 2023")
    runner = CliRunner()
    args = ["add-year", str(path), "--data-dir", str(data_dir), "--allow-missing"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "--new-region" in refused.output
    assert not (data_dir / "annual" / "zhoushan.csv").exists()
    added = runner.invoke(app, [*args, "--new-region"])
    assert added.exit_code == 0, added.output
    assert "give it names in" in added.output
    assert open_package(data_dir).region_years("zhoushan") == [2023]


def test_backups_in_the_same_second_never_collide_and_files_keep_their_mode(
    data_dir: Path, tmp_path: Path
) -> None:
    csv_path = data_dir / "annual" / "putuo.csv"
    csv_path.chmod(0o640)
    path = _workbook(data_dir, tmp_path, _grown(data_dir))
    add_year(path, open_package(data_dir))
    assert csv_path.stat().st_mode & 0o777 == 0o640  # not the 0600 of a temporary file
    same_second = datetime(2024, 3, 1, 9, 30)
    versions, backups = [], []
    for members in (120000, 130000, 140000):
        versions.append(csv_path.read_bytes())
        values = _grown(data_dir)
        values["union_members"] = members
        fill_template(path, values, source="test: corrected return")
        result = add_year(path, open_package(data_dir), replace=True, now=same_second)
        backups.append(result.backup_path)
    assert [b.name for b in backups] == [
        "putuo.20240301T093000.csv", "putuo.20240301T093000-2.csv", "putuo.20240301T093000-3.csv",
    ]  # fmt: skip
    assert [b.read_bytes() for b in backups] == versions  # every earlier version kept
    assert all(b.stat().st_mode & 0o777 == 0o640 for b in backups)
    assert csv_path.stat().st_mode & 0o777 == 0o640
