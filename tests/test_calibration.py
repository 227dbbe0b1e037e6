"""Seeded calibration checks: the key rates of benchmarks/calibration.py stay under their limits.

At most a few hundred simulations each (the benchmark runs >= 1,000); every limit allows for the
Monte Carlo error of so few runs (3 standard errors), and each fails if the method it guards goes
back to what it replaced (OLS on stocks: 27 % false positives on random walks; no multiplicity
control: more than 2 "clear" per noise report; the ETS/OLS interval: 74 % coverage on a random
walk; region-clustered errors against the normal: 17 %).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from uniontrends.stats import compare, evidence, forecast
from uniontrends.stats.counts import count_trend
from uniontrends.stats.multiplicity import grouped_bh_adjust

YEARS = [2018, 2019, 2020, 2021, 2022]
SPEC = importlib.util.spec_from_file_location(
    "calibration", Path(__file__).parents[1] / "benchmarks" / "calibration.py"
)
calibration = importlib.util.module_from_spec(SPEC)  # type: ignore[arg-type]
sys.modules.setdefault("calibration", calibration)  # dataclasses look their module up
SPEC.loader.exec_module(calibration)  # type: ignore[union-attr]


def _limit(rate: float, n: int) -> float:
    return rate + 3 * math.sqrt(rate * (1 - rate) / n)


def _clear_alone(years, values, stock_like: bool, count: bool = False) -> bool:
    if count:
        ct = count_trend(years, values)
        ev = evidence.count_evidence(ct, years, values)
    else:
        ev = evidence.series_trend(years, values, stock_like=stock_like).evidence
    return evidence.grade(ev, ev.p_value) == "clear"


@pytest.mark.parametrize(
    ("design", "stock_like", "count"),
    [("iid", False, False), ("walk", True, False), ("poisson", False, True)],
)
def test_false_clear_rate_of_each_test_on_its_own_is_at_most_5_percent(design, stock_like, count):
    rng = np.random.default_rng(15)
    n, hits = 200 if count else 300, 0
    for _ in range(n):
        if design == "iid":
            values = 100 * np.exp(rng.normal(0, 0.05, 5))
        elif design == "walk":  # a stock without drift
            values = 100 * np.exp(np.cumsum(rng.normal(0, 0.05, 5)))
        else:
            values = rng.poisson(40, 5).astype(float)
        hits += _clear_alone(YEARS, values, stock_like, count)
    assert hits / n <= _limit(0.05, n)


def test_noise_reports_have_few_clear_findings_after_multiplicity_control():
    # four families (areas) of 12 tests each, half flows and half stocks, no trend anywhere
    rng = np.random.default_rng(16)
    reports, clear = 40, 0
    for _ in range(reports):
        for _family in range(4):
            evs = []
            for k in range(12):
                stock_like = k % 2 == 1
                steps = rng.normal(0, 0.05, 5)
                values = 100 * np.exp(np.cumsum(steps) if stock_like else steps)
                evs.append(evidence.series_trend(YEARS, values, stock_like=stock_like).evidence)
            adjusted = grouped_bh_adjust([e.p_value for e in evs], list(range(12)))
            clear += sum(
                evidence.grade(e, p) == "clear" for e, p in zip(evs, adjusted, strict=True)
            )
    # the target is 0.25 a report; 40 reports give a standard error of about 0.08
    assert clear / reports <= 0.25 + 3 * 0.08


@pytest.mark.parametrize(
    ("design", "kind"), [("straight line", "flow"), ("random walk with drift", "stock")]
)
def test_prediction_intervals_cover_95_percent_on_the_design_they_assume(design, kind):
    rng = np.random.default_rng(18)
    n, covered = 300, 0
    for _ in range(n):
        path = calibration.coverage_path(design, rng)
        final = forecast.project(YEARS, path[:5], horizon=5, kind=kind, unit="cases").final
        covered += bool(final["pi_low"] <= path[-1] <= final["pi_high"])
    se = math.sqrt(0.95 * 0.05 / n)
    assert 0.90 - 3 * se <= covered / n <= 0.97 + 3 * se


@pytest.mark.parametrize("n_regions", [3, 5])
def test_region_panel_false_positives_with_a_common_shock(n_regions):
    rng = np.random.default_rng(19)
    n, hits = 80, 0
    for _ in range(n):
        panel = calibration.panel_data(n_regions, True, rng)
        hits += compare.panel_trend(panel, "x", 2022).p_value < 0.05
    assert hits / n <= _limit(0.06, n)
