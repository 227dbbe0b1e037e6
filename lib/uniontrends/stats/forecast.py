"""Projections with prediction intervals on the scale of the quantity, and the growth needed for
a target.

Method. The series is transformed to a scale on which its possible range is unbounded: log for
positive counts, money and ratios; logit for shares (values within 0.05 percentage points of 0
or 100 % are moved to that distance first); square root for counts that include zeros (its
projection stays >= 0); unchanged for anything else. On that scale one of two models projects
from the last observed value, so the projection starts where the data end:
- trend (flows, money, rates of flows): a straight line plus independent noise. The slope b is
  the OLS slope; the projection h years ahead is z_last + b h with variance
  s^2 (2 + h^2 / Sxx + 2 h (x_last - mean x) / Sxx), read against t(n - 2).
- random walk with drift (stocks and level shares): the drift d is the mean yearly change; the
  projection is z_last + d h with variance tau^2 (h + h^2 / span), t(m - 1) on the m changes.
Both intervals are transformed back, so no projection or interval leaves the possible range
(no share outside 0-100 %, no negative count or money). The back-transformed centre is the
median, not the mean. A series whose points lie exactly on the model (zero residual variance)
gets no interval rather than a zero-width one.
Horizon: with n points a projection is called a forecast up to (n - 1) // 2 years ahead (2 for
five points); beyond that it is a scenario: what the window's trend would give if it went on.
Coverage of the 95 % intervals five years ahead, measured by simulation in
benchmarks/calibration.py, is in docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from uniontrends.errors import ParameterError, UniontrendsError
from uniontrends.notes import Note

SHARE_EPS = 0.0005  # 0.05 percentage points: half the precision shares are shown with
MODELS = ("trend", "random_walk")
SCALES = ("log", "logit", "sqrt", "linear")
STOCK_KINDS = ("stock",)


@dataclass
class Projection:
    """A projection: ``frame`` has year, mean, pi_low, pi_high (in the series' unit).

    The frame's first row is the last observed year (mean, pi_low and pi_high = the observed
    value), so a drawn projection and its band start at the data; the next ``horizon`` rows are
    projected. Their pi_low and pi_high are NaN when the series fits its model exactly.
    ``forecast_horizon`` is the last year ahead called a forecast; later years are scenarios.
    """

    method: str
    frame: pd.DataFrame
    alpha: float
    n: int
    notes: list[Note] = field(default_factory=list)
    model: str = "trend"
    scale: str = "linear"
    forecast_horizon: int = 1

    @property
    def final(self) -> pd.Series:
        """The row of the last projected year."""
        return self.frame.iloc[-1]

    @property
    def last_forecast_year(self) -> int:
        """The last year called a forecast; later projected years are scenarios."""
        return int(self.frame["year"].iloc[0]) + self.forecast_horizon

    def is_scenario(self, year: int) -> bool:
        """Whether a projected year lies beyond the forecast horizon."""
        return year > self.last_forecast_year


def _check_series(years: np.ndarray, values: np.ndarray) -> None:
    if len(years) != len(values):
        raise UniontrendsError("years and values differ in length")
    if len(values) < 3:
        raise UniontrendsError(f"a projection needs at least 3 annual values, got {len(values)}")
    if not (np.all(np.isfinite(values)) and np.all(np.isfinite(years))):
        raise UniontrendsError("a projection needs finite values (missing years are left out)")
    if np.any(np.diff(years) <= 0):
        raise UniontrendsError(f"years must increase, got {list(years)}")


def choose_scale(values: np.ndarray, unit: str) -> str:
    """The scale a series is projected on (module doc): logit, log, sqrt or linear."""
    if unit == "share":
        return "logit"
    if np.all(values > 0):
        return "log"
    if np.all(values >= 0):
        return "sqrt"
    return "linear"


def _to_scale(values: np.ndarray, scale: str) -> np.ndarray:
    if scale == "logit":
        v = np.clip(values, SHARE_EPS, 1 - SHARE_EPS)
        return np.log(v / (1 - v))
    if scale == "log":
        return np.log(values)
    if scale == "sqrt":
        return np.sqrt(values)
    return values.astype(float)


def _from_scale(z: np.ndarray, scale: str) -> np.ndarray:
    if scale == "logit":
        return 1 / (1 + np.exp(-z))
    if scale == "log":
        return np.exp(z)
    if scale == "sqrt":
        return np.maximum(z, 0.0) ** 2
    return z


def _trend(x: np.ndarray, z: np.ndarray, ahead: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Centre and standard error of z_last + b h (anchored OLS trend), and its df."""
    n = len(z)
    xbar, sxx = x.mean(), float(np.sum((x - x.mean()) ** 2))
    b = float(np.sum((x - xbar) * (z - z.mean())) / sxx)
    resid = z - (z.mean() + b * (x - xbar))
    s2 = float(np.sum(resid**2)) / (n - 2)
    centre = z[-1] + b * ahead
    var = s2 * (2 + ahead**2 / sxx + 2 * ahead * (x[-1] - xbar) / sxx)
    return centre, np.sqrt(var), n - 2


def _random_walk(
    x: np.ndarray, z: np.ndarray, ahead: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Centre and standard error of z_last + d h (random walk with drift), and its df."""
    gaps, changes = np.diff(x), np.diff(z)
    span = float(x[-1] - x[0])
    d = float((z[-1] - z[0]) / span)
    df = len(changes) - 1
    tau2 = float(np.sum((changes - d * gaps) ** 2 / gaps)) / df
    return z[-1] + d * ahead, np.sqrt(tau2 * (ahead + ahead**2 / span)), df


def project(
    years: np.typing.ArrayLike,
    values: np.typing.ArrayLike,
    horizon: int = 5,
    alpha: float = 0.05,
    *,
    kind: str = "flow",
    unit: str = "",
    model: str | None = None,
    scale: str | None = None,
) -> Projection:
    """Project an annual series ``horizon`` years past its last year (rules in the module doc).

    Args:
        years: increasing years (int); gaps are allowed.
        values: the values, one per year, in the indicator's unit.
        horizon: years to project (the next five-year term by default).
        alpha: 1 - coverage of the prediction interval.
        kind: the catalog kind ("flow", "stock", "rate", "money"); stocks default to the
            random-walk model.
        unit: the catalog unit; "share" projects on the logit scale.
        model: "trend" or "random_walk" (default: by ``kind``).
        scale: "log", "logit", "sqrt" or "linear" (default: by ``unit`` and the values).

    Returns:
        A ``Projection`` whose frame covers the last year (observed) ... last year + horizon.
    """
    y = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    _check_series(y, v)
    if horizon < 1:
        raise ParameterError("horizon", horizon, "must be at least 1 year")
    model = model or ("random_walk" if kind in STOCK_KINDS else "trend")
    if model not in MODELS:
        raise ParameterError("model", model, f"must be one of {MODELS}")
    scale = scale or choose_scale(v, unit)
    if scale not in SCALES:
        raise ParameterError("scale", scale, f"must be one of {SCALES}")
    z = _to_scale(v, scale)
    ahead = np.arange(1, horizon + 1, dtype=float)
    fit = _random_walk if model == "random_walk" else _trend
    centre, se, df = fit(y, z, ahead)
    q = float(stats.t.ppf(1 - alpha / 2, df))
    notes = [Note.of("note.projection.illustrative", n=len(v))]
    exact = not np.all(np.isfinite(se)) or bool(np.any(se <= 1e-12 * (1 + np.abs(centre))))
    if exact:
        low = high = np.full(horizon, np.nan)
        notes.append(Note.of("note.projection.exact"))
    else:
        low, high = _from_scale(centre - q * se, scale), _from_scale(centre + q * se, scale)
    last_year = int(y[-1])
    frame = pd.DataFrame(
        {
            "year": np.arange(last_year, last_year + horizon + 1),
            "mean": np.concatenate([[v[-1]], _from_scale(centre, scale)]),
            "pi_low": np.concatenate([[v[-1]], low]),
            "pi_high": np.concatenate([[v[-1]], high]),
        }
    )
    forecast_horizon = max(1, (len(v) - 1) // 2)
    if horizon > forecast_horizon:
        notes.append(Note.of("note.projection.scenario", horizon=forecast_horizon, n=len(v)))
    return Projection(
        method=f"{model}_{scale}",
        frame=frame,
        alpha=alpha,
        n=len(v),
        notes=notes,
        model=model,
        scale=scale,
        forecast_horizon=forecast_horizon,
    )


def required_growth(current: float, target: float, years: float) -> float:
    """Constant annual growth rate that takes ``current`` to ``target`` in ``years``.

    Args:
        current: today's value (> 0).
        target: the target value (> 0), same unit.
        years: years available (> 0).

    Returns:
        (target / current) ** (1 / years) - 1, as a share per year (0.05 = 5 % a year).
    """
    if not current > 0:
        raise ParameterError("current", current, "must be > 0 to compute a growth rate")
    if not target > 0:
        raise ParameterError("target", target, "must be > 0 to compute a growth rate")
    if not years > 0:
        raise ParameterError("years", years, "must be > 0")
    return float((target / current) ** (1.0 / years) - 1.0)
