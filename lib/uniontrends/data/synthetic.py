"""Illustrative (synthetic) annual panels, seeded and consistent with the article's totals.

The 2018-2022 review article publishes five-year totals and end-of-2022 stocks only; no
annual breakdown exists. To exercise the annual analyses this module generates annual panels.
EVERY value it produces is synthetic: provenance ``synthetic``, qualifier ``exact`` (the
generated number is what it is), and ``source`` says how it was made. Rules:

Putuo, 2018-2022, every catalog indicator except ratio rates (those with numerator and
denominator are computed from their parts):

- Flows and money with a published five-year total T are split across the years with a seeded
  smooth trend (log-linear growth drawn in [-8 %, +15 %] a year) times log-normal jitter, so
  counts have Poisson-like noise with mild over-dispersion. The years sum to exactly T when T
  is ``exact``; to ceil(T x u), u drawn in [1.00, 1.10], when T is ``at_least`` (so the sum
  respects the lower bound); to T x u, u in [0.97, 1.03], when ``approx`` (within +-5 %);
  to floor(T x u), u in [0.90, 1.00], when ``at_most``. Counts are a multinomial draw of the
  total (independent Poisson counts conditioned on their sum are multinomial); money is whole
  yuan, split by largest-remainder rounding that keeps the total.
- Stocks end exactly at the reported end-2022 level; earlier years start at 40-90 % of it and
  never decrease (integers, multinomial increments), never negative.
- Share rates (coverage, ratings) end at the reported value; earlier years lie in [0.85, 1].
- Indicators without a published figure get the assumed scales in ``ASSUMED_SCALES`` and say
  "unanchored" in ``source``; employees are union members divided by an assumed union
  density drifting in [0.55, 0.80], so members never exceed employees.
- The Qun Tuan e-Home app went live in November 2022: app_visits is 0 before 2022 (there was no
  app to visit), and app_satisfaction has no row before 2022 (no ratings existed).

Illustrative regions ``dinghai`` and ``daishan``, 2013-2022 (two five-year terms): NO real figure
of those districts is used; the names only give the comparison a shape. Each indicator's scale
is Putuo's (the published figure, or the assumed scale) times the region factor (1.4 and 0.6,
with +-15 % per indicator), with its own seeded trend per term: Dinghai grows faster in its
second term, Daishan is flat then declining for most indicators. Counts are Poisson draws
around the trend, money whole yuan, stocks vary smoothly around their trend.

Every draw comes from ``numpy.random.default_rng([seed, crc32(region), crc32(indicator)])``,
so panels are reproducible and adding an indicator does not change the others.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from uniontrends.data.model import ANNUAL_COLUMNS, ANNUAL_DIR, CATALOG_FILE, REPORTED_DIR
from uniontrends.errors import DataError, ParameterError, Problem

DEFAULT_SEED = 2022
REPORTED_FILE = "putuo_2018_2022_article.csv"
ANCHOR_REGION = "putuo"
TERM_START = 2018  # first year of the term the article reviews

# Assumed scales for indicators the article does not publish (Putuo, persons/items a year for
# flows, end-2022 level for stocks). Orders of magnitude for a district of ~400,000 residents;
# they are assumptions, stated in data/annual/README.md, not data.
ASSUMED_SCALES: dict[str, tuple[float, float]] = {
    "union_members": (90_000, 110_000),
    "union_organisations": (600, 900),
    "legal_aid_cases": (60, 150),
    "collective_agreements": (150, 300),
}
# employees = union_members / density, density drawn in this range (a share)
ASSUMED_DENSITY = (0.55, 0.80)
# first year an indicator exists; earlier flows are 0 and earlier rates have no row
LAUNCH_YEAR = {"app_visits": 2022, "app_satisfaction": 2022}


@dataclass(frozen=True)
class Profile:
    """How one region's panel is generated.

    Args:
        name: region id.
        factor: scale relative to Putuo (1.0 for Putuo itself).
        growth_early: range of annual log-growth for years before TERM_START.
        growth_late: range of annual log-growth for TERM_START onwards.
        anchored: whether values are tied to the published Putuo figures.
        years: default years of the panel.
    """

    name: str
    factor: float
    growth_early: tuple[float, float]
    growth_late: tuple[float, float]
    anchored: bool
    years: tuple[int, ...]


_TERM = tuple(range(2018, 2023))
_TWO_TERMS = tuple(range(2013, 2023))
PROFILES: dict[str, Profile] = {
    "putuo": Profile("putuo", 1.0, (-0.08, 0.15), (-0.08, 0.15), True, _TERM),
    # grows, faster in its second term
    "dinghai": Profile("dinghai", 1.4, (-0.02, 0.05), (0.04, 0.15), False, _TWO_TERMS),
    # flat, then declining for most indicators
    "daishan": Profile("daishan", 0.6, (-0.02, 0.04), (-0.08, 0.01), False, _TWO_TERMS),
}


@dataclass(frozen=True)
class _Anchor:
    value: float
    qualifier: str
    start: int
    end: int


def _rng(seed: int, region: str, indicator: str) -> np.random.Generator:
    """A generator that depends only on (seed, region, indicator), not on call order."""
    key = [seed, zlib.crc32(region.encode()), zlib.crc32(indicator.encode())]
    return np.random.default_rng(key)


def _catalog_frame(catalog: pd.DataFrame | Mapping) -> pd.DataFrame:
    """Catalog as a frame indexed by indicator id, from a frame, the parsed YAML or id->dict."""
    if isinstance(catalog, pd.DataFrame):
        frame = catalog.copy()
        if "id" in frame.columns:
            frame = frame.set_index("id")
    elif "indicators" in catalog:
        frame = pd.DataFrame(list(catalog["indicators"])).set_index("id")
    else:
        frame = pd.DataFrame.from_dict(dict(catalog), orient="index")
    for column in ("numerator", "denominator"):
        if column not in frame.columns:
            frame[column] = None
    return frame


def _generated_ids(catalog: pd.DataFrame) -> list[str]:
    """Indicators a panel holds: all but rates computed from a numerator and denominator."""
    derived = catalog["numerator"].notna() & catalog["denominator"].notna()
    return [str(i) for i in catalog.index[~derived.to_numpy()]]


def _anchors(reported: pd.DataFrame, region: str = ANCHOR_REGION) -> dict[str, _Anchor]:
    """Published figures of ``region`` by indicator; two figures for one indicator: an error."""
    rows = reported[reported["region"] == region]
    # a default RangeIndex + 2 is the line in the file (header = line 1)
    problems = [
        Problem(
            REPORTED_FILE,
            "one_figure_per_indicator",
            f"{ind!r} is reported twice",
            row=int(idx) + 2,
            column="indicator",
        )
        for idx, ind in rows.loc[rows["indicator"].duplicated(), "indicator"].items()
    ]
    if problems:
        raise DataError(problems)
    return {
        str(r.indicator): _Anchor(
            float(r.value), str(r.qualifier), int(r.period_start), int(r.period_end)
        )
        for r in rows.itertuples(index=False)
    }


def _log_trend(years: list[int], rng: np.random.Generator, profile: Profile) -> np.ndarray:
    """Cumulative log-growth per year (0 at the first year), one growth rate per term."""
    early = rng.uniform(*profile.growth_early)
    late = rng.uniform(*profile.growth_late)
    steps = [0.0] + [early if y < TERM_START else late for y in years[1:]]
    return np.cumsum(steps)


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers proportional to ``shares`` that sum exactly to ``total`` (Hamilton's method)."""
    exact = total * shares / shares.sum()
    floors = np.floor(exact).astype(np.int64)
    short = total - int(floors.sum())
    order = np.argsort(-(exact - floors), kind="stable")
    floors[order[:short]] += 1
    return floors


def _target_total(anchor: _Anchor, rng: np.random.Generator) -> int:
    """The synthetic five-year total implied by a published total and its qualifier."""
    if anchor.qualifier == "at_least":
        return math.ceil(anchor.value * rng.uniform(1.00, 1.10))
    if anchor.qualifier == "approx":
        return round(anchor.value * rng.uniform(0.97, 1.03))
    if anchor.qualifier == "at_most":
        return math.floor(anchor.value * rng.uniform(0.90, 1.00))
    return round(anchor.value)


def _anchored_flow(
    anchor: _Anchor,
    kind: str,
    years: list[int],
    active: np.ndarray,
    rng: np.random.Generator,
    profile: Profile,
) -> np.ndarray:
    """Annual values over ``years`` summing to the target total; inactive years are 0."""
    total = _target_total(anchor, rng)
    weights = np.exp(_log_trend(years, rng, profile))
    sigma = 0.08 if kind == "money" else 0.05
    weights = weights * rng.lognormal(0.0, sigma, len(years)) * active
    shares = weights / weights.sum()
    if kind == "money":
        return _largest_remainder(total, shares).astype(float)
    return rng.multinomial(total, shares).astype(float)


def _anchored_stock(
    end: float, years: list[int], rng: np.random.Generator, profile: Profile
) -> np.ndarray:
    """A non-decreasing integer path that ends exactly at ``end``."""
    level = round(end)
    start = round(level * rng.uniform(0.40, 0.90))
    steps = np.exp(_log_trend(years, rng, profile))[1:]
    increments = rng.multinomial(level - start, steps / steps.sum())
    return (start + np.concatenate([[0], np.cumsum(increments)])).astype(float)


def _share_path(end: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Shares rising from [0.85, 0.97] towards ``end`` with small noise; last value is ``end``."""
    end = round(end, 3)
    low = min(0.85, end)
    start = rng.uniform(low, max(low, min(0.97, end)))
    path = np.linspace(start, end, n) + rng.normal(0.0, 0.01, n)
    path = np.clip(path, low, 1.0).round(3)
    path[-1] = end
    return path


def _free_flow(
    mean: float,
    kind: str,
    years: list[int],
    active: np.ndarray,
    rng: np.random.Generator,
    profile: Profile,
) -> np.ndarray:
    """Annual values around a trend whose mean over TERM_START.. is ``mean``; Poisson counts."""
    trend = np.exp(_log_trend(years, rng, profile)) * active
    late = np.array([y >= TERM_START for y in years]) & active.astype(bool)
    if not late.any():  # a panel ending before TERM_START: scale on all its active years
        late = active.astype(bool)
    expected = mean * trend / trend[late].mean()
    jitter = rng.lognormal(0.0, 0.08 if kind == "money" else 0.05, len(years))
    if kind == "money":
        return np.round(expected * jitter)
    return rng.poisson(expected * jitter).astype(float)


def _free_stock(
    end: float, years: list[int], rng: np.random.Generator, profile: Profile
) -> np.ndarray:
    """An integer path around a smooth trend ending exactly at ``round(end)``, never negative."""
    log_trend = _log_trend(years, rng, profile)
    path = end * np.exp(log_trend - log_trend[-1]) * rng.lognormal(0.0, 0.02, len(years))
    path = np.clip(np.round(path), 0, None)
    path[-1] = round(end)
    return path


def _resolve_profile(profile: Profile | str) -> Profile:
    if isinstance(profile, Profile):
        return profile
    if profile not in PROFILES:
        raise ParameterError("profile", profile, f"one of {sorted(PROFILES)}")
    return PROFILES[profile]


def generate_panel(
    reported: pd.DataFrame,
    catalog: pd.DataFrame | Mapping,
    region: str,
    years: Iterable[int] | None = None,
    seed: int = DEFAULT_SEED,
    profile: Profile | str | None = None,
) -> pd.DataFrame:
    """One region's synthetic annual panel (see the module docstring for the rules).

    Args:
        reported: published figures (``model.REPORTED_COLUMNS``; values in base units); only
            Putuo's rows are used, as anchors (Putuo) or as scales (illustrative regions).
        catalog: indicator catalog: a frame with an ``id`` column or index, the parsed
            ``indicators.yaml``, or a mapping id -> attributes (kind, unit, numerator, ...).
        region: region id written in the ``region`` column.
        years: consecutive years of the panel (default: the profile's years).
        seed: base random seed.
        profile: a Profile or the name of one in PROFILES (default: ``region``).

    Returns:
        Frame with ``model.ANNUAL_COLUMNS``, one row per (indicator, year), provenance
        ``synthetic``, qualifier ``exact``; values in the indicator's base unit.
    """
    prof = _resolve_profile(profile if profile is not None else region)
    years = sorted(int(y) for y in (years if years is not None else prof.years))
    if not years or years != list(range(years[0], years[-1] + 1)):
        raise ParameterError("years", years, "a non-empty run of consecutive years")
    cat = _catalog_frame(catalog)
    anchors = _anchors(reported)
    if prof.anchored and (years[0] != TERM_START or years[-1] != 2022):
        raise ParameterError("years", years, "an anchored panel covers exactly 2018-2022")

    values: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    # members before employees: employees are derived from members
    ids = sorted(_generated_ids(cat), key=lambda i: i == "employees")
    for ind in ids:
        kind, unit = str(cat.at[ind, "kind"]), str(cat.at[ind, "unit"])
        rng = _rng(seed, region, ind)
        active = np.array([y >= LAUNCH_YEAR.get(ind, years[0]) for y in years], dtype=float)
        anchor = anchors.get(ind)
        if ind == "employees":
            if "union_members" not in values:
                raise DataError(
                    [
                        Problem(
                            CATALOG_FILE,
                            "employees_needs_members",
                            "employees are derived from union_members, absent from the catalog",
                        )
                    ]
                )
            density = _share_path(rng.uniform(*ASSUMED_DENSITY), len(years), rng)
            density = np.clip(density, *ASSUMED_DENSITY)
            values[ind] = np.round(values["union_members"] / density)
            sources[ind] = _source(
                prof,
                seed,
                None,
                note="union_members / assumed density "
                f"{ASSUMED_DENSITY[0]:.2f}-{ASSUMED_DENSITY[1]:.2f}",
            )
            continue
        if anchor is None:
            if ind not in ASSUMED_SCALES:
                raise DataError(
                    [
                        Problem(
                            REPORTED_FILE,
                            "anchor_or_assumption",
                            f"no published figure and no assumed scale for {ind!r}",
                        )
                    ]
                )
            low, high = ASSUMED_SCALES[ind]
            scale = rng.uniform(low, high)
            note = (
                f"assumed end-2022 level {low:g}-{high:g} {unit}"
                if kind == "stock"
                else f"assumed 2018-2022 mean {low:g}-{high:g} {unit} a year"
            )
            anchor_for_scale = None
        else:
            scale = anchor.value
            if kind in ("flow", "money"):
                first = max(anchor.start, TERM_START, LAUNCH_YEAR.get(ind, TERM_START))
                scale /= anchor.end - first + 1  # five-year total -> annual mean
            note, anchor_for_scale = None, anchor
        if not prof.anchored:
            # shares do not scale with region size; levels do
            scale *= (
                rng.uniform(0.95, 1.0)
                if kind == "rate"
                else (prof.factor * rng.uniform(0.85, 1.15))
            )
        values[ind] = _series(ind, kind, unit, scale, anchor_for_scale, prof, years, active, rng)
        sources[ind] = _source(prof, seed, anchor_for_scale, note=note)

    rows = [
        (region, year, ind, float(v), "exact", str(cat.at[ind, "unit"]), sources[ind], "synthetic")
        for ind in _generated_ids(cat)
        for year, v, on in zip(years, values[ind], _has_row(ind, cat, years), strict=True)
        if on
    ]
    return pd.DataFrame(rows, columns=list(ANNUAL_COLUMNS))


def _has_row(ind: str, cat: pd.DataFrame, years: list[int]) -> list[bool]:
    """Rates do not exist before their launch year (no row); flows are 0 there (a row)."""
    if str(cat.at[ind, "kind"]) != "rate":
        return [True] * len(years)
    return [y >= LAUNCH_YEAR.get(ind, years[0]) for y in years]


def _series(
    ind: str,
    kind: str,
    unit: str,
    scale: float,
    anchor: _Anchor | None,
    prof: Profile,
    years: list[int],
    active: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Values of one indicator over ``years`` (scale: five-year annual mean or end level)."""
    if not active.any():  # the indicator did not exist yet in any of these years
        return np.full(len(years), np.nan if kind == "rate" else 0.0)
    if kind == "rate":
        live = int(active.sum())
        path = _share_path(min(scale, 1.0), live, rng)
        return np.concatenate([np.full(len(years) - live, np.nan), path])
    if kind == "stock":
        if anchor is not None and prof.anchored:
            return _anchored_stock(anchor.value, years, rng, prof)
        return _free_stock(scale, years, rng, prof)
    if anchor is not None and prof.anchored:
        return _anchored_flow(anchor, kind, years, active, rng, prof)
    return _free_flow(scale, kind, years, active, rng, prof)


def _source(prof: Profile, seed: int, anchor: _Anchor | None, note: str | None) -> str:
    """The ``source`` text: how a synthetic series was made and what it rests on."""
    if not prof.anchored:
        name = prof.name.capitalize()
        return (
            f"synthetic, illustrative region: NO real {name} figures used; Putuo scale "
            f"x{prof.factor:g} with its own trend (uniontrends.synthetic, seed {seed})"
        )
    if anchor is None:
        return f"synthetic, unanchored: no published figure; {note} (seed {seed})"
    period = str(anchor.end) if anchor.start == anchor.end else f"{anchor.start}-{anchor.end}"
    return (
        f"synthetic: uniontrends.synthetic (seed {seed}), anchored to the 2018-2022 review "
        f"article ({anchor.qualifier} {anchor.value:g}, {period})"
    )


def read_reported(data_dir: Path | str) -> pd.DataFrame:
    """The published Putuo figures (``data/reported/putuo_2018_2022_article.csv``)."""
    path = Path(data_dir) / REPORTED_DIR / REPORTED_FILE
    if not path.exists():
        raise DataError([Problem(str(path), "file_exists", "reported figures not found")])
    return pd.read_csv(path, encoding="utf-8-sig")


def read_catalog(data_dir: Path | str) -> pd.DataFrame:
    """The indicator catalog (``data/indicators.yaml``) as a frame indexed by id."""
    path = Path(data_dir) / CATALOG_FILE
    return _catalog_frame(yaml.safe_load(path.read_text(encoding="utf-8")))


def _to_csv(frame: pd.DataFrame) -> str:
    """CSV text with counts as integers and shares with 3 decimals, so reruns are byte-equal."""
    out = frame.copy()
    out["value"] = [
        f"{v:.3f}" if unit == "share" else str(int(v))
        for v, unit in zip(out["value"], out["unit"], strict=True)
    ]
    return out.to_csv(index=False, lineterminator="\n")


def render_annual(data_dir: Path | str, seed: int = DEFAULT_SEED) -> dict[str, str]:
    """CSV text of every synthetic panel, by file name (``putuo.csv``, ...), without writing."""
    reported, catalog = read_reported(data_dir), read_catalog(data_dir)
    return {
        f"{name}.csv": _to_csv(generate_panel(reported, catalog, name, seed=seed, profile=prof))
        for name, prof in PROFILES.items()
    }


def write_annual(data_dir: Path | str, seed: int = DEFAULT_SEED) -> list[Path]:
    """Regenerate ``data/annual/<region>.csv`` for every profile (deterministic, byte-identical).

    Args:
        data_dir: the data package's folder.
        seed: base random seed.

    Returns:
        Paths written.

    Raises:
        DataError: a table it would replace holds a row that is not synthetic (real data are
            never overwritten by generated ones); nothing is written then.
    """
    from uniontrends.data.textfile import csv_column

    folder = Path(data_dir) / ANNUAL_DIR
    panels = render_annual(data_dir, seed)
    real = []
    for name in panels:
        path = folder / name
        provenance = csv_column(path, "provenance") if path.is_file() else []
        if provenance is None or any(p != "synthetic" for p in provenance):
            real.append(Problem(f"{ANNUAL_DIR}/{name}", "synthetic_overwrite", "the table holds "
                                "rows that are not synthetic: synth replaces synthetic panels "
                                "only; move the file away first"))  # fmt: skip
    if real:
        raise DataError(real)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in panels.items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written
