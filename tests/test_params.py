"""Parameter rules, the window against the data, year and region specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from uniontrends import config
from uniontrends.data import model
from uniontrends.data.package import open_package
from uniontrends.errors import ParameterError
from uniontrends.notebook.params import (
    Parameters,
    check_parameters,
    parse_region_spec,
    parse_year_spec,
)

_HEADER = "region,year,indicator,value,qualifier,unit,source,provenance\n"
BUNDLED = open_package(config.DATA_DIR)
DEFAULTS = {"region": "putuo", "year": 2022, "window": 5, "lang": "en"}


def _check(package=BUNDLED, **kwargs) -> Parameters:
    """check_parameters with the bundled defaults for what kwargs leave out."""
    return check_parameters(package, **(DEFAULTS | kwargs))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with the real catalog/regions and one region 'zhujiajian' (2019-2023)."""
    for name in (model.CATALOG_FILE, model.REGIONS_FILE):
        shutil.copy(config.DATA_DIR / name, tmp_path / name)
    (tmp_path / "annual").mkdir()
    rows = "".join(
        f"zhujiajian,{y},disputes_mediated,{200 + y % 10},exact,cases,s,synthetic\n"
        for y in range(2019, 2024)
    )
    (tmp_path / "annual" / "zhujiajian.csv").write_text(_HEADER + rows, encoding="utf-8")
    return tmp_path


def test_defaults_give_the_2018_2022_window() -> None:
    params = _check()
    assert params == Parameters(
        region="putuo",
        year=2022,
        window=5,
        lang="en",
        data_dir=config.DATA_DIR.resolve(),
        start=2018,
        end=2022,
    )
    assert params.years == [2018, 2019, 2020, 2021, 2022]
    assert params.as_dict()["data_dir"] == str(config.DATA_DIR.resolve())


def test_shorter_window_and_zh() -> None:
    params = _check(year=2020, window=3, lang="zh")
    assert (params.start, params.end, params.lang) == (2018, 2020, "zh")


def test_region_present_only_in_data_is_accepted(data_dir: Path) -> None:
    params = _check(open_package(data_dir), region="zhujiajian", year=2023)
    assert params.years == list(range(2019, 2024))
    with pytest.raises(ParameterError, match="zhujiajian has 2019-2023: use --window 4"):
        _check(open_package(data_dir), region="zhujiajian", year=2022)


def test_known_region_without_annual_data(data_dir: Path) -> None:
    with pytest.raises(ParameterError, match="has no annual data"):
        _check(open_package(data_dir))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"year": True}, "not a boolean"),
        ({"year": 2022.5}, "whole number"),
        ({"year": "2022年"}, "whole number"),
        ({"year": 1900}, "1949..2100"),
        ({"window": 21}, "3..20"),
        ({"window": "five"}, "whole number"),
        ({"lang": "fr"}, "lang 'fr' is not supported: use en or zh"),
        ({"region": "Putuo"}, "lower-case slug"),
        ({"region": "a" * 41}, "lower-case slug"),
        ({"region": "putuo/../x"}, "lower-case slug"),
    ],
)
def test_rules(kwargs: dict, pattern: str) -> None:
    with pytest.raises(ParameterError, match=pattern):
        _check(**kwargs)


def test_a_data_folder_that_is_not_there() -> None:
    with pytest.raises(ParameterError, match="is not a folder"):
        open_package("/nonexistent/data")


def test_year_given_as_digit_string_is_accepted() -> None:
    assert _check(year="2022").year == 2022


def test_window_message_names_years_and_fix() -> None:
    with pytest.raises(ParameterError) as caught:
        _check(year=2020)
    assert str(caught.value).endswith(
        "window 2016-2020 needs data from 2016 but putuo has 2018-2022: "
        "use --window 3 or --year 2022"
    )


def test_a_batch_window_is_shortened_to_start_at_the_first_year_of_data() -> None:
    # putuo's annual data cover 2018-2022
    fitted = _check(year=2020, shorten_window=True)
    assert (fitted.window, fitted.start, fitted.end) == (3, 2018, 2020)
    assert _check(year=2021, shorten_window=True).window == 4
    assert _check(year=2022, shorten_window=True).window == 5
    with pytest.raises(ParameterError, match="window 2015-2019 needs data from 2015"):
        _check(year=2019, shorten_window=True)  # 2 years < minimum 3


@pytest.mark.parametrize(
    ("spec", "years"),
    [
        ("2020-2022,2024", [2020, 2021, 2022, 2024]),
        (" 2022 ", [2022]),
        ("2021, 2020-2021", [2020, 2021]),
        ("2018 - 2019", [2018, 2019]),
    ],
)
def test_parse_year_spec(spec: str, years: list[int]) -> None:
    assert parse_year_spec(spec) == years


@pytest.mark.parametrize("spec", ["", "20x", "2022-2020", "1900", "2020,,2021", "2020-2022-2024"])
def test_parse_year_spec_rejects(spec: str) -> None:
    with pytest.raises(ParameterError):
        parse_year_spec(spec)


def test_parse_region_spec() -> None:
    assert parse_region_spec("putuo, dinghai,putuo", BUNDLED) == ["putuo", "dinghai"]
    assert parse_region_spec("all", BUNDLED) == ["putuo", "dinghai", "daishan"]
    for bad in ("", "putuo,", "../etc", "a/b"):
        with pytest.raises(ParameterError):
            parse_region_spec(bad, BUNDLED)


def test_latest_year_is_the_newest_year_every_region_has(tmp_path):
    from uniontrends.notebook.params import latest_year, resolve_year_spec

    annual = tmp_path / "annual"
    annual.mkdir()
    header = "region,year,indicator,value,qualifier,unit,source,provenance\n"
    for region, years in {"a": (2020, 2021, 2022), "b": (2020, 2021)}.items():
        rows = "".join(f"{region},{y},union_members,1,exact,persons,s,synthetic\n" for y in years)
        (annual / f"{region}.csv").write_text(header + rows, encoding="utf-8")
    assert latest_year(["a"], open_package(tmp_path)) == 2022
    assert resolve_year_spec("latest", ["a", "b"], open_package(tmp_path)) == [2021]
    assert resolve_year_spec("2019-2020", ["a"], open_package(tmp_path)) == [2019, 2020]
    with pytest.raises(ParameterError, match="c has no annual data"):
        latest_year(["c"], open_package(tmp_path))


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({"region": "Dinghai"}, "did you mean 'dinghai'?"),
        ({"region": "dinhai"}, "did you mean 'dinghai'?"),
        ({"lang": "EN"}, "did you mean 'en'?"),
        ({"lang": "en-GB"}, "did you mean 'en'?"),
    ],
)
def test_a_bad_parameter_suggests_the_nearest_valid_value(kwargs: dict, hint: str) -> None:
    with pytest.raises(ParameterError) as caught:
        _check(**kwargs)
    assert str(caught.value).endswith(hint)


def test_messages_follow_the_notebooks_language() -> None:
    with pytest.raises(ParameterError) as caught:
        _check(region="dinhai", lang="zh")
    assert str(caught.value) == (
        "参数 region='dinhai'：未知地区；已有地区：putuo, dinghai, daishan；是否应为 'dinghai'？"
    )
    with pytest.raises(ParameterError, match="参数 window=5：2016—2020年的窗口需要2016年起的数据"):
        _check(year=2020, lang="zh")
    with pytest.raises(ParameterError, match="不支持语言 'zh-CN'.*是否应为 'zh'"):
        _check(lang="zh-CN")
    with pytest.raises(ParameterError, match="不支持语言 'ZH'.*是否应为 'zh'"):
        _check(lang="ZH")
