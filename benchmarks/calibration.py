"""Calibration by simulation: do the evidence grades, prediction intervals and region panel keep
their promises?

Usage: python benchmarks/calibration.py [--sims 1000] [--trend-sims 300] [--coverage-sims 2000]
[--panel-sims 2000] [--jobs N] [--seed 2026] [--quick]

Every simulated data set goes through the functions the notebooks call (``summarize_area`` for
an area notebook, ``forecast.project`` for a projection, ``compare.panel_trend`` for the region
panel), so what is measured is what a report prints. Prints five tables:

1. False "clear" rate per test on panels with no trend at all, of the bundled shape (Putuo's
   stored indicators, each held at its 2018-2022 mean), under three designs: ``poisson`` (counts
   Poisson, money and shares with independent noise), ``overdispersed`` (counts negative
   binomial, coefficient of variation 10 % on top of Poisson; money 10 % noise) and
   ``random_walk`` (stocks and level shares a random walk without drift, 5 % steps). Each test
   is counted graded on its own (its raw p-value, as if it were the only test) and as the
   report grades it (after the multiplicity control within its family). Target <= 5 %.
2. Per pure-noise report (the four area notebooks of one region-year): expected number of
   "clear" findings after multiplicity control (target <= 0.25) and P(at least one).
3. Power: panels where every stored indicator except the exposures (members, employees, held
   nearly constant so per-member rates carry the trend) grows 5 % or 10 % a year with 5 % noise.
   Flows and money are trend x independent noise; stocks and level shares a random walk with
   that drift and 5 % steps (a stock's yearly changes are its independent part); the last design
   gives stocks independent noise around the trend instead. Share of tests graded at least
   "suggestive" (target >= 80 % at 10 %) and "clear".
4. Coverage of nominal 95 % prediction intervals five years ahead (n = 5 observed years, level
   200, 5 % noise on the log scale) on a straight line (5 % growth), a random walk with 5 %
   drift, AR(1) 0.7 noise around the line, and growth changing between terms (+10 % a year in
   the window, -2 % after); target 90-97 % on the first two designs for the method meant for
   them. Also the share of intervals that reach an impossible (negative) value.
5. The region panel's false-positive rate at nominal 5 % (common trend, no trend in any region),
   3 and 5 regions, with independent noise and with a shock common to all regions in one year;
   target <= 6 %.

Runs with the library checked out (the functions are feature-detected, so the same script
measured the code before the calibrated methods landed). Seeded: the same arguments print the
same tables.
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from uniontrends import config
from uniontrends.data.derive import add_derived
from uniontrends.data.package import DataPackage, open_package
from uniontrends.findings import trend as trend_findings
from uniontrends.notebook.registry import load_registry
from uniontrends.stats import compare, forecast

REGION, END, WINDOW = "putuo", 2022, 5
YEARS = list(range(END - WINDOW + 1, END + 1))
TESTED = ("clear", "suggestive", "inconclusive")
STRENGTH = {"descriptive": -1, "inconclusive": 0, "suggestive": 1, "clear": 2}
NOISE_DESIGNS = ("poisson", "overdispersed", "random_walk")
# growth a year, how stocks and level shares move: "walk" (random walk with drift) or "iid"
TREND_DESIGNS = {
    "trend 5 %": (0.05, "walk"),
    "trend 10 %": (0.10, "walk"),
    "trend 10 %, stocks iid": (0.10, "iid"),
}
EXPOSURES = ("union_members", "employees")
NOISE_SD = 0.05  # 5 % noise (log scale)
SHARE_SD = 0.25  # noise of a share on the logit scale (about 1.4 points at 94 %)
COUNT_UNITS = ("cases", "events", "items", "person_times", "households", "persons")
WHOLE_UNITS = (*COUNT_UNITS, "organisations")


# ---- the bundled shape -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a simulated panel copies from the bundled package: indicators, levels, catalog."""

    package: DataPackage
    levels: dict[str, float]  # stored indicator -> its 2018-2022 mean (the level held constant)
    areas: tuple[str, ...]  # the areas of the registry's area notebooks

    def entry(self, indicator: str):  # noqa: ANN201 - a catalog Indicator
        return self.package.catalog[indicator]


def bundled_shape(package: DataPackage | None = None) -> Shape:
    """Putuo's stored indicators with five years of data, each at its window mean."""
    package = package or open_package(config.DATA_DIR)
    derived = {i.id for i in package.catalog.derived()}
    panel = package.panel
    rows = panel[
        (panel["region"] == REGION) & panel["year"].isin(YEARS) & ~panel["indicator"].isin(derived)
    ]
    counts = rows.groupby("indicator")["value"].count()
    means = rows.groupby("indicator")["value"].mean()
    levels = {i: float(means[i]) for i in package.catalog.indicators if counts.get(i, 0) == WINDOW}
    areas = tuple(s.area for s in load_registry(config.NOTEBOOKS_DIR).of_kind("area"))
    return Shape(package, levels, areas)


def _test_class(shape: Shape, indicator: str, statistic: str) -> str:
    """Which kind of test a tested finding is, for the per-test table."""
    if statistic == "count_trend":
        return "count model"
    e = shape.entry(indicator)
    if e.kind == "stock":
        return "trend: stock"
    if e.kind == "rate" and e.aggregation == "last":
        return "trend: level share or ratio"
    if e.kind == "rate":
        return "trend: rate of flows"
    if e.unit in COUNT_UNITS:
        return "trend: count flow"
    return "trend: money"


# ---- simulated panels --------------------------------------------------------------------------


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _finish(values: np.ndarray, unit: str) -> np.ndarray:
    if unit == "share":
        return np.round(np.clip(values, 0.0, 1.0), 3)
    if unit in WHOLE_UNITS or unit == "yuan":
        return np.maximum(np.round(values), 0.0)
    return values


def _noise_series(shape: Shape, ind: str, design: str, rng: np.random.Generator) -> np.ndarray:
    e, level, n = shape.entry(ind), shape.levels[ind], WINDOW
    stock_like = e.kind == "stock" or (e.kind == "rate" and e.aggregation == "last")
    if e.unit == "share":
        z = _logit(min(max(level, 0.02), 0.98))
        steps = rng.normal(0, SHARE_SD, n)
        z = z + (np.cumsum(steps) - steps.mean() if design == "random_walk" else steps)
        return 1 / (1 + np.exp(-z))
    if design == "random_walk" and stock_like:
        steps = rng.normal(0, NOISE_SD, n)
        return level * np.exp(np.cumsum(steps) - np.cumsum(steps).mean())
    whole = e.unit in WHOLE_UNITS
    if design == "overdispersed":
        mean = level * rng.gamma(100.0, 0.01, n)  # CV 10 %
        return rng.poisson(mean).astype(float) if whole else level * np.exp(rng.normal(0, 0.1, n))
    return rng.poisson(level, n).astype(float) if whole else level * np.exp(rng.normal(0, 0.05, n))


def _trend_series(
    shape: Shape, ind: str, growth: float, stocks: str, rng: np.random.Generator
) -> np.ndarray:
    e, level, n = shape.entry(ind), shape.levels[ind], WINDOW
    t = np.arange(n) - (n - 1) / 2
    if ind in EXPOSURES:
        return level * np.exp(rng.normal(0, 0.01, n))
    stock_like = e.kind == "stock" or (e.kind == "rate" and e.aggregation == "last")
    g = math.log1p(growth)
    if stock_like and stocks == "walk":
        path = np.cumsum(g + rng.normal(0, NOISE_SD, n))
        path -= path.mean()
    else:
        path = g * t + rng.normal(0, NOISE_SD, n)
    if e.unit == "share":
        return 1 / (1 + np.exp(-(_logit(min(max(level, 0.02), 0.98)) + path)))  # odds grow
    return level * np.exp(path)


def simulate_panel(shape: Shape, design: str, rng: np.random.Generator) -> pd.DataFrame:
    """A tidy annual panel of the bundled shape under ``design`` (derived rates added)."""
    rows = []
    for ind in shape.levels:
        e = shape.entry(ind)
        if design in TREND_DESIGNS:
            growth, stocks = TREND_DESIGNS[design]
            values = _trend_series(shape, ind, growth, stocks, rng)
        else:
            values = _noise_series(shape, ind, design, rng)
        for year, v in zip(YEARS, _finish(values, e.unit), strict=True):
            rows.append((REGION, year, ind, float(v), "exact", e.unit, "simulated", "synthetic"))
    cols = ["region", "year", "indicator", "value", "qualifier", "unit", "source", "provenance"]
    panel = add_derived(pd.DataFrame(rows, columns=cols), shape.package.catalog)
    # A derived share of two independently simulated levels can pass 100 %, which no valid data
    # package holds (validation refuses it) and the number formatter refuses to print.
    shares = panel["unit"] == "share"
    panel.loc[shares, "value"] = panel.loc[shares, "value"].clip(0.0, 1.0)
    return panel


# ---- grading a simulated report ----------------------------------------------------------------


def _accepts(fn: Callable[..., object], name: str) -> bool:
    return name in inspect.signature(fn).parameters


def _alone(summary: object, finding: object) -> str:
    """The grade the test would get on its own (raw p): the stats layer's rule when exposed."""
    tests = getattr(summary, "tests", None)
    if not tests or finding.id not in tests:  # type: ignore[attr-defined]
        return finding.evidence  # type: ignore[attr-defined]
    from uniontrends.stats import evidence

    return evidence.grade(tests[finding.id], finding.p_value)  # type: ignore[attr-defined]


def grade_report(shape: Shape, panel: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(test class, indicator, grade alone, grade in the report) of every tested finding."""
    kw: dict[str, object] = {}
    if _accepts(trend_findings.summarize_area, "shock_years"):
        kw["shock_years"] = shape.package.info.shock_years
    out = []
    names = shape.package.regions.names(REGION)
    for area in shape.areas:
        summary = trend_findings.summarize_area(
            panel, area, REGION, END, WINDOW, catalog=shape.package.catalog,
            region_names=names, **kw,
        )  # fmt: skip
        for ind_summary in summary.summaries.values():
            for f in ind_summary.findings:
                if f.evidence in TESTED or getattr(f, "p_adjusted", None) is not None:
                    cls = _test_class(shape, f.indicator, f.statistic)
                    out.append((cls, f.indicator, _alone(ind_summary, f), f.evidence))
    return out


def _graded_chunk(args: tuple[str, int, int]) -> list[list[tuple[str, str, str, str]]]:
    design, seed, sims = args
    shape = bundled_shape()
    results = []
    for i in range(sims):
        rng = np.random.default_rng([seed, i, sum(map(ord, design))])
        results.append(grade_report(shape, simulate_panel(shape, design, rng)))
    return results


def _parallel(
    fn: Callable[[tuple], list], design: str, seed: int, sims: int, jobs: int
) -> list[object]:
    """Run ``sims`` simulations of ``design`` in ``jobs`` processes (chunks seeded by offset)."""
    if sims <= 0:
        return []
    parts = np.array_split(np.arange(sims), max(1, min(jobs, sims)))
    chunks = [(design, seed + 7919 * k, len(part)) for k, part in enumerate(parts) if len(part)]
    if jobs <= 1:
        return [r for c in chunks for r in fn(c)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [r for part in pool.map(fn, chunks) for r in part]


# ---- prediction intervals ----------------------------------------------------------------------

COVERAGE_DESIGNS = ("straight line", "random walk with drift", "AR(1) 0.7", "growth changes")
HORIZON = 5


def coverage_path(design: str, rng: np.random.Generator, level: float = 200.0) -> np.ndarray:
    """n = 5 observed years and 5 more (log-scale designs), as values."""
    n = WINDOW + HORIZON
    g = math.log(1.05)
    if design == "straight line":
        z = g * np.arange(n) + rng.normal(0, NOISE_SD, n)
    elif design == "random walk with drift":
        z = np.cumsum(g + rng.normal(0, NOISE_SD, n))
    elif design == "AR(1) 0.7":
        u = np.empty(n)
        u[0] = rng.normal(0, NOISE_SD)
        innovation = NOISE_SD * math.sqrt(1 - 0.7**2)  # stationary sd 5 %
        for k in range(1, n):
            u[k] = 0.7 * u[k - 1] + rng.normal(0, innovation)
        z = g * np.arange(n) + u
    elif design == "growth changes":
        slopes = np.where(np.arange(n) < WINDOW, math.log(1.10), math.log(0.98))
        z = np.concatenate([[0.0], np.cumsum(slopes[1:])]) + rng.normal(0, NOISE_SD, n)
    else:
        raise ValueError(design)
    return level * np.exp(z)


def projection_methods() -> dict[str, Callable[[list[int], np.ndarray], object]]:
    """The projection methods to measure: what ``summarize`` uses per kind of indicator."""
    project = forecast.project
    if _accepts(project, "kind"):
        return {
            "flows (trend + noise, log)": lambda y, v: project(y, v, HORIZON, kind="flow",
                                                               unit="cases"),
            "stocks (random walk + drift, log)": lambda y, v: project(y, v, HORIZON, kind="stock",
                                                                      unit="persons"),
        }  # fmt: skip
    return {"ETS / OLS fallback (before)": lambda y, v: project(y, v, HORIZON)}


def _coverage_chunk(args: tuple[str, int, int]) -> dict[str, list[float]]:
    design, seed, sims = args
    methods = projection_methods()
    hits: dict[str, list[float]] = {name: [0, 0, 0] for name in methods}  # covered, impossible, n
    for i in range(sims):
        rng = np.random.default_rng([seed, i, sum(map(ord, design))])
        path = coverage_path(design, rng)
        observed, future = path[:WINDOW], path[-1]
        for name, fn in methods.items():
            proj = fn(YEARS, observed)
            final = proj.final  # type: ignore[attr-defined]
            low, high = final["pi_low"], final["pi_high"]
            if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
                continue
            hits[name][0] += bool(low <= future <= high)
            hits[name][1] += bool(low < 0)
            hits[name][2] += 1
    return hits


# ---- region panel ------------------------------------------------------------------------------


def panel_data(n_regions: int, shock: bool, rng: np.random.Generator) -> pd.DataFrame:
    """No trend in any region; 5 % noise; optionally one year's shock common to all regions."""
    year_effect = np.zeros(WINDOW)
    if shock:
        year_effect[rng.integers(WINDOW)] = rng.normal(0, 0.15)
    rows = []
    for r in range(n_regions):
        level = 100.0 * (1 + r)
        values = level * np.exp(year_effect + rng.normal(0, NOISE_SD, WINDOW))
        for year, v in zip(YEARS, values, strict=True):
            rows.append((f"r{r}", year, "x", float(v), "exact", "cases", "sim", "synthetic"))
    cols = ["region", "year", "indicator", "value", "qualifier", "unit", "source", "provenance"]
    return pd.DataFrame(rows, columns=cols)


def _panel_chunk(args: tuple[str, int, int]) -> list[int]:
    design, seed, sims = args
    n_regions, shock = int(design.split(":")[0]), design.endswith("shock")
    hits = [0, 0]
    for i in range(sims):
        rng = np.random.default_rng([seed, i, n_regions, shock])
        res = compare.panel_trend(panel_data(n_regions, shock, rng), "x", END, WINDOW)
        hits[0] += bool(res.p_value is not None and res.p_value < 0.05)
        hits[1] += 1
    return hits


# ---- tables ------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.1f} %"


def _table(title: str, header: list[str], rows: Iterable[list[str]]) -> str:
    rows = list(rows)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, rows), ""])


def false_clear_tables(results: dict[str, list[list[tuple[str, str, str, str]]]]) -> str:
    """Tables 1 and 2 from the graded noise reports of each design."""
    per_test: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    reports = []
    for design, runs in results.items():
        for report in runs:
            clear = sum(g == "clear" for *_, g in report)
            suggestive = sum(g == "suggestive" for *_, g in report)
            reports.append((design, clear, suggestive, len(report)))
            for cls, _ind, alone, graded in report:
                cell = per_test[(cls, design)]
                cell[0] += alone == "clear"
                cell[1] += graded == "clear"
                cell[2] += 1
    classes = sorted({cls for cls, _ in per_test})
    rows = []
    for cls in classes:
        row = [cls]
        for design in results:
            a, g, n = per_test.get((cls, design), [0, 0, 0])
            row.append(f"{_pct(a / n) if n else '–'} / {_pct(g / n) if n else '–'}")
        rows.append(row)
    t1 = _table(
        "1. False 'clear' per test on no-trend panels: alone (raw p) / in the report "
        "(after multiplicity control); target <= 5 %",
        ["test", *results],
        rows,
    )
    rows2 = []
    for design in results:
        mine = [r for r in reports if r[0] == design]
        n = len(mine)
        rows2.append([
            design, str(n), f"{np.mean([r[3] for r in mine]):.1f}",
            f"{np.mean([r[1] for r in mine]):.3f}", _pct(np.mean([r[1] > 0 for r in mine])),
            f"{np.mean([r[2] for r in mine]):.2f}",
        ])  # fmt: skip
    t2 = _table(
        "2. Per pure-noise report (4 area notebooks): expected 'clear' after multiplicity "
        "control (target <= 0.25), P(at least one), expected 'suggestive'",
        ["design", "reports", "tests", "E[clear]", "P(>= 1 clear)", "E[suggestive]"],
        rows2,
    )
    return t1 + "\n" + t2


# A whole-number series below this level cannot show a 5 % change: rounding to whole units
# (1 organisation, 6 rooms) hides the design, so such series are left out of the power table.
POWER_MIN_LEVEL = 20


def _trends(entry: object, level: float | None) -> bool:
    """Whether an indicator carries the trend in a trend design (derived rates: when exactly one
    of numerator and denominator is an exposure, which is held constant) visibly (level)."""
    if entry.id in EXPOSURES:  # type: ignore[attr-defined]
        return False
    if entry.unit in WHOLE_UNITS and level is not None and level < POWER_MIN_LEVEL:  # type: ignore[attr-defined]
        return False
    if entry.is_derived:  # type: ignore[attr-defined]
        return (entry.numerator in EXPOSURES) != (entry.denominator in EXPOSURES)  # type: ignore[attr-defined]
    return True


def shape_entry(indicator: str):  # noqa: ANN201 - a catalog Indicator
    return _catalog()[indicator]


def _catalog():  # noqa: ANN202
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = open_package(config.DATA_DIR).catalog
    return _CATALOG


_CATALOG = None
_LEVELS: dict[str, float] = {}


def _levels() -> dict[str, float]:
    if not _LEVELS:
        _LEVELS.update(bundled_shape().levels)
    return _LEVELS


def power_table(results: dict[str, list[list[tuple[str, str, str, str]]]]) -> str:
    """Table 3: share of trend-bearing tests graded at least suggestive / clear."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for design, runs in results.items():
        for report in runs:
            for cls, ind, _alone, graded in report:
                if not _trends(shape_entry(ind), _levels().get(ind)):
                    continue  # no trend by construction (exposures, ratios of two trending parts)
                for key in ((cls, design), ("all tests", design)):
                    cells[key][0] += STRENGTH[graded] >= STRENGTH["suggestive"]
                    cells[key][1] += graded == "clear"
                    cells[key][2] += 1
    classes = sorted({c for c, _ in cells} - {"all tests"}) + ["all tests"]
    rows = []
    for cls in classes:
        row = [cls]
        for design in results:
            s, c, n = cells.get((cls, design), [0, 0, 0])
            row.append(f"{_pct(s / n)} / {_pct(c / n)}" if n else "–")
        rows.append(row)
    return _table(
        "3. Power: tests of trending indicators graded >= suggestive / clear (in the report; "
        f"whole-number series below {POWER_MIN_LEVEL} left out); target >= 80 % suggestive at 10 %",
        ["test", *results],
        rows,
    )


def coverage_table(results: dict[str, dict[str, list[float]]]) -> str:
    methods = list(next(iter(results.values())))
    rows = []
    for method in methods:
        row = [method]
        for design in COVERAGE_DESIGNS:
            covered, impossible, n = results[design][method]
            row.append(f"{_pct(covered / n)} ({_pct(impossible / n)})" if n else "–")
        rows.append(row)
    return _table(
        "4. Coverage of 95 % prediction intervals 5 years ahead (in brackets: intervals reaching "
        "below 0); target 90-97 % on straight line and random walk with drift",
        ["method", *COVERAGE_DESIGNS],
        rows,
    )


def panel_table(results: dict[str, list[int]]) -> str:
    rows = []
    for n_regions in (3, 5):
        row = [str(n_regions)]
        for kind in ("independent", "shock"):
            hit, n = results[f"{n_regions}:{kind}"]
            row.append(_pct(hit / n) if n else "–")
        rows.append(row)
    return _table(
        "5. Region panel: false positives at nominal 5 % (no trend); target <= 6 %",
        ["regions", "independent noise", "common shock in one year"],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=1000, help="no-trend panels per noise design")
    ap.add_argument("--trend-sims", type=int, default=300, help="panels per trend design")
    ap.add_argument("--coverage-sims", type=int, default=2000, help="series per PI design")
    ap.add_argument("--panel-sims", type=int, default=2000, help="panels per region design")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quick", action="store_true", help="100 / 50 / 300 / 300 simulations")
    ap.add_argument("--only", default="", help="comma list of tables to run: 1,3,4,5")
    args = ap.parse_args(argv)
    if args.quick:
        args.sims, args.trend_sims, args.coverage_sims, args.panel_sims = 100, 50, 300, 300
    only = set(args.only.split(",")) if args.only else {"1", "3", "4", "5"}
    started = time.perf_counter()
    print(f"calibration: seed {args.seed}, {args.jobs} process(es)\n")
    if "1" in only:
        noise = {d: _parallel(_graded_chunk, d, args.seed, args.sims, args.jobs)
                 for d in NOISE_DESIGNS}  # fmt: skip
        print(false_clear_tables(noise), flush=True)
    if "3" in only:
        trends = {d: _parallel(_graded_chunk, d, args.seed, args.trend_sims, args.jobs)
                  for d in TREND_DESIGNS}  # fmt: skip
        print(power_table(trends), flush=True)
    if "4" in only:
        cover = {}
        for d in COVERAGE_DESIGNS:
            parts = _parallel(lambda a: [_coverage_chunk(a)], d, args.seed, args.coverage_sims, 1)
            merged: dict[str, list[float]] = {}
            for part in parts:
                for name, (c, imp, n) in part.items():
                    m = merged.setdefault(name, [0, 0, 0])
                    m[0], m[1], m[2] = m[0] + c, m[1] + imp, m[2] + n
            cover[d] = merged
        print(coverage_table(cover), flush=True)
    if "5" in only:
        panels = {}
        for n_regions in (3, 5):
            for kind in ("independent", "shock"):
                key = f"{n_regions}:{kind}"
                parts = _parallel(lambda a: [_panel_chunk(a)], key, args.seed, args.panel_sims, 1)
                panels[key] = [sum(p[0] for p in parts), sum(p[1] for p in parts)]
        print(panel_table(panels), flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
