"""Validation: typed output, problem mapping, validating a whole package and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from uniontrends import config
from uniontrends.cli import app
from uniontrends.data import model
from uniontrends.data.catalog import load_catalog
from uniontrends.data.model import ANNUAL_COLUMNS, REPORTED_COLUMNS
from uniontrends.data.package import validate_package
from uniontrends.data.validate import check_annual, check_file, check_reported
from uniontrends.errors import DataError

CATALOG = load_catalog(config.DATA_DIR)


def _annual(rows: list[tuple]) -> pd.DataFrame:
    """A frame as a user builds it (0-based index): rows become file lines 2, 3, ..."""
    return pd.DataFrame([[str(c) for c in r] for r in rows], columns=list(ANNUAL_COLUMNS))


def _row(year: object = 2018, value: object = 250, **kw: object) -> tuple:
    base = {
        "region": "putuo",
        "year": year,
        "indicator": "disputes_mediated",
        "value": value,
        "qualifier": "exact",
        "unit": "cases",
        "source": "s",
        "provenance": "synthetic",
    }
    base.update(kw)
    return tuple(base[c] for c in ANNUAL_COLUMNS)


def test_clean_table_is_typed() -> None:
    table = check_annual(
        _annual([_row(2018, "250"), _row(2019, "1,200"), _row(2020, "1e3")]), CATALOG
    )
    assert table["year"].tolist() == [2018, 2019, 2020]
    assert table["value"].tolist() == [250.0, 1200.0, 1000.0]
    assert table["year"].dtype == "int64" and table["value"].dtype == "float64"


def test_share_bounds_are_inclusive() -> None:
    rows = [
        _row(y, v, indicator="app_satisfaction", unit="share")
        for y, v in [(2018, "0"), (2019, "1"), (2020, "0.985")]
    ]
    assert check_annual(_annual(rows), CATALOG)["value"].tolist() == [0.0, 1.0, 0.985]
    with pytest.raises(DataError, match=r"rate 1.001 is above 1"):
        check_annual(
            _annual([_row(2018, "1.001", indicator="app_satisfaction", unit="share")]), CATALOG
        )


def test_every_problem_is_collected_with_file_rows(tmp_path: Path) -> None:
    rows = [
        _row(2018),
        _row(2019, "-1"),
        _row("2020年"),
        _row(2021, qualifier="approxx"),
        _row(2022, source="=cmd|' /C calc'!A0"),
    ]
    with pytest.raises(DataError) as caught:
        check_annual(_annual(rows), CATALOG, file="mine.csv")
    got = [(p.file, p.row, p.column, p.rule) for p in caught.value.problems]
    assert got == [
        ("mine.csv", 3, "value", "nonnegative"),
        ("mine.csv", 4, "year", "year_type"),
        ("mine.csv", 5, "qualifier", "qualifier_known"),
        ("mine.csv", 6, "source", "formula_injection"),
    ]


def test_numbers_in_text_columns_are_not_formulas() -> None:
    table = check_annual(_annual([_row(2018, source="-5"), _row(2019, source="+86.5")]), CATALOG)
    assert len(table) == 2


def test_absent_years_are_accepted_and_missing_years_carry_their_reason() -> None:
    gaps = check_annual(_annual([_row(2018), _row(2021)]), CATALOG)
    assert gaps["year"].tolist() == [2018, 2021]
    frame = _annual(
        [_row(2018), _row(2019, "", qualifier="missing"), _row(2020, "-", qualifier="missing")]
    ).assign(missing_reason=["", "not compiled", ""])
    table = check_annual(frame, CATALOG)
    assert tuple(table.columns) == model.PANEL_COLUMNS
    assert table["value"].isna().tolist() == [False, True, True]
    assert table["missing_reason"].tolist() == ["", "not compiled", model.MISSING_REASON_DEFAULT]
    assert table["sample_size"].isna().all() and table["design_effect"].isna().all()


def test_an_empty_value_needs_the_missing_marker_and_a_marked_row_no_value() -> None:
    with pytest.raises(DataError) as caught:
        check_annual(_annual([_row(2018, "NA"), _row(2019, 5, qualifier="missing")]), CATALOG)
    assert [(p.row, p.rule) for p in caught.value.problems] == [
        (2, "value_missing"),
        (3, "qualifier_missing"),
    ]
    assert "set the qualifier to 'missing'" in str(caught.value)


def test_sample_size_and_design_effect_belong_to_survey_rates() -> None:
    rate = {"indicator": "app_satisfaction", "unit": "share", "value": "0.8"}
    frame = _annual([_row(2018, **rate), _row(2019, **rate), _row(2020, **rate), _row(2021)])
    frame = frame.assign(sample_size=["400", "1,200", "0", "50"], design_effect=["1.5", "", "",
                         ""])  # fmt: skip
    with pytest.raises(DataError) as caught:
        check_annual(frame, CATALOG)
    assert [(p.row, p.rule) for p in caught.value.problems] == [
        (4, "sample_size_range"),
        (5, "sample_size_kind"),
    ]
    table = check_annual(frame.iloc[:2], CATALOG)
    assert table["sample_size"].tolist() == [400.0, 1200.0]
    assert table["design_effect"].iloc[0] == 1.5 and pd.isna(table["design_effect"].iloc[1])
    alone = frame.iloc[:1].assign(sample_size="", design_effect="0.5")
    with pytest.raises(DataError) as caught:
        check_annual(alone, CATALOG)
    assert sorted(p.rule for p in caught.value.problems) == [
        "design_effect_alone",
        "design_effect_range",
    ]


def test_ambiguous_dot_is_refused_except_in_shares() -> None:
    with pytest.raises(DataError, match=r"\[value_ambiguous\] value '1.200' is ambiguous"):
        check_annual(_annual([_row(2018, "1.200")]), CATALOG)
    share = check_annual(
        _annual([_row(2018, "0.850", indicator="app_satisfaction", unit="share")]), CATALOG
    )
    assert share["value"].tolist() == [0.85]
    assert check_annual(_annual([_row(2018, "1,200")]), CATALOG)["value"].tolist() == [1200.0]


def test_reported_table() -> None:
    frame = pd.DataFrame(
        [
            [
                "putuo",
                "disputes_mediated",
                "2018",
                "2022",
                "1200余件",
                "",
                "",
                "article",
                "reported",
                "调处劳动争议1200余件",
                "-",
            ]
        ],
        columns=list(REPORTED_COLUMNS),
    )
    table = check_reported(frame, CATALOG)
    assert table.loc[0, ["value", "qualifier", "unit"]].tolist() == [1200.0, "at_least", "cases"]
    assert table["period_start"].dtype == "int64"


def test_validate_package_real_data() -> None:
    report = validate_package(config.DATA_DIR)
    assert report.ok, "\n".join(map(str, report.problems))
    raw = {
        name: len(pd.read_csv(config.DATA_DIR / name))
        for name in [
            "annual/putuo.csv",
            "annual/dinghai.csv",
            "annual/daishan.csv",
            "reported/putuo_2018_2022_article.csv",
        ]
    }
    assert report.files == dict(sorted(raw.items()))
    assert report.regions == ["daishan", "dinghai", "putuo"]
    assert report.reported_figures == raw["reported/putuo_2018_2022_article.csv"]
    assert report.indicators == len(load_catalog(config.DATA_DIR).indicators)


@pytest.fixture
def bad_dir(tmp_path: Path) -> Path:
    shutil.copy(config.DATA_DIR / model.CATALOG_FILE, tmp_path / model.CATALOG_FILE)
    (tmp_path / "annual").mkdir()
    rows = "".join(",".join(map(str, _row(y))) + "\n" for y in (2018, 2019))
    text = ",".join(ANNUAL_COLUMNS) + "\n" + rows + ",".join(map(str, _row(2020, "-3"))) + "\n"
    (tmp_path / "annual" / "putuo.csv").write_text(text, encoding="utf-8")
    (tmp_path / "annual" / "empty.csv").write_text("", encoding="utf-8")
    return tmp_path


def test_validate_package_labels_problems_by_folder(bad_dir: Path) -> None:
    report = validate_package(bad_dir)
    assert not report.ok
    assert [(p.file, p.row, p.rule) for p in report.problems] == [
        ("annual/empty.csv", None, "empty_file"),
        ("annual/putuo.csv", 4, "nonnegative"),
    ]


def test_cli_validate_ok() -> None:
    result = CliRunner().invoke(app, ["validate", str(config.DATA_DIR)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 4 files")


def test_cli_validate_lists_problems_and_counts_every_file(bad_dir: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(bad_dir)])
    assert result.exit_code == 1
    # two files read, both with problems: both counted (it once said "0 files")
    assert result.output.startswith("2 problem(s): 2 files (2 with problems), 0 rows")
    assert "annual/putuo.csv, row 4, column 'value': [nonnegative]" in result.output


def test_a_declared_encoding_is_used_and_an_undeclared_one_refused(tmp_path: Path) -> None:
    shutil.copy(config.DATA_DIR / model.CATALOG_FILE, tmp_path / model.CATALOG_FILE)
    (tmp_path / "annual").mkdir()
    text = ",".join(ANNUAL_COLUMNS) + "\n" + ",".join(map(str, _row(2018, source="Fédération")))
    (tmp_path / "annual" / "putuo.csv").write_bytes((text + "\n").encode("cp1252"))
    refused = validate_package(tmp_path)
    assert [p.rule for p in refused.problems] == ["encoding"]
    assert "encodings: {annual/putuo.csv: cp1252}" in refused.problems[0].message
    (tmp_path / "package.yaml").write_text("encodings: {annual/putuo.csv: cp1252}\n", "utf-8")
    assert validate_package(tmp_path).ok
    from uniontrends.data.package import open_package

    assert open_package(tmp_path).annual["source"].tolist() == ["Fédération"]
    assert open_package(tmp_path).region_years("putuo") == [2018]


def test_check_file_names_the_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "2023"
    sheet.append(list(ANNUAL_COLUMNS))
    sheet.append(list(_row(2023, "三千")))
    book.save(tmp_path / "putuo_2023.xlsx")
    with pytest.raises(DataError) as caught:
        check_file(tmp_path / "putuo_2023.xlsx", CATALOG)
    assert str(caught.value.problems[0]).startswith(
        "putuo_2023.xlsx, sheet '2023', row 2, column 'value': [value_parse]"
    )
    reported = check_file(config.DATA_DIR / "reported" / "putuo_2018_2022_article.csv", CATALOG)
    assert tuple(reported.columns) == REPORTED_COLUMNS
