"""Intervals for rates and shares: sampling intervals only where there is a sample.

- A share measured on a survey sample (an annual row with ``sample_size``, optionally a
  ``design_effect`` >= 1) gets a Wilson score interval on the effective sample size
  n / design effect.
- A share that is a ratio of complete counts (a census: members / employees) has no sampling
  error; it gets no interval, and findings say so.
- A rate per 1,000 members carries the numerator's Poisson uncertainty: the exact (Garwood)
  interval of the count, divided by the exposure.
"""

from __future__ import annotations

import math

from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from uniontrends.errors import UniontrendsError


def wilson_interval(successes: float, trials: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of the share successes / trials (statsmodels)."""
    if not trials > 0:
        raise UniontrendsError(f"a share needs a positive denominator, got {trials}")
    if not 0 <= successes <= trials:
        raise UniontrendsError(f"a share needs 0 <= {successes} <= {trials}")
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(low), float(high)


def survey_share_interval(
    share: float, sample_size: float, design_effect: float | None = None, alpha: float = 0.05
) -> tuple[float, float, float]:
    """Wilson interval of a share measured on a survey sample.

    Args:
        share: the estimate in [0, 1].
        sample_size: respondents (> 0).
        design_effect: the survey's design effect (>= 1; None or NaN = 1).
        alpha: 1 - confidence level.

    Returns:
        (low, high, effective sample size = sample_size / design_effect).
    """
    deff = 1.0 if design_effect is None or not math.isfinite(design_effect) else design_effect
    if not deff >= 1:
        raise UniontrendsError(f"a design effect is at least 1, got {design_effect}")
    if not sample_size > 0:
        raise UniontrendsError(f"a sample size is positive, got {sample_size}")
    if not 0 <= share <= 1:
        raise UniontrendsError(f"a share lies in [0, 1], got {share}")
    n_eff = sample_size / deff
    low, high = wilson_interval(share * n_eff, n_eff, alpha)
    return low, high, n_eff


def poisson_rate_interval(
    count: float, exposure: float, alpha: float = 0.05
) -> tuple[float, float]:
    """Exact (Garwood) interval of count / exposure for a Poisson count (statsmodels).

    Args:
        count: a whole non-negative count.
        exposure: the exposure in the rate's denominator unit (e.g. thousands of members, > 0).
        alpha: 1 - confidence level.
    """
    if not exposure > 0:
        raise UniontrendsError(f"a rate needs a positive exposure, got {exposure}")
    if count < 0 or count != round(count):
        raise UniontrendsError(f"a Poisson count is a whole number >= 0, got {count}")
    low, high = confint_poisson(count, exposure, method="exact-c", alpha=alpha)
    return float(low), float(high)
