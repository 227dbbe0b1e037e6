"""Trend statistics against hand calculations, brute force, published tables and a second fit."""

import itertools
import math

import numpy as np
import pandas as pd
import pymannkendall
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.findings import published, trend
from uniontrends.stats import bounds, descriptive, evidence, rates, trend_tests
from uniontrends.stats import counts as count_models

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


def _panel(values, members=None, years=YEARS, provenance="synthetic", region="putuo", quals=None):
    rows = []
    quals = quals or ["exact"] * len(values)
    for i, (y, v) in enumerate(zip(years, values, strict=True)):
        rows.append((region, y, "disputes_mediated", v, quals[i], "cases", "t", provenance))
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


def test_a_perfect_fit_has_no_p_value_and_no_zero_width_interval():
    for y in ([1.0, 2.0, 3.0, 4.0, 5.0], [0.1, 0.2, 0.3, 0.4, 0.5], [3.0] * 5):
        res = trend_tests.ols_trend(YEARS, y)
        assert res.perfect_fit and res.p_value is None and res.ci_low is None
        assert res.ci_high is None
    assert not trend_tests.ols_trend(YEARS, [1.0, 2.0, 3.0, 4.0, 5.1]).perfect_fit


# ---- changes of a stock ----------------------------------------------------------------------


def test_drift_test_is_the_one_sample_t_test_of_the_yearly_changes():
    y = np.array([32.0, 33.0, 34.0, 36.0, 38.0])
    res = trend_tests.drift_test(YEARS, y)
    ref = sps.ttest_1samp(np.diff(y), 0.0)
    assert res.drift == pytest.approx(1.5)
    assert res.p_value == pytest.approx(ref.pvalue, abs=1e-12)
    assert res.df == 3
    half = sps.t.ppf(0.975, 3) * np.std(np.diff(y), ddof=1) / 2
    assert (res.ci_low, res.ci_high) == pytest.approx((1.5 - half, 1.5 + half), abs=1e-12)


def test_drift_test_over_a_gap_weights_the_change_by_its_years():
    # a change over two years is two years of drift with twice the variance: WLS through 0
    years, y = [2018, 2019, 2021, 2022], np.array([1.0, 2.0, 4.0, 5.5])
    res = trend_tests.drift_test(years, y)
    gaps, d = np.diff(years).astype(float), np.diff(y)
    fit = sm.WLS(d, gaps[:, None], weights=1 / gaps).fit()
    assert res.drift == pytest.approx(float(fit.params[0]), abs=1e-12)
    assert res.p_value == pytest.approx(float(fit.pvalues[0]), abs=1e-9)
    assert trend_tests.drift_test(YEARS, [1.0, 2.0, 3.0, 4.0, 5.0]).perfect_fit


def test_walk_slope_variance_matches_the_closed_form_and_a_simulation():
    # five consecutive years: OLS slope = (2 e2 + 3 e3 + 3 e4 + 2 e5) / 10 of the steps e_k
    y = np.array([0.0, 0.3, 0.1, 0.4, 0.2])
    var, df = trend_tests.walk_slope_variance(YEARS, y)
    steps = np.diff(y)
    tau2 = np.var(steps, ddof=1)
    assert df == 3 and var == pytest.approx(tau2 * 26 / 100, rel=1e-12)
    rng = np.random.default_rng(3)
    walks = np.cumsum(rng.normal(0, 1, (20000, 5)), axis=1)
    slopes = np.polyfit(np.arange(5.0), walks.T, 1)[0]
    assert np.var(slopes) == pytest.approx(0.26, rel=0.03)


# ---- Theil-Sen --------------------------------------------------------------------------------


def test_theil_sen_is_median_of_pairwise_slopes():
    y = [3.0, 7.0, 4.0, 9.0, 8.0]
    brute = np.median(
        [(y[j] - y[i]) / (YEARS[j] - YEARS[i]) for i, j in itertools.combinations(range(5), 2)]
    )
    res = trend_tests.theil_sen(YEARS, y)
    assert res.slope == pytest.approx(brute, abs=1e-12)
    assert res.ci_low <= res.slope <= res.ci_high


def test_sen_interval_has_its_exact_attained_level():
    # Sen's interval: slopes of rank (N - c) / 2 + 1 .. (N + c) / 2 with P(|S| >= c) <= alpha,
    # checked against the enumerated null distribution of S (all n! orderings)
    for n, values in ((5, [3.0, 7.0, 4.0, 9.0, 8.0]), (6, [3.0, 7.0, 4.0, 9.0, 8.0, 10.0])):
        years = list(range(n))
        all_s = np.abs([trend_tests.mann_kendall_s(p) for p in itertools.permutations(range(n))])
        pairs = n * (n - 1) // 2
        c = min(v for v in range(pairs % 2, pairs + 1, 2) if v and np.mean(all_s >= v) <= 0.05)
        slopes = sorted((values[j] - values[i]) / (j - i)
                        for i, j in itertools.combinations(range(n), 2))  # fmt: skip
        res = trend_tests.theil_sen(years, values)
        assert res.ci_level == pytest.approx(1 - np.mean(all_s >= c), abs=1e-12)
        assert (
            res.ci_low == slopes[(pairs - c) // 2] and res.ci_high == slopes[(pairs + c) // 2 - 1]
        )
    assert trend_tests.theil_sen(YEARS, [3.0, 7.0, 4.0, 9.0, 8.0]).ci_level == pytest.approx(
        118 / 120
    )  # the min-max of the ten slopes: 98.3 %, the nearest level at or above 95 %
    four = trend_tests.theil_sen(YEARS[:4], [3.0, 7.0, 4.0, 9.0])
    assert four.ci_level is None and math.isnan(four.ci_low)


# ---- Mann-Kendall -----------------------------------------------------------------------------


def _exact_by_enumeration(y):
    s = trend_tests.mann_kendall_s(y)
    return np.mean([abs(trend_tests.mann_kendall_s(p)) >= abs(s)
                    for p in itertools.permutations(y)])  # fmt: skip


def test_mk_with_ties_is_exact_by_enumeration_of_all_orderings():
    y = [5.0, 3.0, 8.0, 8.0, 9.0, 4.0, 10.0]
    brute = sum(np.sign(y[j] - y[i]) for i in range(7) for j in range(i + 1, 7))
    assert trend_tests.mann_kendall_s(y) == brute
    res = trend_tests.mann_kendall(range(2016, 2023), y)
    ref = pymannkendall.original_test(y)
    assert res.s == ref.s and res.var_s == pytest.approx(ref.var_s, abs=1e-9)
    assert res.method == "exact, with ties"
    assert res.p_value == pytest.approx(_exact_by_enumeration(y), abs=1e-12)
    for y in ([1, 2, 2, 3, 4], [5, 5, 5, 6, 7], [3, 1, 1, 4, 4], [2, 1, 2, 1, 2]):
        res = trend_tests.mann_kendall(YEARS, [float(v) for v in y])
        assert res.p_value == pytest.approx(_exact_by_enumeration(y), abs=1e-12)


def test_mk_with_ties_at_n5_is_not_the_normal_approximation():
    # the example: one tie at n = 5, S = 9: exact 0.033, the normal approximation 0.043
    y = [1.0, 2.0, 2.0, 3.0, 4.0]
    res = trend_tests.mann_kendall(YEARS, y)
    var = (5 * 4 * 15 - 2 * 1 * 9) / 18  # tie-corrected variance, 282 / 18
    assert res.var_s == pytest.approx(var, abs=1e-12) and res.s == 9
    assert res.p_value == pytest.approx(4 / 120, abs=1e-12)
    assert 2 * sps.norm.sf((9 - 1) / math.sqrt(var)) == pytest.approx(0.043, abs=1e-3)


def test_mk_large_n_with_ties_uses_the_normal_approximation_of_pymannkendall():
    y = [5.0, 3.0, 8.0, 8.0, 9.0, 4.0, 10.0, 10.0, 12.0, 11.0, 13.0]
    res = trend_tests.mann_kendall(range(len(y)), y)
    ref = pymannkendall.original_test(y)
    assert res.method.startswith("normal")
    assert res.p_value == pytest.approx(ref.p, abs=1e-9)


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


def test_quasi_poisson_matches_a_direct_likelihood_fit_scaled_by_pearson_chi2():
    counts = np.array([30, 41, 38, 52, 60], float)
    exposure = np.array([9.0, 9.5, 10.0, 10.5, 11.0])  # thousands of members
    res = count_models.count_trend(YEARS, counts, exposure)
    assert res.model == "quasi_poisson" and res.df == 3
    t = np.arange(5.0) - 2.0  # the centred year

    def nll(b):
        mu = exposure * np.exp(b[0] + b[1] * t)
        return float(np.sum(mu - counts * np.log(mu)))

    opt = optimize.minimize(nll, [math.log(3.0), 0.0], method="BFGS", options={"gtol": 1e-10})
    assert math.log(res.rate_ratio) == pytest.approx(opt.x[1], abs=1e-6)
    mu = exposure * np.exp(opt.x[0] + opt.x[1] * t)
    pearson = float(np.sum((counts - mu) ** 2 / mu)) / 3
    X = np.column_stack([np.ones(5), t])
    se = math.sqrt(np.linalg.inv(X.T @ (mu[:, None] * X))[1, 1] * pearson)
    assert res.dispersion == pytest.approx(pearson, rel=1e-5)
    half = sps.t.ppf(0.975, 3) * se
    assert res.ci_low == pytest.approx(math.exp(opt.x[1] - half), rel=1e-5)
    assert res.ci_high == pytest.approx(math.exp(opt.x[1] + half), rel=1e-5)
    assert res.p_value == pytest.approx(2 * sps.t.sf(abs(opt.x[1]) / se, 3), rel=1e-4)


def test_count_model_adds_a_wandering_exposure():
    counts, exposure = [30, 41, 38, 52, 60], np.array([9.0, 9.9, 9.2, 10.5, 11.6])
    fixed = count_models.count_trend(YEARS, counts, exposure)
    walks = count_models.count_trend(YEARS, counts, exposure, exposure_walks=True)
    assert walks.rate_ratio == fixed.rate_ratio
    assert walks.ci_high - walks.ci_low > fixed.ci_high - fixed.ci_low
    assert walks.p_value > fixed.p_value and "wander" in walks.rule


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ([0, 0, 0, 66, 125], "launched inside the window"),  # no finite rate ratio exists
        ([40, 52, 61, 0, 0], "stopped inside the window"),
        ([300, 280, 0, 310, 295], "structural zero"),
    ],
)
def test_count_model_refuses_launches_stops_and_structural_zeros(counts, reason):
    with pytest.raises(count_models.CountModelRefused, match=reason):
        count_models.count_trend(YEARS, counts)


def test_count_model_errors():
    with pytest.raises(UniontrendsError, match="all are zero"):
        count_models.count_trend(YEARS, [0, 0, 0, 0, 0])
    with pytest.raises(UniontrendsError, match="zero exposure"):
        count_models.count_trend(YEARS, [1, 2, 3, 4, 5], [1, 1, 0, 1, 1])
    # a zero among small counts is Poisson noise, not refused
    assert count_models.count_trend(YEARS, [2, 0, 3, 1, 2]).df == 3


# ---- rates -----------------------------------------------------------------------------------


def test_survey_share_interval_uses_the_effective_sample_size():
    low, high, n_eff = rates.survey_share_interval(0.3, 1200, 1.5)
    assert n_eff == 800
    assert (low, high) == pytest.approx(rates.wilson_interval(240, 800), abs=1e-12)
    with pytest.raises(UniontrendsError, match="design effect"):
        rates.survey_share_interval(0.3, 1200, 0.5)


def test_poisson_rate_interval_is_garwood():
    low, high = rates.poisson_rate_interval(12, 4.0)
    assert low == pytest.approx(sps.chi2.ppf(0.025, 24) / 2 / 4.0, rel=1e-9)
    assert high == pytest.approx(sps.chi2.ppf(0.975, 26) / 2 / 4.0, rel=1e-9)
    assert rates.poisson_rate_interval(0, 4.0)[0] == 0.0


# ---- bounds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "start", "expected"),
    [
        ("exact", "exact", "exact"),
        ("at_least", "exact", "at_least"),
        ("exact", "at_least", "at_most"),
        ("at_least", "at_least", "undetermined"),  # two lower bounds: bounded in neither way
        ("at_most", "at_least", "at_most"),
        ("approx", "exact", "approx"),
    ],
)
def test_difference_of_bounds(end, start, expected):
    assert bounds.difference_qualifier(end, start) == expected


def test_sum_and_statistic_of_bounds():
    assert bounds.sum_qualifier(["exact", "at_least"]) == "at_least"
    assert bounds.sum_qualifier(["at_most", "at_least"]) == "undetermined"
    assert bounds.sum_qualifier(["exact", "approx"]) == "approx"
    assert bounds.statistic_qualifier(["exact", "at_least"]) == "undetermined"
    assert bounds.statistic_qualifier(["exact", "approx"]) == "approx"


# ---- evidence ---------------------------------------------------------------------------------


def test_grades_follow_the_adjusted_p_and_the_checks():
    def ev(y, stock_like=False, shock_years=()):
        return evidence.series_trend(YEARS, y, stock_like=stock_like, shock_years=shock_years)

    clear = ev([10.0, 12.0, 15.0, 16.0, 19.0]).evidence
    assert clear.ceiling == "clear" and evidence.grade(clear, clear.p_value) == "clear"
    assert evidence.grade(clear, 0.07) == "suggestive"  # the same test, adjusted in a family
    assert evidence.grade(clear, 0.2) == "inconclusive"
    assert evidence.grade(ev([10.0, 14.0, 9.0, 13.0, 10.0]).evidence, 0.5) == "inconclusive"
    # the methods disagree: OLS up, Mann-Kendall S down
    odd = ev([10.0, 9.0, 8.9, 8.8, 30.0]).evidence
    assert odd.ceiling == "suggestive" and "disagree" in odd.caps[0]
    # four points cannot be clear
    four = evidence.series_trend(YEARS[:4], [10.0, 12.0, 15.0, 18.0], stock_like=False)
    assert evidence.grade(four.evidence, 0.001) == "suggestive"
    # bounds and perfect fits are never tested
    bounded = evidence.series_trend(YEARS, [10.0, 12.0, 15.0, 16.0, 19.0], stock_like=False,
                                    bounded=True)  # fmt: skip
    assert evidence.grade(bounded.evidence, bounded.evidence.p_value) == "descriptive"
    line = ev([1.0, 2.0, 3.0, 4.0, 5.0]).evidence
    assert line.p_value is None and evidence.grade(line, None) == "descriptive"
    assert "2/120" in evidence.evidence_rules()


def test_direction_resting_on_a_shock_year_is_at_most_suggestive():
    years = [2016, 2017, 2018, 2019, 2020]
    rests = evidence.series_trend(years, [10.0, 10.2, 9.9, 10.1, 14.0], stock_like=False,
                                  shock_years=(2020,))  # fmt: skip
    assert rests.evidence.shock_robust is False
    assert rests.evidence.ceiling == "suggestive"
    steady = evidence.series_trend(YEARS, [10.0, 12.0, 15.0, 16.0, 19.0], stock_like=False,
                                   shock_years=(2020,))  # fmt: skip
    assert steady.evidence.shock_robust is True
    outside = evidence.series_trend(YEARS, [10.0, 12.0, 15.0, 16.0, 19.0], stock_like=False,
                                    shock_years=(2010,))  # fmt: skip
    assert outside.evidence.shock_robust is None


def test_a_stock_is_graded_by_its_yearly_changes():
    res = evidence.series_trend(YEARS, [32.0, 33.0, 34.0, 36.0, 38.0], stock_like=True)
    assert res.drift is not None and res.evidence.test == "mean yearly change"
    assert res.estimate == pytest.approx(1.5) and res.evidence.p_value == res.drift.p_value


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
    assert pd.isna(tot["value"]) and str(tot["note"]).startswith("no previous term")
    ids = {f.id for f in s.findings}
    assert "putuo.disputes_mediated.trend" in ids
    assert "putuo.disputes_mediated.count_trend" not in ids  # one graded test per indicator
    found = next(f for f in s.findings if f.statistic == "trend")
    assert found.evidence == "clear" and found.direction == "up" and found.small_sample
    # a count is graded by its quasi-Poisson model: value, interval and p are the model's
    ct = count_models.count_trend(YEARS, [200, 230, 250, 270, 300])
    assert found.value == pytest.approx(ct.rate_ratio) and found.unit == "rate_ratio_per_year"
    assert found.p_value == pytest.approx(ct.p_value) and found.p_adjusted == found.p_value
    assert found.family == "putuo 2018-2022 disputes_mediated" and found.family_size == 1
    assert found.n == 5 and found.method_version == evidence.METHOD_VERSION
    assert s.table.set_index("statistic").loc["glm_rate_ratio", "evidence"] == "clear"
    per = next(f for f in s.findings if f.statistic == "per_1000_members")
    assert (per.interval_low, per.interval_high) == pytest.approx(
        rates.poisson_rate_interval(300, 11.0)
    )
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


def test_summarize_uses_the_years_with_a_value_and_says_which_are_missing():
    panel = _panel([200.0, 230.0, float("nan"), 270.0, 300.0])
    panel["missing_reason"] = ["", "", "not collected in 2020", "", ""]
    gap = panel[panel["year"] != 2019]
    s = trend.summarize(gap, "disputes_mediated", "putuo", 2022, catalog=CATALOG,
                        region_names=NAMES)  # fmt: skip
    found = next(f for f in s.findings if f.statistic == "trend")
    assert found.n == 3 and "no value for 2019, 2020" in found.statement_en
    assert found.evidence != "clear"  # fewer than 5 years
    total = next(f for f in s.findings if f.statistic == "total")
    assert total.qualifier == "at_least"  # the years with a value give a lower bound
    assert any("no value for 2019, 2020" in str(n) for n in s.notes)
    with pytest.raises(UniontrendsError, match=r"only 2 .*not collected in 2020"):
        trend.summarize(gap[gap["year"] != 2021], "disputes_mediated", "putuo", 2022,
                        catalog=CATALOG, region_names=NAMES)  # fmt: skip


def test_bounds_are_carried_and_never_graded():
    panel = _panel([200, 230, 250, 270, 300], quals=["at_least"] * 5,
                   members=[9000, 9500, 10000, 10500, 11000])  # fmt: skip
    s = trend.summarize(panel, "disputes_mediated", "putuo", 2022, catalog=CATALOG,
                        region_names=NAMES)  # fmt: skip
    by = {f.statistic: f for f in s.findings}
    assert by["trend"].evidence == "descriptive" and by["trend"].p_value is None
    assert by["trend"].qualifier == "undetermined"
    change = by["level_change"]
    assert change.qualifier == "undetermined" and change.value is None  # two lower bounds
    assert "undetermined" in change.statement_en
    assert by["per_1000_members"].qualifier == "at_least"
    assert "at least" in by["per_1000_members"].statement_en
    assert by["total"].qualifier == "at_least"
    assert not any(f.statistic.startswith("projection") for f in s.findings)
    assert all(f.evidence == "descriptive" for f in s.findings)


def test_a_launch_inside_the_window_is_tested_from_the_launch_only():
    s = trend.summarize(_panel([0, 0, 40, 66, 125]), "disputes_mediated", "putuo", 2022,
                        catalog=CATALOG, region_names=NAMES)  # fmt: skip
    found = next(f for f in s.findings if f.statistic == "trend")
    assert found.n == 3 and found.value < 10  # a finite rate ratio, not 3e8
    assert any("launched 2020" in str(n) for n in s.notes)
    short = trend.summarize(_panel([0, 0, 0, 66, 125]), "disputes_mediated", "putuo", 2022,
                            catalog=CATALOG, region_names=NAMES)  # fmt: skip
    assert not any(f.statistic == "trend" for f in short.findings)
    assert any("fewer than 3 years" in str(n) for n in short.notes)


def test_an_area_is_graded_as_one_family():
    catalog = {"indicators": CATALOG["indicators"] + [
        {"id": "legal_aid_cases", "area": "disputes", "name_en": "Legal aid", "name_zh": "法援",
         "unit": "cases", "kind": "flow", "aggregation": "sum"},
    ]}  # fmt: skip
    aid = _panel([50, 61, 48, 70, 55]).assign(indicator="legal_aid_cases")
    panel = pd.concat([_panel([200, 230, 250, 270, 300]), aid], ignore_index=True)
    area = trend.summarize_area(panel, "disputes", "putuo", 2022, catalog=catalog,
                                region_names=NAMES)  # fmt: skip
    tested = [f for f in area.findings if f.statistic == "trend"]
    assert area.family == "putuo 2018-2022 disputes" and area.family_size == 2
    raw = [f.p_value for f in tested]
    from statsmodels.stats.multitest import multipletests

    assert [f.p_adjusted for f in tested] == pytest.approx(
        list(multipletests(raw, method="fdr_bh")[1])
    )
    for f in tested:
        assert f.family == area.family and f.family_size == 2
        row = area.table[(area.table.indicator == f.indicator)
                         & (area.table.statistic == "glm_rate_ratio")].iloc[0]  # fmt: skip
        assert row["evidence"] == f.evidence and row["p_adjusted"] == f.p_adjusted
        assert f"adjusted p = {f.p_adjusted:.3f} over 2 tests" in f.statement_en


def test_summarize_edge_cases():
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
    assert "more than 1,200 cases" in f.statement_en
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


def test_mk_without_ties_matches_scipy_exact_kendall_and_theil_sen_matches_scipy():
    rng = np.random.default_rng(4)
    for n in (5, 8, 12, 30):
        y = rng.normal(size=n)
        res = trend_tests.mann_kendall(range(n), y)
        ref = sps.kendalltau(range(n), y, method="exact")
        assert res.method == "exact" and res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
        assert res.tau == pytest.approx(ref.statistic, abs=1e-12)
        ts, ref_ts = trend_tests.theil_sen(range(n), y), sps.theilslopes(y, range(n))
        assert ts.slope == pytest.approx(ref_ts.slope, abs=1e-12)
        assert ts.intercept == pytest.approx(ref_ts.intercept, abs=1e-12)
    tied = [1.0, 2.0, 2.0, 3.0, 4.0]
    assert trend_tests.mann_kendall(YEARS, tied).tau == pytest.approx(
        sps.kendalltau(YEARS, tied).statistic, abs=1e-12
    )
