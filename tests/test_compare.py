"""Cross-region comparison and the fixed-effects panel model against lstsq references."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def test_compare_ranks_by_cagr():
    out = compare.compare_regions(_panel(), "x", 2022)
    assert list(out["region"]) == ["putuo", "dinghai", "daishan"]
    assert list(out["rank"]) == [1, 2, 3]
    assert out.loc[0, "cagr"] == pytest.approx((144 / 100) ** 0.25 - 1)
    assert out["synthetic"].all()


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
    assert res.se_type == "cluster" and res.n_regions == 3 and res.n_obs == 15
    assert res.ci_low < res.annual_change < res.ci_high


def test_panel_trend_two_regions_and_errors():
    two = {k: SERIES[k] for k in ("putuo", "dinghai")}
    assert compare.panel_trend(_panel(two), "x", 2022).se_type == "HC1"
    with pytest.raises(UniontrendsError, match="at least 2 regions"):
        compare.panel_trend(_panel({"putuo": SERIES["putuo"]}), "x", 2022)
    zeros = dict(SERIES, daishan=[0, 1, 2, 3, 4])
    with pytest.raises(UniontrendsError, match="poisson"):
        compare.panel_trend(_panel(zeros), "x", 2022)
    assert compare.panel_trend(_panel(zeros), "x", 2022, method="poisson").method == "poisson"


def test_region_with_gap_is_listed_last_with_reason():
    panel = _panel()
    panel = panel[~((panel["region"] == "dinghai") & (panel["year"] == 2020))]
    out = compare.compare_regions(panel, "x", 2022)
    assert out.iloc[-1]["region"] == "dinghai" and "missing" in out.iloc[-1]["note"]
    assert pd.isna(out.iloc[-1]["rank"])
