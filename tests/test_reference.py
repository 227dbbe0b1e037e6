"""Tests for uniontrends.reference: values checked against the raw files read independently."""

import csv
import shutil

import pandas as pd
import pytest
from uniontrends import config
from uniontrends.data.model import ANNUAL_COLUMNS
from uniontrends.data.reference import ILOSTAT_FILE, REFERENCE_COLUMNS, tidy_reference
from uniontrends.errors import DataError

RAW = config.PROJ_ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return tidy_reference(config.PROJ_ROOT / "data" / "reference")


def _value(ref, dataset, region, indicator, year):
    hit = ref[
        (ref["dataset"] == dataset)
        & (ref["region"] == region)
        & (ref["indicator"] == indicator)
        & (ref["year"] == year)
    ]
    assert len(hit) == 1
    return hit.iloc[0]


def test_columns_and_labels(ref):
    assert tuple(ref.columns) == REFERENCE_COLUMNS
    assert tuple(ref.columns[: len(ANNUAL_COLUMNS)]) == ANNUAL_COLUMNS
    assert set(ref["provenance"]) == {"reference"}
    assert set(ref["qualifier"]) == {"exact"}
    assert set(ref["dataset"]) == {"ilostat", "oecd"}
    assert ref["region"].str.fullmatch(r"[a-z]{3}").all()


def test_china_ilostat_values_from_the_raw_file(ref):
    # raw file: CHN,ILR_TUMT_NOC_RT,FX:8362,2008,30.4 and ...,2017,44.25 (README: 30.4 % to 44.25 %)
    first = _value(ref, "ilostat", "chn", "union_density", 2008)
    last = _value(ref, "ilostat", "chn", "union_density", 2017)
    assert first["value"] == pytest.approx(0.304, abs=1e-12)
    assert last["value"] == pytest.approx(0.4425, abs=1e-12)
    assert first["region_name"] == "China"
    assert first["unit"] == "share"
    assert first["source"] == "ILOSTAT ILR_TUMT_NOC_RT_A, source FX:8362"
    assert sorted(ref.loc[ref["region"] == "chn", "year"]) == list(range(2008, 2018))


def test_bom_is_stripped_and_codes_named(ref):
    ilo = ref[ref["dataset"] == "ilostat"]
    assert "afg" in set(ilo["region"])  # first column reads as ref_area, not '\ufeffref_area'
    names = dict(zip(ilo["region"], ilo["region_name"], strict=False))
    assert names["hkg"] == "Hong Kong, China"
    assert names["deu"] == "Germany"  # name taken from the OECD file
    assert names["afg"] == "AFG"  # neither in OECD nor in the small mapping


def test_oecd_unit_conversion_germany_2018(ref):
    # raw: DEU ADM EEM 2018 = 37684 (thousands), TUM = 6222 (thousands), TUD = 16.5 (%)
    members = _value(ref, "oecd", "deu", "union_members", 2018)
    employees = _value(ref, "oecd", "deu", "employees", 2018)
    density = _value(ref, "oecd", "deu", "union_density", 2018)
    assert members["value"] == 6_222_000 and members["unit"] == "persons"
    assert employees["value"] == 37_684_000
    assert density["value"] == pytest.approx(0.165)
    # independent cross-check: members / employees reproduces the published density to 0.1 %
    assert members["value"] / employees["value"] == pytest.approx(density["value"], abs=5e-4)


def test_oecd_members_over_employees_match_density(ref):
    oecd = ref[ref["dataset"] == "oecd"].pivot_table(
        index=["region", "year"], columns="indicator", values="value"
    )
    gap = (oecd["union_members"] / oecd["employees"] - oecd["union_density"]).abs()
    # TUD is published with one decimal (in %), so most gaps are rounding (< 0.0005)
    assert (gap < 5e-4).mean() > 0.9
    assert gap.max() < 0.005


def test_raw_values_match_row_by_row(ref):
    with open(RAW / ILOSTAT_FILE, encoding="utf-8-sig", newline="") as handle:
        raw = {
            (r["ref_area"].lower(), int(r["time"]), r["source"]): float(r["obs_value"])
            for r in csv.DictReader(handle)
        }
    ilo = ref[ref["dataset"] == "ilostat"]
    for row in ilo.itertuples():
        source = row.source.rsplit(" ", 1)[-1]
        assert row.value == pytest.approx(raw[(row.region, row.year, source)] / 100, abs=1e-12)


def test_one_source_per_series_and_no_duplicates(ref):
    assert not ref.duplicated(["dataset", "region", "indicator", "year"]).any()
    per_series = (
        ref.assign(src=ref["source"].str.split(";").str[0])
        .groupby(["dataset", "region", "indicator"])["src"]
        .nunique()
    )
    assert (per_series == 1).all()
    sources = ref.groupby(["dataset", "region"])["source"].first()
    # Guatemala: BA:660 (2010-2019) and EA:1202 (2000-2009) tie at 10 years; the recent one wins
    assert sources[("ilostat", "gtm")].endswith("BA:660")
    # Armenia: BA:867 has 6 years, FI:171 5
    assert sources[("ilostat", "arm")].endswith("BA:867")
    # Australia: survey data 19 years beats administrative 7; Britain ties 21/21 -> ADM
    oecd = ref[ref["dataset"] == "oecd"]
    assert set(oecd.loc[oecd["region"] == "aus", "source"].str[:13]) == {"OECD TUD, SVY"}
    assert set(oecd.loc[oecd["region"] == "gbr", "source"].str[:13]) == {"OECD TUD, ADM"}


def test_row_counts(ref):
    counts = ref.groupby(["dataset", "indicator"]).size().to_dict()
    # ILOSTAT: 1,287 raw rows minus 25 from the second source of 9 countries
    assert counts[("ilostat", "union_density")] == 1287 - 25
    # OECD: 36 countries; TUD, TUM, EEM have the same years per country and source
    assert counts[("oecd", "union_density")] == 653
    assert counts[("oecd", "union_members")] == 653
    assert counts[("oecd", "employees")] == 653
    assert ref.loc[ref["dataset"] == "oecd", "region"].nunique() == 36


def test_flags_kept_in_source(ref):
    # raw: TUR ADM TUM 2013 flagged B (break)
    row = _value(ref, "oecd", "tur", "union_members", 2013)
    assert row["source"] == "OECD TUD, ADM; flag B: break in series"


def test_a_package_may_hold_one_dataset_or_none(tmp_path):
    assert tidy_reference(tmp_path / "reference").empty  # no reference/ folder
    (tmp_path / "reference").mkdir()
    shutil.copy(RAW / "oecd_trade_union_density.csv", tmp_path / "reference")
    assert set(tidy_reference(tmp_path / "reference")["dataset"]) == {"oecd"}


def test_a_damaged_reference_file_is_a_data_error(tmp_path):
    (tmp_path / "oecd_trade_union_density.csv").write_bytes(b'"COU","Country"\n"a\n')
    with pytest.raises(DataError, match="oecd_trade_union_density.csv"):
        tidy_reference(tmp_path)
