"""Count models: the yearly rate ratio of a count series from a quasi-Poisson GLM.

Method: a Poisson GLM of the count on the centred year (so the fit converges whatever the
calendar), with offset log(exposure) when an exposure exists (e.g. members / 1,000: a rate per
1,000 members). Five counts cannot estimate an over-dispersion model reliably (a negative
binomial's alpha by maximum likelihood on 3 residual degrees of freedom is about four times too
confident), so the variance is scaled instead: scale = Pearson chi2 / df, standard errors x
sqrt(scale), and the interval and p-value are read against Student's t with df = n - 2 residual
degrees of freedom. When the exposure is a stock (members), a rate per member also moves when
the members wander like a random walk; that wander's variance
(``trend_tests.walk_slope_variance`` of log exposure) is added to the slope's, with
Welch-Satterthwaite degrees of freedom.

Refused, with the reason (``CountModelRefused``), where no finite estimate exists or the model
does not describe the data: zeros before the first positive count (a launch inside the window),
zeros after the last (a stop), a zero among counts so large that Poisson noise cannot produce it
(P(0) < 0.001: a structural zero), values that are not whole non-negative counts, and a fit that
does not converge or gives non-finite numbers.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import stats

from uniontrends import notes
from uniontrends.errors import UniontrendsError
from uniontrends.notes import Note, NotedError, Number
from uniontrends.stats.trend_tests import as_arrays, walk_slope_variance, welch_df

# Units counted in whole numbers: a count model fits them.
COUNT_UNITS = ("cases", "events", "items", "person_times", "households", "persons")
# A zero is structural when Poisson noise around the other years' mean gives it less often.
STRUCTURAL_ZERO_P = 0.001


class CountModelRefused(NotedError):
    """The count model cannot be fitted honestly to this series; ``reason`` says why (a
    ``count_refusal.*`` message, worded in either language); the message is its English."""

    @property
    def reason(self) -> Note:
        return self.note


@dataclass(frozen=True)
class CountTrend:
    """Yearly rate ratio from a quasi-Poisson GLM (exp of the year coefficient) with its CI.

    dispersion is Pearson chi2 / df and scales the variance; df is the degrees of freedom of
    the t reference (n - 2, or Welch-Satterthwaite when the exposure's wander is added).
    """

    model: str
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    dispersion: float
    df: float
    exposure: str | None
    rule: str
    exposure_wander: bool = False  # the exposure's random-walk wander is in the variance

    def rule_note(self) -> Note:
        """``rule`` as a note, worded in either language."""
        key = "note.count_rule.wander" if self.exposure_wander else "note.count_rule"
        df = Number(self.df, 1) if self.df != int(self.df) else int(self.df)
        return Note.of(key, dispersion=Number(self.dispersion, 2, fixed=True), df=df)


def refusal_reason(years: np.ndarray, counts: np.ndarray) -> Note | None:
    """Why a count model would mislead on this series (launch, stop, structural zero), or None.

    Returns:
        A ``count_refusal.launch``, ``.stop`` or ``.structural_zero`` note, or None.
    """
    zero = counts == 0
    if not zero.any():
        return None
    positive = np.flatnonzero(~zero)
    first, last = int(positive[0]), int(positive[-1])
    if first > 0:
        return Note.of("count_refusal.launch", before=int(years[first - 1]),
                       first=int(years[first]))  # fmt: skip
    if last < len(counts) - 1:
        return Note.of("count_refusal.stop", last=int(years[last]))
    mean = float(counts[~zero].mean())
    if math.exp(-mean) < STRUCTURAL_ZERO_P:
        return Note.of(
            "count_refusal.structural_zero", years=notes.years_field(years[zero]),
            mean=Number(mean, 0), probability=f"{math.exp(-mean):.1e}",
        )  # fmt: skip
    return None


def count_trend(
    years: Any,
    counts: Any,
    exposure: Any = None,
    alpha: float = 0.05,
    exposure_name: str | None = None,
    exposure_walks: bool = False,
) -> CountTrend:
    """Quasi-Poisson GLM of the counts on the centred year (see the module doc).

    Args:
        years: years (int), at least 3, distinct.
        counts: non-negative whole counts, one per year.
        exposure: optional exposure per year (e.g. members / 1,000); offset log(exposure).
        alpha: 1 - confidence level.
        exposure_name: the exposure's indicator id, recorded in the result.
        exposure_walks: the exposure is a stock: add its random-walk wander to the variance.

    Returns:
        The yearly rate ratio exp(beta_year) with a (1 - alpha) t(n - 2) interval and p-value.

    Raises:
        CountModelRefused: the series has a launch, a stop or a structural zero, or the fit
            fails (the message says which).
        UniontrendsError: counts that are not whole and non-negative, all zero, or an exposure
            that is not positive.
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
    order = np.argsort(x, kind="stable")
    reason = refusal_reason(x[order], y[order])
    if reason:
        raise CountModelRefused(reason)
    X = sm.add_constant(x - x.mean())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit()
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise CountModelRefused(Note.of("count_refusal.fit_failed", error=str(exc))) from exc
    resid_df = int(res.df_resid)
    beta, se = float(res.params[1]), float(res.bse[1])
    if not (math.isfinite(beta) and math.isfinite(se) and se > 0) or not res.converged:
        raise CountModelRefused(Note.of("count_refusal.no_convergence"))
    dispersion = float(res.pearson_chi2 / resid_df)
    var = se**2 * dispersion
    df: float = resid_df
    rule = f"quasi-Poisson, Pearson chi2/df = {dispersion:.2f}"
    wander = exposure_walks and offset is not None
    if wander:
        walk, walk_df = walk_slope_variance(x, offset)
        df = welch_df(var, resid_df, walk, walk_df)
        var += walk
        rule += ", plus the exposure's random-walk wander"
    if not var > 0:
        raise CountModelRefused(Note.of("count_refusal.exact_fit"))
    se = math.sqrt(var)
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(beta) / se, df))
    rule += f", t({df:.1f}) reference" if df != int(df) else f", t({int(df)}) reference"
    return CountTrend(
        model="quasi_poisson",
        rate_ratio=math.exp(beta),
        ci_low=math.exp(beta - q * se),
        ci_high=math.exp(beta + q * se),
        p_value=p,
        dispersion=dispersion,
        df=df,
        exposure=exposure_name,
        rule=rule,
        exposure_wander=wander,
    )
