"""Trend statistics against hand calculations, brute force, published tables and a second fit."""

import itertools
import math

import numpy as np
import pandas as pd
import pymannkendall
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.findings import published, trend
from uniontrends.stats import counts as count_models
from uniontrends.stats import descriptive, evidence, rates, trend_tests

YEARS = [2018, 2019, 2020, 2021, 2022]
NAMES = {"en": "Putuo District", "zh": "普陀区"}
CATALOG = {
    "indicators": [
        {"id": "disputes_mediated", "area": "disputes", "name_en": "Labour disputes mediated",
         "name_zh": "劳动争议调处", "unit": "cases", "kind": "flow", "aggregation": "sum"},
        {"id": "union_members", "area": "membership", "name_en": "Union members",
         "name_zh": "工会会员", "unit": "persons", "kind": "stock", "aggregation": "last"},
    ]
}  # fmt: skip


def _panel(values, members=None, years=YEARS, provenance="synthetic", region="putuo"):
    rows = []
    for i, (y, v) in enumerate(zip(years, values, strict=True)):
        rows.append((region, y, "disputes_mediated", v, "exact", "cases", "t", provenance))
        if members is not None:
            rows.append(
                (region, y, "union_members", members[i], "exact", "persons", "t", provenance)
            )
    cols = ["region", "year", "indicator", "value", "qualifier", "unit", "source", "provenance"]
    return pd.DataFrame(rows, columns=cols)


# ---- OLS --------------------------------------------------------------------------------------


def test_ols_slope_and_ci_match_hand_and_lstsq():
    y = np.array([1, 2, 4, 4, 6], float)
    res = trend_tests.ols_trend(YEARS, y)
    assert res.slope == pytest.approx(1.2, abs=1e-12)  # Sxy = 12, Sxx = 10
    X = np.column_stack([np.ones(5), np.arange(5)])
    beta, rss, *_ = np.linalg.lstsq(X, y, rcond=None)
    s2 = rss[0] / 3
    se = math.sqrt(s2 / 10)
    t = sps.t.ppf(0.975, 3)
    assert res.ci_low == pytest.approx(beta[1] - t * se, abs=1e-9)
    assert res.ci_high == pytest.approx(beta[1] + t * se, abs=1e-9)
    assert res.p_value == pytest.approx(2 * sps.t.sf(beta[1] / se, 3), abs=1e-9)
    assert res.intercept == pytest.approx(1.0, abs=1e-9)  # ybar 3.4 - 1.2 * 2


# ---- Theil-Sen --------------------------------------------------------------------------------


def test_theil_sen_is_median_of_pairwise_slopes():
    y = [3.0, 7.0, 4.0, 9.0, 8.0]
    brute = np.median(
        [(y[j] - y[i]) / (YEARS[j] - YEARS[i]) for i, j in itertools.combinations(range(5), 2)]
    )
    res = trend_tests.theil_sen(YEARS, y)
    assert res.slope == pytest.approx(brute, abs=1e-12)
    assert res.ci_low <= res.slope <= res.ci_high


# ---- Mann-Kendall -----------------------------------------------------------------------------


def test_mk_s_by_brute_force_and_pymannkendall():
    y = [5.0, 3.0, 8.0, 8.0, 9.0, 4.0, 10.0]
    brute = sum(np.sign(y[j] - y[i]) for i in range(7) for j in range(i + 1, 7))
    assert trend_tests.mann_kendall_s(y) == brute
    res = trend_tests.mann_kendall(range(2016, 2023), y)
    ref = pymannkendall.original_test(y)
    assert res.s == ref.s
    assert res.var_s == pytest.approx(ref.var_s, abs=1e-9)
    assert res.method.startswith("normal")  # ties -> normal approximation
    assert res.p_value == pytest.approx(ref.p, abs=1e-9)


def test_mk_tie_corrected_variance_by_hand():
    y = [1.0, 2.0, 2.0, 3.0, 4.0]  # one tie group of size 2
    res = trend_tests.mann_kendall(YEARS, y)
    var = (5 * 4 * 15 - 2 * 1 * 9) / 18  # 282 / 18
    assert res.var_s == pytest.approx(var, abs=1e-12)
    assert res.s == 9
    assert res.p_value == pytest.approx(2 * sps.norm.sf((9 - 1) / math.sqrt(var)), abs=1e-12)


def test_mk_exact_p_matches_enumeration_of_all_120_permutations():
    all_s = [trend_tests.mann_kendall_s(p) for p in itertools.permutations(range(5))]
    assert len(all_s) == 120
    for y in ([1, 2, 3, 4, 5], [1, 3, 2, 4, 5], [2, 1, 4, 3, 5], [3, 1, 2, 5, 4], [5, 1, 4, 2, 3]):
        s = trend_tests.mann_kendall_s(y)
        exact = sum(abs(x) >= abs(s) for x in all_s) / 120
        res = trend_tests.mann_kendall(YEARS, [float(v) for v in y])
        assert res.method == "exact"
        assert res.p_value == pytest.approx(exact, abs=1e-12)


@pytest.mark.parametrize(
    ("s", "one_sided"),
    # Gilbert (1987), Table A18 (Kendall's S, n = 5): P(S >= s) under no trend.
    [(10, 0.008), (8, 0.042), (6, 0.117), (4, 0.242), (2, 0.408)],
)
def test_mk_exact_p_matches_published_table(s, one_sided):
    inversions = (10 - s) // 2
    y = list(range(1, 6))
    # build a series with the wanted number of adjacent inversions
    for k in range(inversions):
        i = k % 4
        y[i], y[i + 1] = y[i + 1], y[i]
    assert trend_tests.mann_kendall_s(y) == s
    res = trend_tests.mann_kendall(YEARS, [float(v) for v in y])
    assert res.p_value / 2 == pytest.approx(one_sided, abs=6e-4)


def test_mk_constant_series_is_p_one():
    res = trend_tests.mann_kendall(YEARS, [3.0] * 5)
    assert (res.s, res.p_value) == (0, 1.0)


# ---- Wilson, CAGR -----------------------------------------------------------------------------


def test_wilson_matches_closed_form():
    k, n, z = 37, 120, sps.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = rates.wilson_interval(k, n)
    assert low == pytest.approx(centre - half, abs=1e-9)
    assert high == pytest.approx(centre + half, abs=1e-9)


def test_cagr_by_hand():
    assert descriptive.cagr(100, 146.41, 4) == pytest.approx(0.10, abs=1e-12)  # 1.1 ** 4
    assert descriptive.cagr(200, 50, 2) == pytest.approx(-0.5, abs=1e-12)
    with pytest.raises(UniontrendsError, match="positive starting value"):
        descriptive.cagr(0, 5, 4)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.1, 1e6), st.integers(1, 10))
def test_cagr_of_constant_is_zero(v, years):
    assert descriptive.cagr(v, v, years) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(0, 1000), min_size=5, max_size=5),
    st.floats(0.01, 1000),
)
def test_scaling_scales_slopes_and_keeps_mk_p(vals, c):
    y = np.array(vals, float)
    base_ols, base_ts = trend_tests.ols_trend(YEARS, y), trend_tests.theil_sen(YEARS, y)
    ols, ts = trend_tests.ols_trend(YEARS, c * y), trend_tests.theil_sen(YEARS, c * y)
    assert ols.slope == pytest.approx(c * base_ols.slope, rel=1e-9, abs=1e-9)
    assert ts.slope == pytest.approx(c * base_ts.slope, rel=1e-9, abs=1e-9)
    assert trend_tests.mann_kendall(YEARS, c * y).p_value == pytest.approx(
        trend_tests.mann_kendall(YEARS, y).p_value, abs=1e-12
    )


# ---- count model ------------------------------------------------------------------------------


def test_poisson_glm_matches_direct_likelihood_fit():
    counts = np.array([30, 41, 38, 52, 60], float)
    exposure = np.array([9.0, 9.5, 10.0, 10.5, 11.0])  # thousands of members
    res = count_models.count_trend(YEARS, counts, exposure)
    assert res.model == "poisson"
    t = np.arange(5.0)

    def nll(b):
        mu = exposure * np.exp(b[0] + b[1] * t)
        return float(np.sum(mu - counts * np.log(mu)))

    opt = optimize.minimize(nll, [math.log(3.0), 0.0], method="BFGS", options={"gtol": 1e-10})
    assert math.log(res.rate_ratio) == pytest.approx(opt.x[1], abs=1e-6)
    # Wald CI from the observed information at the optimum
    mu = exposure * np.exp(opt.x[0] + opt.x[1] * t)
    X = np.column_stack([np.ones(5), t])
    cov = np.linalg.inv(X.T @ (mu[:, None] * X))
    half = sps.norm.ppf(0.975) * math.sqrt(cov[1, 1])
    assert res.ci_low == pytest.approx(math.exp(opt.x[1] - half), rel=1e-5)
    assert res.ci_high == pytest.approx(math.exp(opt.x[1] + half), rel=1e-5)


def test_overdispersed_counts_leave_poisson():
    counts = [100, 400, 150, 700, 300]
    res = count_models.count_trend(YEARS, counts)
    assert res.dispersion > count_models.DISPERSION_THRESHOLD
    assert res.model in ("negative_binomial", "quasi_poisson")
    assert "overdispersed" in res.rule


def test_count_model_errors():
    with pytest.raises(UniontrendsError, match="all are zero"):
        count_models.count_trend(YEARS, [0, 0, 0, 0, 0])
    with pytest.raises(UniontrendsError, match="zero exposure"):
        count_models.count_trend(YEARS, [1, 2, 3, 4, 5], [1, 1, 0, 1, 1])


# ---- evidence ---------------------------------------------------------------------------------


def test_evidence_levels():
    def ev(y):
        return evidence.classify_evidence(
            trend_tests.ols_trend(YEARS, y),
            trend_tests.theil_sen(YEARS, y),
            trend_tests.mann_kendall(YEARS, y),
        )

    assert ev([10.0, 12.0, 15.0, 16.0, 19.0]) == "clear"
    assert ev([10.0, 12.0, 11.0, 16.0, 19.0]) == "suggestive"  # MK p = 0.083
    assert ev([10.0, 14.0, 9.0, 13.0, 10.0]) == "inconclusive"
    assert "2/120" in evidence.evidence_rules()


# ---- summarize --------------------------------------------------------------------------------


def test_summarize_table_and_findings():
    panel = _panel([200, 230, 250, 270, 300], members=[9000, 9500, 10000, 10500, 11000])
    s = trend.summarize(
        panel, "disputes_mediated", "putuo", 2022, 5, catalog=CATALOG, region_names=NAMES
    )
    stat = s.table.set_index("statistic")["value"]
    assert stat["total"] == 1250
    assert stat["cagr"] == pytest.approx(1.5**0.25 - 1, abs=1e-12)
    assert stat["share_of_total_2018"] == pytest.approx(200 / 1250)
    assert stat["per_1000_members_end"] == pytest.approx(300 / 11)
    assert stat["ols_slope"] == pytest.approx(24.0)
    tot = s.table.set_index("statistic").loc["term_over_term"]
    assert pd.isna(tot["value"]) and tot["note"].startswith("no previous term")
    ids = {f.id for f in s.findings}
    assert {"putuo.disputes_mediated.trend", "putuo.disputes_mediated.count_trend"} <= ids
    found = next(f for f in s.findings if f.statistic == "trend")
    assert found.evidence == "clear" and found.direction == "up" and found.small_sample
    assert found.synthetic and found.statement_en.startswith("Illustrative (synthetic) data")
    assert found.statement_zh.startswith("示例（合成）数据")
    assert "Putuo District" in found.statement_en and found.statement_zh.startswith(
        "示例（合成）数据：普陀区"
    )
    assert "1,250 cases" in next(f for f in s.findings if f.statistic == "total").statement_en


def test_term_over_term_when_previous_window_exists():
    years = list(range(2013, 2023))
    panel = _panel(
        [10, 10, 10, 10, 10, 20, 20, 20, 20, 20], years=years, provenance="official_annual"
    )
    s = trend.summarize(
        panel, "disputes_mediated", "putuo", 2022, 5, catalog=CATALOG, region_names=NAMES
    )
    f = next(f for f in s.findings if f.statistic == "term_over_term")
    assert f.value == pytest.approx(1.0) and not f.synthetic
    assert "2013–2017" in f.statement_en


def test_summarize_edge_cases():
    with pytest.raises(UniontrendsError, match="missing"):
        trend.summarize(_panel([1, 2, 3, 4], years=[2018, 2019, 2021, 2022]),
                         "disputes_mediated", "putuo", 2022, catalog=CATALOG,
                         region_names=NAMES)  # fmt: skip
    with pytest.raises(ParameterError, match="at least 3"):
        trend.summarize(
            _panel([1, 2, 3, 4, 5]),
            "disputes_mediated",
            "putuo",
            2022,
            window=2,
            catalog=CATALOG,
            region_names=NAMES,
        )
    with pytest.raises(UniontrendsError, match="at least 3"):
        trend_tests.ols_trend([2021, 2022], [1, 2])
    with pytest.raises(UniontrendsError, match="zero in every year"):
        trend.summarize(
            _panel([0, 0, 0, 0, 0]),
            "disputes_mediated",
            "putuo",
            2022,
            catalog=CATALOG,
            region_names=NAMES,
        )
    with pytest.raises(UniontrendsError, match="zero exposure"):
        trend.summarize(_panel([1, 2, 3, 4, 5], members=[10, 10, 0, 10, 10]),
                         "disputes_mediated", "putuo", 2022, catalog=CATALOG,
                         region_names=NAMES)  # fmt: skip
    with pytest.raises(UniontrendsError, match="no data"):
        trend.summarize(
            _panel([1, 2, 3, 4, 5]),
            "disputes_mediated",
            "dinghai",
            2022,
            catalog=CATALOG,
            region_names=NAMES,
        )


def test_reported_lower_bound_is_never_exact():
    reported = pd.DataFrame([{
        "region": "putuo", "indicator": "disputes_mediated", "period_start": 2018,
        "period_end": 2022, "value": 1200.0, "qualifier": "at_least", "unit": "cases",
        "source": "Zhoushan Daily", "provenance": "reported", "phrase_zh": "1200余件", "note": "",
    }])  # fmt: skip
    (f,) = published.reported_findings(reported, "putuo", CATALOG, region_names=NAMES)
    assert f.id == "putuo.disputes_mediated.reported_total"
    assert "at least 1,200 cases" in f.statement_en
    assert "超过1,200件" in f.statement_zh
    assert (f.interval_low, f.interval_high, f.qualifier) == (1200.0, None, "at_least")
    assert not f.synthetic and "synthetic" not in f.statement_en.lower()


def test_summarize_area_skips_with_reasons():
    panel = _panel([200, 230, 250, 270, 300], members=[9000, 9500, 10000, 10500, 11000])
    area = trend.summarize_area(
        panel, "disputes", "putuo", 2022, catalog=CATALOG, region_names=NAMES
    )
    assert list(area.summaries) == ["disputes_mediated"]
    assert not area.table.empty and area.findings
