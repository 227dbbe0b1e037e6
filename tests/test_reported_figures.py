"""Checks the article's transcribed figures against the article text, the parser and the catalog."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from uniontrends.config import PROJ_ROOT
from uniontrends.data.model import (
    CATALOG_FILE,
    PROVENANCES,
    QUALIFIERS,
    REPORTED_COLUMNS,
    REPORTED_DIR,
    SOURCES_DIR,
)
from uniontrends.data.quantities import parse_quantity

# Read from the repository itself, not DATA_DIR: these tests pin the committed article figures.
DATA = PROJ_ROOT / "data"
REPORTED_CSV = DATA / REPORTED_DIR / "putuo_2018_2022_article.csv"
ARTICLE = DATA / SOURCES_DIR / "putuo_union_5yr_review.txt"
EXPECTED_ROWS = 35
SOURCE = (
    "挺膺担当建新功 同心筑梦奔共富——普陀区总工会五年工作回眸与展望 (记者 翁青青, 通讯员 刘哲言)"
)

# One Arabic-numeral quantity with its qualifier markers and measure word, as printed.
# Written independently of the parser's grammar on purpose.
QUANTITY_IN_PHRASE = re.compile(
    r"(?:超|约|近)?\d+(?:\.\d+)?余?万?余?(?:人次|场次|人|名|件|场|项|条|家|个|户|元|%)?"
)

# Figures stated in words rather than digits: the value is a reading of the statement.
STATEMENT_ROWS = {
    "coverage_enterprises_100plus": (1.0, "approx", "share"),
    "coverage_enterprises_25plus": (1.0, "approx", "share"),
    "industry_federations": (1.0, "at_least", "organisations"),
}


@pytest.fixture(scope="module")
def reported() -> pd.DataFrame:
    return pd.read_csv(REPORTED_CSV, encoding="utf-8", dtype={"phrase_zh": str, "note": str})


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog() -> dict[str, dict]:
    with open(DATA / CATALOG_FILE, encoding="utf-8") as f:
        return {entry["id"]: entry for entry in yaml.safe_load(f)["indicators"]}


def test_columns_and_shape(reported: pd.DataFrame) -> None:
    assert tuple(reported.columns) == REPORTED_COLUMNS
    assert len(reported) == EXPECTED_ROWS
    assert not reported["indicator"].duplicated().any()
    assert reported.drop(columns="note").notna().all().all()


def test_fixed_columns(reported: pd.DataFrame) -> None:
    assert set(reported["region"]) == {"putuo"}
    assert set(reported["provenance"]) == {"reported"}
    assert set(reported["provenance"]) <= set(PROVENANCES)
    assert set(reported["source"]) == {SOURCE}
    assert set(reported["qualifier"]) <= set(QUALIFIERS)


def test_periods(reported: pd.DataFrame, catalog: dict[str, dict]) -> None:
    for row in reported.itertuples():
        kind = catalog[row.indicator]["kind"]
        if kind in ("flow", "money"):
            assert (row.period_start, row.period_end) in {(2018, 2022), (2022, 2022)}, row.indicator
        else:  # stocks and rates are levels at the end of the term
            assert (row.period_start, row.period_end) == (2022, 2022), row.indicator
    # Only the app (live since November 2022) is a one-year flow.
    one_year_flows = reported[
        (reported["period_start"] == 2022)
        & reported["indicator"].map(lambda i: catalog[i]["kind"] in ("flow", "money"))
    ]
    assert list(one_year_flows["indicator"]) == ["app_visits"]
    assert "2022" in one_year_flows["note"].iloc[0]


def test_every_phrase_occurs_verbatim(reported: pd.DataFrame, article: str) -> None:
    missing = [p for p in reported["phrase_zh"] if p not in article]
    assert missing == []


def test_values_are_base_units(reported: pd.DataFrame) -> None:
    assert pd.api.types.is_numeric_dtype(reported["value"])
    assert (reported["value"] >= 0).all()
    shares = reported[reported["unit"] == "share"]
    assert shares["value"].between(0, 1).all()


@pytest.mark.parametrize("row_number", range(EXPECTED_ROWS))
def test_parser_reproduces_each_row(reported: pd.DataFrame, row_number: int) -> None:
    row = reported.iloc[row_number]
    found = QUANTITY_IN_PHRASE.findall(row["phrase_zh"])
    if row["indicator"] in STATEMENT_ROWS:
        assert (row["value"], row["qualifier"], row["unit"]) == STATEMENT_ROWS[row["indicator"]]
        assert "not a printed number" in row["note"]
        return
    assert len(found) == 1, f"{row['indicator']}: expected one quantity in {row['phrase_zh']!r}"
    q = parse_quantity(found[0])
    assert q.value == row["value"], row["indicator"]
    assert q.qualifier == row["qualifier"], row["indicator"]
    assert q.unit == row["unit"], row["indicator"]


def test_hand_checked_values(reported: pd.DataFrame) -> None:
    # Independent of the parser: a few figures converted by hand from the article.
    by_id = reported.set_index("indicator")
    assert by_id.loc["assistance_funds", "value"] == 346 * 10_000
    assert by_id.loc["medical_burden_reduced", "value"] == 568 * 10_000
    assert by_id.loc["medical_aid_insured", "value"] == 111 * 1_000
    assert by_id.loc["competition_participants", "value"] == 40 * 10_000
    assert by_id.loc["disputes_mediated", ["value", "qualifier"]].tolist() == [1200, "at_least"]
    assert by_id.loc["app_satisfaction", "value"] == 1.0


def test_indicators_and_units_match_catalog(
    reported: pd.DataFrame, catalog: dict[str, dict]
) -> None:
    unknown = set(reported["indicator"]) - set(catalog)
    assert unknown == set()
    wrong_units = [
        (row.indicator, row.unit, catalog[row.indicator]["unit"])
        for row in reported.itertuples()
        if row.unit != catalog[row.indicator]["unit"]
    ]
    assert wrong_units == []


def test_catalog_in_article_matches_rows(reported: pd.DataFrame, catalog: dict[str, dict]) -> None:
    in_article = {i for i, entry in catalog.items() if entry.get("in_article")}
    assert in_article == set(reported["indicator"])
