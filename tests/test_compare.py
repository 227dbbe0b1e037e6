"""Cross-region comparison and the fixed-effects panel model against lstsq references."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from uniontrends.errors import UniontrendsError
from uniontrends.stats import compare

YEARS = list(range(2018, 2023))
SERIES = {
    "putuo": [100, 112, 121, 135, 144],
    "dinghai": [200, 205, 214, 221, 232],
    "daishan": [51, 49, 48, 46, 45],
}


def _panel(series=SERIES, order=None):
    rows = [
        (r, y, "x", float(v), "exact", "cases", "t", "synthetic")
        for r in (order or list(series))
        for y, v in zip(YEARS, series[r], strict=True)
    ]
    cols = ["region", "year", "indicator", "value", "qualifier", "unit", "source", "provenance"]
    return pd.DataFrame(rows, columns=cols)


def test_compare_ranks_by_trend_growth_with_its_interval():
    out = compare.compare_regions(_panel(), "x", 2022)
    assert list(out["region"]) == ["putuo", "dinghai", "daishan"]
    assert list(out["rank"]) == [1, 2, 3]
    assert out.loc[0, "cagr"] == pytest.approx((144 / 100) ** 0.25 - 1)
    b, _ = np.polyfit(np.arange(5.0), np.log(SERIES["putuo"]), 1)
    assert out.loc[0, "growth"] == pytest.approx(np.expm1(b), abs=1e-12)
    assert out.loc[0, "growth_ci_low"] < out.loc[0, "growth"] < out.loc[0, "growth_ci_high"]
    assert out["synthetic"].all() and "evidence" not in out.columns


def test_ranks_carry_their_uncertainty():
    noisy = {
        "a": [100, 130, 90, 140, 120],  # wide interval: could rank anywhere
        "b": [100, 110, 121, 133, 146],
        "c": [100, 96, 92, 88, 85],
    }
    out = compare.compare_regions(_panel(noisy), "x", 2022).set_index("region")
    assert (out.loc["a", "rank_low"], out.loc["a", "rank_high"]) == (1, 3)
    # b's interval lies wholly above c's: b is never last, c never first
    assert out.loc["b", "rank_high"] <= 2 and out.loc["c", "rank_low"] >= 2
    for r in out.index:
        assert out.loc[r, "rank_low"] <= out.loc[r, "rank"] <= out.loc[r, "rank_high"]


@settings(max_examples=6, deadline=None)
@given(st.permutations(list(SERIES)))
def test_region_order_does_not_change_results(order):
    a = compare.compare_regions(_panel(), "x", 2022).set_index("region").sort_index()
    b = compare.compare_regions(_panel(order=order), "x", 2022).set_index("region").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_panel_trend_matches_lstsq_with_dummies():
    res = compare.panel_trend(_panel(), "x", 2022)
    data = _panel()
    y = np.log(data["value"].to_numpy())
    t = (data["year"] - 2018).to_numpy(float)
    dummies = pd.get_dummies(data["region"]).to_numpy(float)
    beta, *_ = np.linalg.lstsq(np.column_stack([t, dummies]), y, rcond=None)
    assert res.coef == pytest.approx(beta[0], abs=1e-9)
    assert res.annual_change == pytest.approx(np.expm1(beta[0]), abs=1e-9)
    assert res.n_regions == 3 and res.n_obs == 15
    assert res.ci_low < res.annual_change < res.ci_high
    assert not res.pooled_claim and "no pooled claim" in res.note  # 3 < 5 regions
    # the error is the larger of the year effects' and the region slopes' (module doc)
    slopes = [np.polyfit(np.arange(5.0), np.log(v), 1)[0] for v in SERIES.values()]
    se_region = np.std(slopes, ddof=1) / np.sqrt(3)
    effects = data.assign(z=y).pivot(index="year", columns="region", values="z")
    effects = (effects - effects.mean()).mean(axis=1).to_numpy()
    fit = np.polyfit(np.arange(5.0), effects, 1)
    resid = effects - np.polyval(fit, np.arange(5.0))
    se_year = np.sqrt(np.sum(resid**2) / 3 / 10)
    se, df = (se_year, 3) if se_year >= se_region else (se_region, 2)
    assert res.df == df and res.coef == pytest.approx(fit[0], abs=1e-9)
    assert res.p_value == pytest.approx(2 * sps.t.sf(abs(fit[0]) / se, df), rel=1e-6)


def test_panel_trend_two_regions_and_errors():
    two = {k: SERIES[k] for k in ("putuo", "dinghai")}
    assert compare.panel_trend(_panel(two), "x", 2022).n_regions == 2
    five = dict(SERIES, a=[10, 11, 12, 12, 14], b=[30, 29, 33, 34, 35])
    assert compare.panel_trend(_panel(five), "x", 2022).pooled_claim
    with pytest.raises(UniontrendsError, match="at least 2 regions"):
        compare.panel_trend(_panel({"putuo": SERIES["putuo"]}), "x", 2022)
    zeros = dict(SERIES, daishan=[0, 1, 2, 3, 4])
    with pytest.raises(UniontrendsError, match="poisson"):
        compare.panel_trend(_panel(zeros), "x", 2022)
    assert compare.panel_trend(_panel(zeros), "x", 2022, method="poisson").method == "poisson"


def test_region_with_gaps_uses_its_years_or_is_listed_last_with_reason():
    panel = _panel()
    gap = panel[~((panel["region"] == "dinghai") & (panel["year"] == 2020))]
    out = compare.compare_regions(gap, "x", 2022).set_index("region")
    assert out.loc["dinghai", "n"] == 4 and not pd.isna(out.loc["dinghai", "rank"])
    few = panel[~((panel["region"] == "dinghai") & panel["year"].isin([2019, 2020, 2021]))]
    out = compare.compare_regions(few, "x", 2022)
    assert out.iloc[-1]["region"] == "dinghai" and "missing" in out.iloc[-1]["note"]
    assert pd.isna(out.iloc[-1]["rank"])
