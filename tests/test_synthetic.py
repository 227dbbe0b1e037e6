"""Tests for uniontrends.synthetic: reproducible, labelled, consistent with published totals."""

import math
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from uniontrends import config
from uniontrends.cli import app
from uniontrends.data import model, synthetic
from uniontrends.data.model import ANNUAL_COLUMNS, REPORTED_COLUMNS
from uniontrends.errors import DataError, ParameterError

CATALOG = {
    "indicators": [
        {"id": "union_members", "kind": "stock", "unit": "persons"},
        {"id": "employees", "kind": "stock", "unit": "persons"},
        {
            "id": "union_density",
            "kind": "rate",
            "unit": "share",
            "numerator": "union_members",
            "denominator": "employees",
        },
        {"id": "disputes_mediated", "kind": "flow", "unit": "cases"},
        {"id": "culture_events", "kind": "flow", "unit": "events"},
        {"id": "training_participants", "kind": "flow", "unit": "person_times"},
        {"id": "assistance_funds", "kind": "money", "unit": "yuan"},
        {"id": "innovation_studios", "kind": "stock", "unit": "organisations"},
        {"id": "coverage_enterprises_100plus", "kind": "rate", "unit": "share"},
        {"id": "app_visits", "kind": "flow", "unit": "person_times"},
        {"id": "app_satisfaction", "kind": "rate", "unit": "share"},
        {"id": "legal_aid_cases", "kind": "flow", "unit": "cases"},
    ]
}
_FIGURES = [  # indicator, start, end, value, qualifier, unit
    ("disputes_mediated", 2018, 2022, 1200, "at_least", "cases"),
    ("culture_events", 2018, 2022, 48, "exact", "events"),
    ("training_participants", 2018, 2022, 52000, "approx", "person_times"),
    ("assistance_funds", 2018, 2022, 3_460_000, "exact", "yuan"),
    ("innovation_studios", 2022, 2022, 11, "exact", "organisations"),
    ("coverage_enterprises_100plus", 2022, 2022, 1.0, "exact", "share"),
    ("app_visits", 2022, 2022, 61000, "at_least", "person_times"),
    ("app_satisfaction", 2022, 2022, 1.0, "exact", "share"),
]
REPORTED = pd.DataFrame(
    [("putuo", i, s, e, v, q, u, "article", "reported", "", "") for i, s, e, v, q, u in _FIGURES],
    columns=list(REPORTED_COLUMNS),
)
REAL_REPORTED = config.PROJ_ROOT / "data" / "reported" / synthetic.REPORTED_FILE


def _series(panel: pd.DataFrame, indicator: str) -> pd.Series:
    return panel[panel["indicator"] == indicator].set_index("year")["value"]


@pytest.fixture(scope="module")
def panels() -> dict[str, pd.DataFrame]:
    return {r: synthetic.generate_panel(REPORTED, CATALOG, r) for r in synthetic.PROFILES}


def test_largest_remainder_matches_textbook_example():
    # Hare-Niemeyer, 10 seats, votes 47,000/16,000/15,800/12,000/6,100/3,100 -> 5,2,1,1,1,0
    votes = np.array([47_000, 16_000, 15_800, 12_000, 6_100, 3_100], dtype=float)
    assert synthetic._largest_remainder(10, votes).tolist() == [5, 2, 1, 1, 1, 0]
    assert synthetic._largest_remainder(10, np.ones(3)).tolist() == [4, 3, 3]


@given(
    total=st.integers(0, 10_000_000),
    shares=st.lists(st.floats(0.01, 100.0), min_size=1, max_size=10),
)
@settings(max_examples=60, deadline=None)
def test_largest_remainder_keeps_total_and_quota(total, shares):
    weights = np.array(shares)
    parts = synthetic._largest_remainder(total, weights)
    quota = total * weights / weights.sum()
    assert parts.sum() == total
    assert (np.abs(parts - quota) < 1 + 1e-6).all()  # each part is its quota rounded up or down


def test_reproducible_and_seed_dependent():
    a = synthetic.generate_panel(REPORTED, CATALOG, "putuo", seed=7)
    b = synthetic.generate_panel(REPORTED, CATALOG, "putuo", seed=7)
    c = synthetic.generate_panel(REPORTED, CATALOG, "putuo", seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["value"].equals(c["value"])


def test_catalog_forms_agree():
    as_frame = pd.DataFrame(CATALOG["indicators"])
    as_mapping = {d["id"]: d for d in CATALOG["indicators"]}
    reference = synthetic.generate_panel(REPORTED, CATALOG, "dinghai")
    for catalog in (as_frame, as_mapping):
        again = synthetic.generate_panel(REPORTED, catalog, "dinghai")
        pd.testing.assert_frame_equal(reference, again)


def test_shape_labels_and_ranges(panels):
    for region, panel in panels.items():
        assert tuple(panel.columns) == ANNUAL_COLUMNS
        assert set(panel["provenance"]) == {"synthetic"}
        assert set(panel["qualifier"]) == {"exact"}
        assert set(panel["region"]) == {region}
        assert panel["source"].str.startswith("synthetic").all()
        assert not panel.duplicated(["region", "indicator", "year"]).any()
        assert (panel["value"] >= 0).all() and panel["value"].notna().all()
        shares = panel[panel["unit"] == "share"]["value"]
        assert shares.between(0, 1).all()
        counts = panel[panel["unit"] != "share"]["value"]
        assert (counts == counts.round()).all()  # counts and whole yuan
        assert "union_density" not in set(panel["indicator"])  # computed, not generated
    assert sorted(panels["putuo"]["year"].unique()) == list(range(2018, 2023))
    assert sorted(panels["dinghai"]["year"].unique()) == list(range(2013, 2023))
    assert panels["daishan"]["source"].str.contains("NO real Daishan figures").all()


def test_flows_respect_published_totals(panels):
    putuo = panels["putuo"]
    assert _series(putuo, "culture_events").sum() == 48  # exact
    assert _series(putuo, "assistance_funds").sum() == 3_460_000  # exact, whole yuan
    disputes = _series(putuo, "disputes_mediated").sum()
    assert 1200 <= disputes <= math.ceil(1200 * 1.10)  # at_least: bound x uplift in [1, 1.1]
    assert abs(_series(putuo, "training_participants").sum() / 52000 - 1) <= 0.05  # approx
    source = putuo.loc[putuo["indicator"] == "disputes_mediated", "source"].iloc[0]
    assert source == (
        "synthetic: uniontrends.synthetic (seed 2022), anchored to the 2018-2022 review "
        "article (at_least 1200, 2018-2022)"
    )


def test_stocks_shares_and_launch(panels):
    putuo = panels["putuo"]
    studios = _series(putuo, "innovation_studios")
    assert studios[2022] == 11 and studios.is_monotonic_increasing
    coverage = _series(putuo, "coverage_enterprises_100plus")
    assert coverage[2022] == 1.0 and coverage.between(0.85, 1).all()
    for region, panel in panels.items():
        visits = _series(panel, "app_visits")
        assert (visits.drop(2022) == 0).all() and visits[2022] > 0, region
        assert _series(panel, "app_satisfaction").index.tolist() == [2022]  # no ratings before
    assert _series(putuo, "app_visits")[2022] >= 61000


def test_unanchored_scales_and_density(panels):
    putuo = panels["putuo"]
    members = _series(putuo, "union_members")
    assert 90_000 <= members[2022] <= 110_000
    density = members / _series(putuo, "employees")
    assert density.between(0.5, 0.85).all()
    assert (
        putuo.loc[putuo["indicator"] == "legal_aid_cases", "source"]
        .str.contains("unanchored")
        .all()
    )


def test_illustrative_regions_differ_in_trend(panels):
    def growth(panel):  # mean of 2018-2022 over mean of 2013-2017, per level indicator
        levels = panel[panel["unit"] != "share"]
        wide = levels[levels["indicator"] != "app_visits"].pivot(
            index="indicator", columns="year", values="value"
        )
        return wide.loc[:, 2018:].mean(axis=1) / wide.loc[:, :2017].mean(axis=1)

    assert growth(panels["dinghai"]).median() > 1.1
    assert growth(panels["daishan"]).median() < 1.0
    # scale: Dinghai ~1.4 x Putuo, Daishan ~0.6 x Putuo over 2018-2022
    ratio = _series(panels["dinghai"], "culture_events").loc[2018:].sum() / 48
    assert 0.8 < ratio < 2.5


def test_bad_parameters_and_data():
    with pytest.raises(ParameterError):
        synthetic.generate_panel(REPORTED, CATALOG, "putuo", years=range(2013, 2023))
    with pytest.raises(ParameterError):
        synthetic.generate_panel(REPORTED, CATALOG, "nowhere")
    twice = pd.concat([REPORTED, REPORTED.iloc[[1]]], ignore_index=True)
    with pytest.raises(DataError) as info:
        synthetic.generate_panel(twice, CATALOG, "putuo")
    assert info.value.problems[0].row == len(twice) + 1  # last line of the file
    missing = {"indicators": [*CATALOG["indicators"], {"id": "x", "kind": "flow", "unit": "items"}]}
    with pytest.raises(DataError, match="no published figure and no assumed scale"):
        synthetic.generate_panel(REPORTED, missing, "putuo")


# ---- the real data: committed panels against the published figures ------------------------


def test_committed_csvs_equal_fresh_generation():
    fresh = synthetic.render_annual(config.PROJ_ROOT / "data")
    for name, text in fresh.items():
        path = config.PROJ_ROOT / "data" / "annual" / name
        assert path.read_text(encoding="utf-8") == text, f"{name}: run `uniontrends synth`"


def test_real_panels_match_every_published_figure():
    reported = synthetic.read_reported(config.PROJ_ROOT / "data")
    catalog = synthetic.read_catalog(config.PROJ_ROOT / "data")
    putuo = pd.read_csv(config.PROJ_ROOT / "data" / "annual" / "putuo.csv")
    checked = 0
    for fig in reported[reported["region"] == "putuo"].itertuples():
        if fig.indicator not in set(putuo["indicator"]):
            continue
        series = _series(putuo, fig.indicator)
        kind = catalog.at[fig.indicator, "kind"]
        if kind in ("flow", "money"):
            total = series.loc[fig.period_start : fig.period_end].sum()
            if fig.qualifier == "exact":
                assert total == pytest.approx(fig.value), fig.indicator
            elif fig.qualifier == "at_least":
                assert fig.value <= total <= math.ceil(fig.value * 1.1), fig.indicator
            elif fig.qualifier == "approx":
                assert abs(total / fig.value - 1) <= 0.05, fig.indicator
        else:
            assert series[2022] == pytest.approx(fig.value, abs=5e-4), fig.indicator
        checked += 1
    assert checked >= 25


def test_cli_synth_writes_byte_identical_files(tmp_path):
    data = config.PROJ_ROOT / "data"
    (tmp_path / "reported").mkdir()
    shutil.copy(REAL_REPORTED, tmp_path / "reported")
    shutil.copy(data / model.CATALOG_FILE, tmp_path)
    result = CliRunner().invoke(app, ["synth", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("putuo.csv", "dinghai.csv", "daishan.csv"):
        assert (tmp_path / "annual" / name).read_bytes() == (data / "annual" / name).read_bytes()


def test_cli_synth_reports_missing_input(tmp_path):
    shutil.copy(config.PROJ_ROOT / "data" / model.CATALOG_FILE, tmp_path)
    result = CliRunner().invoke(app, ["synth", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "reported figures not found" in result.output


def test_cli_synth_never_overwrites_real_data(tmp_path):
    data = config.PROJ_ROOT / "data"
    (tmp_path / "reported").mkdir()
    shutil.copy(REAL_REPORTED, tmp_path / "reported")
    shutil.copy(data / model.CATALOG_FILE, tmp_path)
    (tmp_path / "annual").mkdir()
    real = "region,year,indicator,value,qualifier,unit,source,provenance\n" + (
        "putuo,2022,union_members,100,exact,persons,annual return,official_annual\n"
    )
    (tmp_path / "annual" / "putuo.csv").write_text(real, encoding="utf-8")
    result = CliRunner().invoke(app, ["synth", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "annual/putuo.csv: [synthetic_overwrite]" in result.output
    assert (tmp_path / "annual" / "putuo.csv").read_text(encoding="utf-8") == real
    assert not (tmp_path / "annual" / "dinghai.csv").exists()  # nothing written
