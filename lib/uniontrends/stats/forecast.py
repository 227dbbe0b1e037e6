"""Projections to the next term with prediction intervals, and the growth needed for a target.

Method: an ETS model with additive error and additive (optionally damped) trend, fitted by
maximum likelihood (statsmodels ``ETSModel``), 95 % prediction intervals from
``get_prediction(...).summary_frame``. Five annual points barely identify the four ETS
parameters, so the fit is checked: if it fails, does not converge, gives non-finite or
zero-width intervals, or an interval at the last horizon narrower than the OLS linear-trend
prediction interval (ML has then absorbed the noise into its parameters: an overfit that a
fixed straight line cannot beat in honesty), the projection falls back to an OLS linear trend
and its prediction interval (``obs_ci_lower``/``obs_ci_upper``); ``Projection.method`` says
which was used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from uniontrends.errors import ParameterError, UniontrendsError


@dataclass
class Projection:
    """A projection: ``frame`` has year, mean, pi_low, pi_high (in the series' unit)."""

    method: str
    frame: pd.DataFrame
    alpha: float
    n: int
    notes: list[str] = field(default_factory=list)

    @property
    def final(self) -> pd.Series:
        """The row of the last projected year."""
        return self.frame.iloc[-1]


def _check_series(years: np.ndarray, values: np.ndarray) -> None:
    if len(years) != len(values):
        raise UniontrendsError("years and values differ in length")
    if len(values) < 3:
        raise UniontrendsError(f"a projection needs at least 3 annual values, got {len(values)}")
    if not np.all(np.isfinite(values)):
        raise UniontrendsError("a projection needs finite values (no missing years)")
    if np.any(np.diff(years) != 1):
        raise UniontrendsError(f"years must be consecutive, got {list(years)}")


def _ets(
    years: np.ndarray, values: np.ndarray, horizon: int, alpha: float, damped: bool
) -> pd.DataFrame | None:
    """ETS forecast frame, or None when the fit fails or is degenerate."""
    endog = pd.Series(
        values, index=pd.period_range(str(int(years[0])), periods=len(values), freq="Y")
    )
    try:
        with warnings.catch_warnings():
            # n = 5 triggers convergence and bound warnings; convergence is checked below.
            warnings.simplefilter("ignore")
            res = ETSModel(endog, error="add", trend="add", damped_trend=damped).fit(disp=False)
            pred = res.get_prediction(start=len(values), end=len(values) + horizon - 1)
            sf = pred.summary_frame(alpha=alpha)
    except (ValueError, np.linalg.LinAlgError, RuntimeError, AttributeError):
        return None
    converged = bool(getattr(res, "mle_retvals", {}) and res.mle_retvals.get("converged", True))
    frame = pd.DataFrame(
        {"mean": sf["mean"].to_numpy(), "pi_low": sf["pi_lower"], "pi_high": sf["pi_upper"]}
    ).reset_index(drop=True)
    arr = frame.to_numpy(dtype=float)
    width = frame["pi_high"] - frame["pi_low"]
    if not converged or not np.all(np.isfinite(arr)) or bool((width <= 1e-9).any()):
        return None
    return frame


def _ols(years: np.ndarray, values: np.ndarray, horizon: int, alpha: float) -> pd.DataFrame:
    x = years - years[0]
    res = sm.OLS(values, sm.add_constant(x)).fit()
    future = np.arange(x[-1] + 1, x[-1] + 1 + horizon, dtype=float)
    sf = res.get_prediction(sm.add_constant(future, has_constant="add")).summary_frame(alpha=alpha)
    return pd.DataFrame(
        {"mean": sf["mean"], "pi_low": sf["obs_ci_lower"], "pi_high": sf["obs_ci_upper"]}
    ).reset_index(drop=True)


def _width(frame: pd.DataFrame) -> float:
    return float(frame["pi_high"].iloc[-1] - frame["pi_low"].iloc[-1])


def project(
    years: np.typing.ArrayLike,
    values: np.typing.ArrayLike,
    horizon: int = 5,
    alpha: float = 0.05,
    damped: bool = False,
    method: str = "auto",
) -> Projection:
    """Project an annual series ``horizon`` years past its last year.

    Args:
        years: consecutive years (int).
        values: the values, one per year, in the indicator's unit.
        horizon: years to project (the next five-year term by default).
        alpha: 1 - coverage of the prediction interval.
        damped: use a damped additive trend in ETS.
        method: "auto" (ETS, OLS fallback) or "ols" (OLS linear trend only).

    Returns:
        A ``Projection`` whose frame covers last year + 1 ... last year + horizon.
    """
    y = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    _check_series(y, v)
    if horizon < 1:
        raise ParameterError("horizon", horizon, "must be at least 1 year")
    if method not in ("auto", "ols"):
        raise ParameterError("method", method, "must be 'auto' or 'ols'")
    notes = [f"n = {len(v)} annual values: the interval is wide and the projection illustrative."]
    frame = None
    used = "ols_linear_trend"
    ols = _ols(y, v, horizon, alpha)
    if method == "auto":
        frame = _ets(y, v, horizon, alpha, damped)
        if frame is None:
            notes.append("ETS fit failed or was degenerate; fell back to an OLS linear trend.")
        elif _width(frame) < _width(ols):
            notes.append(
                "ETS interval narrower than the OLS trend interval (an overfit with so few "
                "points); fell back to an OLS linear trend."
            )
            frame = None
        else:
            used = "ets_damped_trend" if damped else "ets_additive_trend"
    if frame is None:
        frame = ols
    frame.insert(0, "year", np.arange(int(y[-1]) + 1, int(y[-1]) + 1 + horizon))
    return Projection(method=used, frame=frame, alpha=alpha, n=len(v), notes=notes)


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
