"""The wording of projections: method names and whether a target is reached."""

from __future__ import annotations

import math

from uniontrends.errors import ParameterError
from uniontrends.findings.wording import format_quantity
from uniontrends.stats.forecast import Projection

METHOD_TEXT = {
    "ets_additive_trend": "ETS with additive trend",
    "ets_damped_trend": "ETS with damped additive trend",
    "ols_linear_trend": "OLS linear trend",
}


METHOD_TEXT_ZH = {
    "ets_additive_trend": "ETS加法趋势模型",
    "ets_damped_trend": "ETS阻尼趋势模型",
    "ols_linear_trend": "OLS线性趋势",
}


def reaches_target(
    projection: Projection, target: float, unit: str = "", lang: str = "en"
) -> tuple[bool, str]:
    """Whether the projected mean in the last projected year reaches ``target``, with a statement.

    Returns:
        (reached, statement); the statement also says whether the prediction interval
        includes the target, i.e. whether missing or reaching it is also plausible.
    """
    if not math.isfinite(target):
        raise ParameterError("target", target, "must be a finite number")
    row = projection.final
    year, mean, low, high = int(row["year"]), row["mean"], row["pi_low"], row["pi_high"]
    reached = bool(mean >= target)
    pct = f"{int(round((1 - projection.alpha) * 100))}%"
    fq = {k: format_quantity(x, unit, lang) for k, x in (("t", target), ("m", mean))}
    inside = low <= target <= high
    if lang == "zh":
        verdict = "可达到" if reached else "达不到"
        band = "在" if inside else "不在"
        return reached, (
            f"按{METHOD_TEXT_ZH[projection.method]}外推，{year}年预计{fq['m']}，{verdict}目标"
            f"{fq['t']}；目标{band}{pct}预测区间内。"
        )
    verdict = "reaches" if reached else "falls short of"
    band = "inside" if inside else "outside"
    return reached, (
        f"Projected by {METHOD_TEXT[projection.method]}, {year} is expected at {fq['m']}, which "
        f"{verdict} the target of {fq['t']}; the target lies {band} the {pct} prediction interval."
    )
