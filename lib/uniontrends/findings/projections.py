"""The wording of projections: what model projected, forecast or scenario, and whether a target
is reached."""

from __future__ import annotations

import math

from uniontrends.errors import ParameterError
from uniontrends.messages import message
from uniontrends.numbers import estimate_decimals, number_format
from uniontrends.stats.forecast import MODELS, SCALES, Projection


def method_text(projection: Projection, lang: str = "en") -> str:
    """The projection's model in words, e.g. "a trend line plus independent noise on the log
    scale" (``messages.yaml``: ``projection.*``); an unknown method as its code."""
    model, _, scale = projection.method.rpartition("_")
    if model not in MODELS or scale not in SCALES:
        return projection.method
    # a linear scale needs no words
    scale_words = "" if scale == "linear" else message(f"projection.scale.{scale}", lang)
    return message(
        "projection.method", lang, model=message(f"projection.model.{model}", lang),
        scale=scale_words,
    )  # fmt: skip


def _decimals(value: float, unit: str) -> int | None:
    """A projection's digits: the unit's (``numbers.DECIMALS``) unless it has none."""
    return None if unit else estimate_decimals(value)


def _years(n: int, lang: str) -> str:
    return message("period.years.one" if n == 1 else "period.years.other", lang, n=n)


def horizon_text(projection: Projection, year: int, lang: str = "en") -> str:
    """ "a scenario ..." or "a forecast ..." for the projected ``year``."""
    h = projection.forecast_horizon
    if projection.is_scenario(year):
        return message("projection.scenario", lang, years=_years(h, lang), n=projection.n)
    return message("projection.forecast", lang, years=_years(h, lang))


def reaches_target(
    projection: Projection, target: float, unit: str = "", lang: str = "en"
) -> tuple[bool, str]:
    """Whether the projected median in the last projected year reaches ``target``.

    Returns:
        (reached, statement); the statement also says whether the prediction interval
        includes the target, i.e. whether missing or reaching it is also plausible, and whether
        the year is a scenario rather than a forecast.
    """
    if not math.isfinite(target):
        raise ParameterError("target", target, "must be a finite number")
    row = projection.final
    year, mean, low, high = int(row["year"]), row["mean"], row["pi_low"], row["pi_high"]
    reached = bool(mean >= target)
    pct = f"{int(round((1 - projection.alpha) * 100))}%"
    has_interval = math.isfinite(low) and math.isfinite(high)
    inside = has_interval and low <= target <= high
    band = ("inside" if inside else "outside") if has_interval else "no_interval"
    return reached, message(
        "projection.target", lang, method=method_text(projection, lang), year=year,
        expected=number_format(lang).quantity(mean, unit, decimals=_decimals(mean, unit)),
        target=number_format(lang).quantity(target, unit, decimals=_decimals(target, unit)),
        verdict=message("projection.target." + ("reaches" if reached else "falls_short"), lang),
        band=message(f"projection.target.{band}", lang, pct=pct),
        kind=horizon_text(projection, year, lang),
    )  # fmt: skip
