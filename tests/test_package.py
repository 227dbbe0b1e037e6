"""Tests of reading tables (encodings, XLSX, row numbers, size guards) and the data package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from uniontrends import config
from uniontrends.data import model, tables
from uniontrends.data.catalog import load_catalog
from uniontrends.data.model import ANNUAL_COLUMNS, REPORTED_COLUMNS
from uniontrends.data.package import open_package
from uniontrends.data.tables import read_table
from uniontrends.data.textfile import table_files
from uniontrends.data.validate import check_annual
from uniontrends.errors import DataError

_HEADER = ",".join(ANNUAL_COLUMNS) + "\n"
_SOURCE = "普陀区总工会年度统计（示例）"


def _rows(region: str = "putuo", years: range = range(2018, 2023)) -> str:
    return "".join(
        f"{region},{y},assistance_funds,{600000 + y},exact,yuan,{_SOURCE},official_annual\n"
        for y in years
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_read_correctly(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "putuo.csv"
    path.write_bytes((_HEADER + _rows()).encode(encoding))
    frame = read_table(path)
    assert list(frame.columns) == list(ANNUAL_COLUMNS)  # no BOM left on 'region'
    assert (frame["source"] == _SOURCE).all()
    table = check_annual(frame, load_catalog(config.DATA_DIR))
    assert table["value"].tolist() == [600000.0 + y for y in range(2018, 2023)]


def test_rows_are_file_lines_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "putuo.csv"
    lines = _rows().splitlines(keepends=True)
    path.write_text(_HEADER + lines[0] + "\n" + "".join(lines[1:]), encoding="utf-8")
    frame = read_table(path)
    assert list(frame.index) == [2, 4, 5, 6, 7]
    assert frame.attrs["file"] == "putuo.csv"


def _xlsx(path: Path, rows: list[list[object]], title: str = "Sheet") -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(ANNUAL_COLUMNS))
    for row in rows:
        sheet.append(row)
    book.create_sheet("notes").append(["ignored"])
    book.save(path)


def test_xlsx_with_chinese_quantities(tmp_path: Path) -> None:
    path = tmp_path / "putuo.xlsx"
    _xlsx(
        path,
        [
            ["putuo", 2018, "assistance_funds", "346万元", "", "yuan", _SOURCE, "official_annual"],
            [
                "putuo",
                2019,
                "assistance_funds",
                3500000,
                "exact",
                "yuan",
                _SOURCE,
                "official_annual",
            ],
            ["putuo", 2020, "training_participants", "超1.2万人次", "", "", _SOURCE, "reported"],
        ],
        title="数据",
    )
    frame = read_table(path)
    assert frame.attrs["sheet"] == "数据" and list(frame.index) == [2, 3, 4]
    table = check_annual(frame, load_catalog(config.DATA_DIR))
    # hand conversion: 346 x 10^4 = 3,460,000 yuan; 1.2 x 10^4 = 12,000 person-times, a lower bound
    assert table["value"].tolist() == [3_460_000.0, 3_500_000.0, 12_000.0]
    assert table["qualifier"].tolist() == ["exact", "exact", "at_least"]
    assert table["unit"].tolist() == ["yuan", "yuan", "person_times"]


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = tmp_path / "putuo.xlsx"
    _xlsx(path, [["putuo", 2018, "disputes_mediated", 5, "exact", "cases", "s", "synthetic"]])
    assert read_table(path, sheet="Sheet").attrs["sheet"] == "Sheet"
    with pytest.raises(DataError, match=r"no sheet 'missing'; sheets: Sheet, notes"):
        read_table(path, sheet="missing")


def test_other_file_types_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "putuo.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match=r"\[file_type\]"):
        read_table(path)
    with pytest.raises(DataError, match=r"\[file_missing\]"):
        read_table(tmp_path / "absent.csv")


def test_table_files_ignore_readme() -> None:
    names = [p.name for p in table_files(config.DATA_DIR / model.ANNUAL_DIR)]
    assert names == sorted(names) and "README.md" not in names and "putuo.csv" in names


def test_load_annual_real_data(package) -> None:
    annual = package.annual
    assert tuple(annual.columns) == model.PANEL_COLUMNS
    assert annual["year"].dtype == "int64" and annual["value"].dtype == "float64"
    assert set(annual["region"]) == {"putuo", "dinghai", "daishan"}
    # every annual panel is synthetic and must say so
    assert set(annual["provenance"]) == {"synthetic"}
    putuo = package.annual_of("putuo")
    assert set(putuo["region"]) == {"putuo"}
    assert (putuo["year"].min(), putuo["year"].max()) == (2018, 2022)
    raw = pd.read_csv(config.DATA_DIR / "annual" / "putuo.csv")
    assert len(putuo) == len(raw) and putuo["value"].sum() == pytest.approx(raw["value"].sum())


def test_load_annual_collects_problems_of_all_files(tmp_path: Path) -> None:
    shutil.copy(config.DATA_DIR / model.CATALOG_FILE, tmp_path / model.CATALOG_FILE)
    (tmp_path / "annual").mkdir()
    (tmp_path / "annual" / "a.csv").write_text(
        _HEADER + _rows("a").replace(",602018,", ",-602018,")
    )
    (tmp_path / "annual" / "b.csv").write_text(_HEADER + _rows("a"))
    with pytest.raises(DataError) as caught:
        _ = open_package(tmp_path).annual
    found = {(p.file, p.rule) for p in caught.value.problems}
    assert found == {("a.csv", "nonnegative"), ("b.csv", "region_file")}


def test_load_annual_empty_folder(tmp_path: Path) -> None:
    shutil.copy(config.DATA_DIR / model.CATALOG_FILE, tmp_path / model.CATALOG_FILE)
    empty = open_package(tmp_path).annual
    assert tuple(empty.columns) == model.PANEL_COLUMNS and empty.empty


def test_loaded_tables_are_reused_per_content_and_reread_when_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(config.DATA_DIR / model.CATALOG_FILE, tmp_path / model.CATALOG_FILE)
    (tmp_path / "annual").mkdir()
    path = tmp_path / "annual" / "a.csv"
    path.write_text(_HEADER + _rows("a"))
    reads: list[Path] = []
    monkeypatch.setattr(
        tables, "read_table", lambda p, *a, **k: reads.append(p) or read_table(p, *a, **k)
    )
    first = open_package(tmp_path).annual
    first.loc[0, "value"] = -1.0  # a caller's edit must not reach the next caller
    assert open_package(tmp_path).annual["value"].min() == 600000 + 2018
    assert reads == [path]  # the second call was served from memory
    # same size, same instant: only the content tells the two versions apart
    stat = path.stat()
    path.write_text(_HEADER + _rows("a").replace(",602018,", ",602019,"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert open_package(tmp_path).annual["value"].tolist().count(602019.0) == 2
    path.write_text(_HEADER + _rows("a").replace(",602018,", ",-602018,"))
    with pytest.raises(DataError):  # a bad file is never served from memory
        _ = open_package(tmp_path).annual


def test_load_reported_real_data(package) -> None:
    reported = package.reported
    assert tuple(reported.columns) == REPORTED_COLUMNS
    assert set(reported["provenance"]) == {"reported"}
    row = reported.set_index("indicator").loc["ideology_participants"]
    # "参与职工超12万人次": 12 x 10^4, a lower bound
    assert (row["value"], row["qualifier"], row["unit"]) == (120000.0, "at_least", "person_times")


def test_package_reference_is_the_tidy_reference_folder(package) -> None:
    from uniontrends.data.reference import tidy_reference

    expected = tidy_reference(config.DATA_DIR / model.REFERENCE_DIR)
    pd.testing.assert_frame_equal(package.reference, expected)


def test_package_lists_regions_and_years_without_reading_tables(package) -> None:
    assert package.region_ids() == ["putuo", "dinghai", "daishan"]
    assert package.region_years("putuo") == [2018, 2019, 2020, 2021, 2022]
    assert package.region_years("dinghai")[0] == 2013 and package.region_years("nowhere") == []


def test_a_folder_that_is_not_there_is_a_parameter_error(tmp_path: Path) -> None:
    from uniontrends.errors import ParameterError

    with pytest.raises(ParameterError, match="data_dir.*is not a folder"):
        open_package(tmp_path / "absent")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "putuo.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataError, match=r"putuo.csv: \[encoding\] the file holds NUL bytes"):
        read_table(path)


def test_package_info_names_the_bundled_package_and_its_shock_year(package) -> None:
    assert package.info.id == "putuo" and package.info.shock_years == (2020,)
    assert package.info.country == "chn" and "jpn" in package.info.peers


def test_a_package_without_package_yaml_is_named_after_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "My Federation"
    folder.mkdir()
    assert open_package(folder).info.id == "my-federation"


def test_package_yaml_fields_of_the_wrong_type_are_named(tmp_path: Path) -> None:
    (tmp_path / "package.yaml").write_text("shock_years: 2020\nid: Bad Id\ncolour: red\n")
    with pytest.raises(DataError) as caught:
        _ = open_package(tmp_path).info
    rules = sorted(p.rule for p in caught.value.problems)
    assert rules == ["field_type", "field_unknown", "package_id"]
