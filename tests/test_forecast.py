"""Projections: prediction intervals by hand, bounds kept, scenarios, required growth, targets."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.findings import projections
from uniontrends.stats import forecast

YEARS = [2018, 2019, 2020, 2021, 2022]


def test_three_values_get_no_projection_and_say_why():
    from uniontrends.findings.trend import series_projection

    # t(1) would make the 95 % interval of 8 events run from 0 to 3e28 events
    flow = {"kind": "flow", "unit": "events", "aggregation": "sum", "horizon": 5}
    proj, reason = series_projection([2020, 2021, 2022], [5, 9, 8], ["exact"] * 3, **flow)
    assert proj is None and "3 values" in str(reason)
    proj, reason = series_projection([2019, 2020, 2021, 2022], [4, 5, 9, 8], ["exact"] * 4, **flow)
    assert proj is not None and reason is None


def test_required_growth_by_hand():
    assert forecast.required_growth(100, 161.051, 5) == pytest.approx(0.10, abs=1e-12)
    assert forecast.required_growth(1200, 1200, 5) == 0.0
    with pytest.raises(ParameterError):
        forecast.required_growth(0, 10, 5)
    with pytest.raises(ParameterError):
        forecast.required_growth(10, 10, 0)


def test_trend_projection_starts_at_the_last_value_with_the_hand_interval():
    y = np.array([100.0, 120.0, 118.0, 150.0, 160.0])
    p = forecast.project(YEARS, y, horizon=5, kind="flow", unit="cases")
    assert (p.model, p.scale, p.method) == ("trend", "log", "trend_log")
    assert list(p.frame["year"]) == [2022, 2023, 2024, 2025, 2026, 2027]
    first = p.frame.iloc[0]
    assert first["mean"] == first["pi_low"] == first["pi_high"] == 160.0  # the observed value
    # by hand on the log scale: z_last + b h, var s^2 (2 + h^2 / Sxx + 2 h (x_last - xbar) / Sxx)
    z, x = np.log(y), np.arange(5.0)
    b, a = np.polyfit(x, z, 1)
    s2 = np.sum((z - (a + b * x)) ** 2) / 3
    h = 5.0
    se = math.sqrt(s2 * (2 + h**2 / 10 + 2 * h * 2 / 10))
    q = sps.t.ppf(0.975, 3)
    last = p.final
    assert last["mean"] == pytest.approx(math.exp(z[-1] + b * h), rel=1e-9)
    assert last["pi_low"] == pytest.approx(math.exp(z[-1] + b * h - q * se), rel=1e-9)
    assert last["pi_high"] == pytest.approx(math.exp(z[-1] + b * h + q * se), rel=1e-9)


def test_random_walk_projection_of_a_stock_by_hand():
    y = np.array([32.0, 33.0, 34.0, 36.0, 38.0])
    p = forecast.project(YEARS, y, horizon=3, kind="stock", unit="organisations")
    assert p.model == "random_walk"
    z = np.log(y)
    d = (z[-1] - z[0]) / 4
    tau2 = np.var(np.diff(z), ddof=1)
    se = math.sqrt(tau2 * (3 + 9 / 4))
    q = sps.t.ppf(0.975, 3)
    assert p.final["mean"] == pytest.approx(math.exp(z[-1] + 3 * d), rel=1e-9)
    assert p.final["pi_low"] == pytest.approx(math.exp(z[-1] + 3 * d - q * se), rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.001, 0.999), min_size=5, max_size=5),
    st.sampled_from(["trend", "random_walk"]),
)
def test_a_share_is_never_projected_outside_0_100(values, model):
    p = forecast.project(YEARS, values, horizon=5, unit="share", model=model)
    band = p.frame[["mean", "pi_low", "pi_high"]].to_numpy()
    band = band[np.isfinite(band)]
    assert np.all((band >= 0) & (band <= 1))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=5, max_size=5).filter(lambda v: len(set(v)) > 2))
def test_counts_and_money_are_never_projected_below_zero(values):
    for model in ("trend", "random_walk"):
        p = forecast.project(YEARS, values, horizon=5, unit="cases", model=model)
        band = p.frame[["mean", "pi_low", "pi_high"]].to_numpy()
        assert np.all(band[np.isfinite(band)] >= 0)


def test_scale_follows_the_values():
    assert forecast.choose_scale(np.array([0.2, 0.3]), "share") == "logit"
    assert forecast.choose_scale(np.array([1.0, 2.0]), "cases") == "log"
    assert forecast.choose_scale(np.array([0.0, 2.0]), "cases") == "sqrt"
    assert forecast.choose_scale(np.array([-1.0, 2.0]), "") == "linear"


def test_beyond_the_horizon_a_projection_is_a_scenario():
    p = forecast.project(YEARS, [100.0, 120.0, 118.0, 150.0, 160.0], horizon=5)
    assert p.forecast_horizon == 2 and p.last_forecast_year == 2024
    assert not p.is_scenario(2024) and p.is_scenario(2025)
    assert "scenario, not a forecast" in projections.horizon_text(p, 2027)
    assert "forecast within 2 years" in projections.horizon_text(p, 2023)


def test_an_exact_fit_gets_no_interval_rather_than_a_zero_width_one():
    p = forecast.project(YEARS, [1.0, 2.0, 3.0, 4.0, 5.0], horizon=2, scale="linear")
    assert math.isnan(p.final["pi_low"]) and math.isnan(p.final["pi_high"])
    assert p.final["mean"] == pytest.approx(7.0)
    assert any("exactly on the model" in str(n) for n in p.notes)


def test_reaches_target_statement():
    p = forecast.project(YEARS, [1.0, 2.0, 4.0, 4.0, 6.0], scale="linear")
    ok, text = projections.reaches_target(p, 10, "cases")
    assert ok and "reaches" in text and "10 cases" in text and "inside" in text
    assert "scenario" in text
    ok, text = projections.reaches_target(p, 30, "cases", lang="zh")
    assert not ok and "达不到" in text and "30件" in text


def test_projection_errors():
    with pytest.raises(UniontrendsError, match="at least 3"):
        forecast.project([2021, 2022], [1, 2])
    with pytest.raises(UniontrendsError, match="increase"):
        forecast.project([2018, 2020, 2019], [1, 2, 3])
    with pytest.raises(ParameterError):
        forecast.project(YEARS, [1, 2, 3, 4, 5], model="ets")
    # gaps are allowed: a missing year is left out
    assert forecast.project([2018, 2019, 2021, 2022], [1.0, 2.0, 4.0, 5.5]).n == 4
