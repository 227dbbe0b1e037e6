"""Two texts per finding: a plain sentence for readers, and the technical note.

The plain sentence is built from the finding's structured fields (indicator, statistic,
direction, evidence, value, unit, qualifier, period, synthetic) and the indicator's levels at
the window's ends, worded through the message catalog (``messages.yaml``, keys ``plain.*``)
with numbers from ``uniontrends.numbers``: no model names, test statistics or p-values. The
technical note is the finding's own statement (``Finding.statement``), where the jargon lives.

Fields a finding may lack (an older findings.json, a statistic added later) are read with a
default, so a new kind of finding reads as its value and period (``plain.other``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from uniontrends.findings.record import Finding
from uniontrends.messages import message, message_lang
from uniontrends.numbers import NumberFormat, is_missing, number_format

_TRENDS = ("trend", "count_trend")
_LEVELS = ("share_end", "per_1000_members", "level")


@dataclass(frozen=True)
class Levels:
    """An indicator's values at the first and last year of the window that have one.

    Attributes:
        start_year, end_year: the years.
        start, end: the values in the indicator's unit (a share in [0, 1]).
        qualifier: the last value's qualifier (exact, at_least, ...).
    """

    start_year: int
    start: float
    end_year: int
    end: float
    qualifier: str = "exact"

    @property
    def relative_change(self) -> float | None:
        """(end - start) / start; None when the start is zero or missing."""
        if is_missing(self.start) or is_missing(self.end) or self.start == 0:
            return None
        return (self.end - self.start) / abs(self.start)


def _field(f: Finding, name: str, default: object = None) -> object:
    return getattr(f, name, default)


def plain_sentence(
    f: Finding, lang: str, name: str, levels: Levels | None = None, synthetic_label: bool = True
) -> str:
    """The finding as one plain sentence for readers, in ``lang``.

    The sentence is plain text: it holds the indicator's name from the data package, so the
    caller escapes it for Markdown or HTML (``safe``).

    Args:
        f: the finding.
        lang: "en" or "zh".
        name: the indicator's name in ``lang``.
        levels: the indicator's levels at the window's ends (for a change over the term).
        synthetic_label: start with "Illustrative (synthetic) data:" when the finding rests on
            synthetic data (False where the text around says so once for all).

    Returns:
        The sentence.
    """
    lang = message_lang(lang)
    fmt = number_format(lang)
    try:
        text = _sentence(f, lang, name, levels, fmt)
    except ValueError:  # a share above 100 % or a negative count: never printed
        period = message("plain.period", lang, start=f.period_start, end=f.period_end)
        text = message("plain.impossible", lang, name=name, period=period)
    if synthetic_label and _field(f, "synthetic", False):
        text = message("plain.synthetic", lang) + text
    return text


def _sentence(f: Finding, lang: str, name: str, levels: Levels | None, fmt: NumberFormat) -> str:
    statistic = str(_field(f, "statistic", ""))
    start, end = _field(f, "period_start"), _field(f, "period_end")
    period = message("plain.period", lang, start=start, end=end)
    qualifier = str(_field(f, "qualifier", "exact") or "exact")
    unit = str(_field(f, "unit", ""))
    value = _field(f, "value")
    fields = {"name": name, "period": period, "start": start, "end": end}
    if qualifier not in ("exact", "at_least", "at_most", "approx") and not statistic.startswith(
        "reported"
    ):
        return message("plain.undetermined", lang, **fields)
    if statistic in _TRENDS:
        return _trend(f, lang, fields, fmt)
    if statistic == "level_change":
        if levels is not None and not is_missing(levels.end):
            return message(
                "plain.level_change", lang, **fields | {"start": levels.start_year,
                                                        "end": levels.end_year},
                level=fmt.quantity(levels.end, unit, levels.qualifier),
                change=fmt.change(value, unit),  # type: ignore[arg-type]
                percent=fmt.change_percent(levels.relative_change),
            )  # fmt: skip
        return message("plain.change_only", lang, **fields, change=fmt.change(value, unit))  # type: ignore[arg-type]
    if statistic.startswith("projection_"):
        year = statistic.removeprefix("projection_")
        fields["end"] = int(year) if year.isdigit() else end
        return message("plain.projection", lang, **fields, value=fmt.quantity(value, unit))  # type: ignore[arg-type]
    if statistic == "term_over_term":
        return message("plain.term_over_term", lang, **fields,
                       percent=fmt.change_percent(value))  # type: ignore[arg-type]  # fmt: skip
    if statistic == "coverage":
        return message("plain.coverage", lang, **fields, value=fmt.quantity(value, "share"))  # type: ignore[arg-type]
    shown = fmt.quantity(value, unit, qualifier)  # type: ignore[arg-type]
    if statistic in ("total", "reported_total", "reported_level", "reconciliation"):
        return message(f"plain.{statistic}", lang, **fields, value=shown)
    key = "plain.level" if statistic in _LEVELS else "plain.other"
    return message(key, lang, **fields, value=shown)


def _trend(f: Finding, lang: str, fields: dict, fmt: NumberFormat) -> str:
    evidence = str(_field(f, "evidence", "inconclusive"))
    direction = str(_field(f, "direction", "none"))
    if evidence == "inconclusive":
        return message("plain.trend.inconclusive", lang, **fields)
    if direction not in ("up", "down"):
        return message("plain.trend.flat", lang, **fields)
    went = message(f"plain.went.{direction}", lang)
    effect = _field(f, "effect")
    rate = ""
    if not is_missing(effect) and math.isfinite(float(effect)):  # type: ignore[arg-type]
        shown = fmt.number(abs(float(effect)) * 100, 1) + "%"  # type: ignore[arg-type]
        rate = message(f"plain.rate.{direction}", lang, rate=shown)
    key = evidence if evidence in ("clear", "suggestive") else "descriptive"
    return message(f"plain.trend.{key}", lang, **fields, went=went, rate=rate)


def technical_note(f: Finding, lang: str) -> str:
    """The finding's technical statement (models, intervals, tests) in ``lang``; plain text
    that may hold names from the data package (the caller escapes it)."""
    return f.statement(message_lang(lang))
