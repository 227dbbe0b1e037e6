"""The wording of numbers: thousands separators, units and bounds, in each language.

Thousands separators in both languages; shares as percentages; units in the chosen language
from ``model.UNITS`` (Chinese: 件, 人次, 元, ...). Lower bounds read "at least" / "超过", never as
exact values; statements built on synthetic inputs start with "Illustrative (synthetic) data" /
"示例（合成）数据".
"""

from __future__ import annotations

from collections.abc import Mapping

from uniontrends.data.model import LANGS, UNITS
from uniontrends.messages import message
from uniontrends.numbers import unit_name

SYNTHETIC_LABEL = {"en": "Illustrative (synthetic) data: ", "zh": "示例（合成）数据："}
_QUALIFIER_WORDS = {
    "en": {"exact": "", "at_least": "at least ", "at_most": "at most ", "approx": "about "},
    "zh": {"exact": "", "at_least": "超过", "at_most": "不超过", "approx": "约"},
}


def format_number(value: float, decimals: int | None = None) -> str:
    """Format a number with thousands separators; integers without decimals.

    Args:
        value: the number.
        decimals: digits after the point; None picks 0 for whole numbers, else 2 (1 for >= 100).
    """
    if decimals is None:
        if float(value).is_integer():
            decimals = 0
        else:
            decimals = 1 if abs(value) >= 100 else 2
    return f"{value:,.{decimals}f}"


def format_quantity(
    value: float, unit: str, lang: str = "en", qualifier: str = "exact", decimals: int | None = None
) -> str:
    """A number with unit and qualifier in ``lang``: "at least 1,200 cases" / "超过1,200件".

    Args:
        value: the number in base units (a share in [0, 1] is shown as a percentage).
        unit: a key of ``model.UNITS`` (other strings are shown as they are).
        lang: "en" or "zh".
        qualifier: one of ``model.QUALIFIERS``.
        decimals: digits after the point (see ``format_number``).
    """
    words = _QUALIFIER_WORDS[lang].get(qualifier, "")
    if unit == "share":
        number = f"{format_number(value * 100, 1 if decimals is None else decimals)}%"
        return f"{words}{number}"
    number = format_number(value, decimals)
    name = unit_name(unit, lang) if unit in UNITS else unit
    if lang == "zh":
        # Chinese rate units ("每千名会员") read before the number, counted units after it.
        return f"{words}{name}{number}" if name.startswith("每") else f"{words}{number}{name}"
    return f"{words}{number} {name}"


def format_percent(share: float, decimals: int = 1, signed: bool = False) -> str:
    """A share in [0, 1] (or a relative change) as a percentage string, e.g. 0.123 -> "12.3%"."""
    sign = "+" if signed and share > 0 else ""
    return f"{sign}{share * 100:,.{decimals}f}%"


def with_synthetic_label(text: str, synthetic: bool, lang: str) -> str:
    """Prefix the statement with the synthetic-data label when its inputs are synthetic."""
    return f"{SYNTHETIC_LABEL[lang]}{text}" if synthetic else text


def both(key: str, **fields: object) -> tuple[str, str]:
    """The message ``key`` in English and in Chinese (``messages.yaml``).

    Args:
        key: the message's key.
        fields: its format fields; a field that reads differently in each language (a number
            with its unit, a name) is given as a mapping {lang: text} or as a function of
            the language.

    Returns:
        (English, Chinese).
    """
    en, zh = (message(key, lang, **{k: _in(v, lang) for k, v in fields.items()}) for lang in LANGS)
    return en, zh


def _in(value: object, lang: str) -> object:
    if isinstance(value, Mapping):
        return value[lang]
    return value(lang) if callable(value) else value
