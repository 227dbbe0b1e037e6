"""The wording of projections: what model projected, forecast or scenario, and whether a target
is reached."""

from __future__ import annotations

import math

from uniontrends.errors import ParameterError
from uniontrends.findings.wording import format_quantity
from uniontrends.stats.forecast import MODELS, SCALES, Projection

_MODEL_TEXT = {
    "en": {
        "trend": "a trend line plus independent noise",
        "random_walk": "a random walk with drift (for a stock or level)",
    },
    "zh": {"trend": "趋势线加独立误差", "random_walk": "带漂移的随机游走（存量指标）"},
}
_SCALE_TEXT = {
    "en": {
        "log": "on the log scale",
        "logit": "on the logit scale (stays within 0-100 %)",
        "sqrt": "on the square-root scale (stays >= 0)",
        "linear": "",
    },
    "zh": {"log": "（对数尺度）", "logit": "（logit尺度，保持在0-100%之内）",
           "sqrt": "（平方根尺度，不为负）", "linear": ""},
}  # fmt: skip
METHOD_TEXT = {
    f"{m}_{s}": " ".join(p for p in (_MODEL_TEXT["en"][m], _SCALE_TEXT["en"][s]) if p)
    for m in MODELS
    for s in SCALES
}
METHOD_TEXT_ZH = {f"{m}_{s}": _MODEL_TEXT["zh"][m] + _SCALE_TEXT["zh"][s] for m in MODELS
                  for s in SCALES}  # fmt: skip


def method_text(projection: Projection, lang: str = "en") -> str:
    """The projection's model in words, e.g. "a trend line plus independent noise on the log
    scale"."""
    table = METHOD_TEXT_ZH if lang == "zh" else METHOD_TEXT
    return table.get(projection.method, projection.method)


def horizon_text(projection: Projection, year: int, lang: str = "en") -> str:
    """ "a scenario ..." or "a forecast ..." for the projected ``year``."""
    h = projection.forecast_horizon
    if projection.is_scenario(year):
        if lang == "zh":
            return f"超出{h}年预测期，属情景外推（窗口趋势延续），不是预测"
        return (
            f"a scenario, not a forecast: beyond {h} year{'s' if h > 1 else ''} ahead of "
            f"{projection.n} points it only continues the window's trend"
        )
    return f"{h}年预测期内的预测" if lang == "zh" else f"a forecast within {h} years ahead"


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
    fq = {k: format_quantity(x, unit, lang) for k, x in (("t", target), ("m", mean))}
    has_interval = math.isfinite(low) and math.isfinite(high)
    inside = has_interval and low <= target <= high
    kind = horizon_text(projection, year, lang)
    if lang == "zh":
        verdict = "可达到" if reached else "达不到"
        band = ("在" if inside else "不在") + f"{pct}预测区间内" if has_interval else "无预测区间"
        return reached, (
            f"按{method_text(projection, 'zh')}外推，{year}年预计{fq['m']}，{verdict}目标"
            f"{fq['t']}；目标{band}（{kind}）。"
        )
    verdict = "reaches" if reached else "falls short of"
    band = (
        f"the target lies {'inside' if inside else 'outside'} the {pct} prediction interval"
        if has_interval
        else "there is no prediction interval"
    )
    return reached, (
        f"Projected by {method_text(projection)}, {year} is expected at {fq['m']}, which "
        f"{verdict} the target of {fq['t']}; {band} ({kind})."
    )
