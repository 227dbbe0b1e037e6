"""Projections: OLS prediction interval by hand, ETS checks, required growth and targets."""

import math

import numpy as np
import pytest
from scipy import stats as sps
from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.findings import projections
from uniontrends.stats import forecast

YEARS = [2018, 2019, 2020, 2021, 2022]


def test_required_growth_by_hand():
    assert forecast.required_growth(100, 161.051, 5) == pytest.approx(0.10, abs=1e-12)
    assert forecast.required_growth(1200, 1200, 5) == 0.0
    with pytest.raises(ParameterError):
        forecast.required_growth(0, 10, 5)
    with pytest.raises(ParameterError):
        forecast.required_growth(10, 10, 0)


def test_ols_prediction_interval_matches_hand_formula():
    y = np.array([1, 2, 4, 4, 6], float)
    p = forecast.project(YEARS, y, horizon=5, method="ols")
    assert p.method == "ols_linear_trend"
    assert list(p.frame["year"]) == [2023, 2024, 2025, 2026, 2027]
    x = np.arange(5.0)
    b, a = 1.2, 1.0
    s = math.sqrt(np.sum((y - (a + b * x)) ** 2) / 3)
    x0 = 9.0  # 2027
    half = sps.t.ppf(0.975, 3) * s * math.sqrt(1 + 1 / 5 + (x0 - 2) ** 2 / 10)
    last = p.final
    assert last["mean"] == pytest.approx(a + b * x0, abs=1e-9)
    assert last["pi_low"] == pytest.approx(a + b * x0 - half, abs=1e-9)
    assert last["pi_high"] == pytest.approx(a + b * x0 + half, abs=1e-9)


def test_auto_method_is_named_and_never_narrower_than_ols():
    y = [120.0, 135.0, 128.0, 150.0, 158.0]
    auto = forecast.project(YEARS, y)
    ols = forecast.project(YEARS, y, method="ols")
    assert auto.method in projections.METHOD_TEXT
    width = auto.final["pi_high"] - auto.final["pi_low"]
    assert width >= ols.final["pi_high"] - ols.final["pi_low"] - 1e-9
    if auto.method == "ols_linear_trend":
        assert any("fell back" in n for n in auto.notes)


def test_reaches_target_statement():
    p = forecast.project(YEARS, [1, 2, 4, 4, 6], method="ols")  # 2027 mean 11.8
    ok, text = projections.reaches_target(p, 10, "cases")
    assert ok and "reaches" in text and "10 cases" in text and "inside" in text
    ok, text = projections.reaches_target(p, 30, "cases", lang="zh")
    assert not ok and "达不到" in text and "30件" in text


def test_projection_errors():
    with pytest.raises(UniontrendsError, match="at least 3"):
        forecast.project([2021, 2022], [1, 2])
    with pytest.raises(UniontrendsError, match="consecutive"):
        forecast.project([2018, 2019, 2021], [1, 2, 3])
