"""Count models: the yearly rate ratio of a count series from a Poisson or NB2 GLM.

Rules in ``stats.evidence`` (the count-model paragraph).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm

from uniontrends.errors import UniontrendsError
from uniontrends.stats.trend_tests import as_arrays

DISPERSION_THRESHOLD = 1.5
# Units counted in whole numbers: a count model fits them.
COUNT_UNITS = ("cases", "events", "items", "person_times", "households", "persons")


@dataclass(frozen=True)
class CountTrend:
    """Yearly rate ratio from a count GLM (exp of the year coefficient) with its CI."""

    model: str
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    dispersion: float
    nb_alpha: float | None
    exposure: str | None
    rule: str


def count_trend(
    years: Any,
    counts: Any,
    exposure: Any = None,
    alpha: float = 0.05,
    exposure_name: str | None = None,
) -> CountTrend:
    """Count GLM on year: Poisson, or negative binomial when overdispersed (see module rules).

    Args:
        years: years (int).
        counts: non-negative whole counts, one per year.
        exposure: optional exposure per year (e.g. members / 1,000); offset log(exposure).

    Returns:
        The yearly rate ratio exp(beta_year) with a (1 - alpha) Wald CI and p-value.
    """
    x, y = as_arrays(years, counts)
    if np.any(y < 0) or not np.allclose(y, np.round(y)):
        raise UniontrendsError("a count model needs non-negative whole numbers")
    if not np.any(y > 0):
        raise UniontrendsError("a count model needs at least one non-zero count (all are zero)")
    offset = None
    if exposure is not None:
        e = np.asarray(exposure, dtype=float)
        if e.shape != y.shape or not np.all(e > 0):
            raise UniontrendsError("exposure must be positive for every year (zero exposure)")
        offset = np.log(e)
    X = sm.add_constant(x - x[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = float(pois.pearson_chi2 / pois.df_resid)
    rule = f"Pearson chi2/df = {dispersion:.2f}"
    model, res, nb_alpha = "poisson", pois, None
    if dispersion > DISPERSION_THRESHOLD:
        rule += f" > {DISPERSION_THRESHOLD}: overdispersed"
        nb = _fit_nb(y, X, offset)
        if nb is not None:
            model, res, nb_alpha = "negative_binomial", nb, float(nb.params[-1])
            rule += ", negative binomial (NB2, alpha by ML)"
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
            model = "quasi_poisson"
            rule += "; NB2 did not converge, quasi-Poisson (scale = chi2/df)"
    else:
        rule += f" <= {DISPERSION_THRESHOLD}: Poisson"
    ci = np.asarray(res.conf_int(alpha))[1]
    return CountTrend(
        model=model,
        rate_ratio=float(np.exp(res.params[1])),
        ci_low=float(np.exp(ci[0])),
        ci_high=float(np.exp(ci[1])),
        p_value=float(res.pvalues[1]),
        dispersion=dispersion,
        nb_alpha=nb_alpha,
        exposure=exposure_name,
        rule=rule,
    )


def _fit_nb(y: np.ndarray, X: np.ndarray, offset: np.ndarray | None) -> Any:
    """NB2 by maximum likelihood, or None when it fails or does not converge."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.NegativeBinomial(y, X, offset=offset).fit(disp=0, maxiter=200)
    except (np.linalg.LinAlgError, ValueError):
        return None
    ok = res.mle_retvals.get("converged", False)
    if not ok or not np.all(np.isfinite(res.bse)) or not np.all(np.isfinite(res.params)):
        return None
    return res
