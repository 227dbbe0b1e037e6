"""Intervals for rates and shares."""

from __future__ import annotations

from statsmodels.stats.proportion import proportion_confint

from uniontrends.errors import UniontrendsError


def wilson_interval(successes: float, trials: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of the share successes / trials (statsmodels)."""
    if not trials > 0:
        raise UniontrendsError(f"a share needs a positive denominator, got {trials}")
    if not 0 <= successes <= trials:
        raise UniontrendsError(f"a share needs 0 <= {successes} <= {trials}")
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(low), float(high)
