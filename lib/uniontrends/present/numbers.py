"""How numbers and units read for a reader: one formatter per language (``number_format``).

Chinese counts and money of ten thousand or more read in 万 and 亿 ("346万元", "12万人次"),
English ones with thousands separators ("3,460,000 yuan"); shares read as percentages; the
locale's digits, separators and compact forms come from babel (CLDR), not from this module.

What a reader is never shown: "nan" (a missing value is a dash, and the text that shows it
adds the footnote ``missing_note``), a share above 100 %, a negative count, or a bound as an
exact value: a lower bound reads "more than" / "超过" and is rounded down to the digits shown,
an upper bound is rounded up, so the printed bound stays true.

Rounding is by indicator, through its unit (``DECIMALS``): whole persons, cases and yuan; a
share to 0.1 %; a rate per 1,000 members to two decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from babel.numbers import format_compact_decimal, format_decimal

from uniontrends.data.model import UNITS
from uniontrends.messages import message, message_lang

MISSING = "–"
_LOCALES = {"en": "en", "zh": "zh_Hans_CN"}
# Digits after the point by unit (the catalog gives each indicator one unit).
DECIMALS = {
    "persons": 0,
    "person_times": 0,
    "cases": 0,
    "events": 0,
    "items": 0,
    "organisations": 0,
    "households": 0,
    "yuan": 0,
    "yuan_per_person_time": 0,
    "per_1000_members": 2,
    "share": 1,  # of the percentage
}
# Units that count something: a level in them is never negative.
COUNT_UNITS = frozenset(DECIMALS) - {"share", "per_1000_members", "yuan_per_person_time"}
_ROUNDING = {"at_least": ROUND_FLOOR, "at_most": ROUND_CEILING}
# Chinese large-number units: 亿 = 10^8, 万 = 10^4.
_ZH_MAGNITUDES = (10**8, 10**4)


def missing_note(lang: str = "en") -> str:
    """The footnote of a dash: the value is missing (never "nan")."""
    return message("number.missing_note", lang, mark=MISSING)


def is_missing(value: object) -> bool:
    """Whether a value is absent: None, NaN or not a number at all."""
    if value is None or isinstance(value, bool):
        return True
    try:
        return not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _quantize(value: float, decimals: int, qualifier: str) -> Decimal:
    """``value`` to ``decimals`` digits, a lower bound rounded down, an upper bound up."""
    step = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(step, _ROUNDING.get(qualifier, ROUND_HALF_EVEN))


@dataclass(frozen=True)
class NumberFormat:
    """The numbers of one language. Build it with ``number_format(lang)``.

    Attributes:
        lang: "en" or "zh".
    """

    lang: str

    @property
    def locale(self) -> str:
        """The babel locale of the language."""
        return _LOCALES[self.lang]

    def number(self, value: float | None, decimals: int = 0, qualifier: str = "exact") -> str:
        """A plain number with the locale's separators, e.g. 1,200 (a dash when missing).

        Args:
            value: the number.
            decimals: digits after the point (trailing zeros dropped).
            qualifier: "at_least" rounds down, "at_most" up, else to nearest.
        """
        if is_missing(value):
            return MISSING
        rounded = _quantize(float(value), decimals, qualifier)  # type: ignore[arg-type]
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_decimal(rounded, format=pattern, locale=self.locale)

    def large(self, value: float, decimals: int = 0, qualifier: str = "exact") -> str:
        """A number as a reader of the language writes it: in Chinese 万/亿 from 10,000 up
        with three significant digits ("346万", "10.4万"), else with separators."""
        if is_missing(value):
            return MISSING
        if self.lang != "zh" or abs(value) < _ZH_MAGNITUDES[-1]:
            return self.number(value, decimals, qualifier)
        magnitude = next(m for m in _ZH_MAGNITUDES if abs(value) >= m)
        scaled = abs(value) / magnitude
        digits = max(0, 3 - len(str(int(scaled))))
        rounded = float(_quantize(scaled, digits, qualifier)) * magnitude
        text = format_compact_decimal(rounded, locale=self.locale, fraction_digits=digits)
        return ("-" if value < 0 else "") + text

    def percent(self, share: float | None, decimals: int = 1, qualifier: str = "exact") -> str:
        """A share in [0, 1] as a percentage, e.g. 0.596 -> "59.6%".

        Raises:
            ValueError: the share lies outside [0, 1] (the data rules exclude it; printing it
                would show the impossible).
        """
        if is_missing(share):
            return MISSING
        if not -1e-9 <= float(share) <= 1 + 1e-9:  # type: ignore[arg-type]
            raise ValueError(f"a share must lie in [0, 1], got {share}")
        shown = min(max(float(share), 0.0), 1.0) * 100  # type: ignore[arg-type]
        return self.number(shown, decimals, qualifier) + "%"

    def change_percent(self, relative: float | None, decimals: int = 1) -> str:
        """A relative change as a signed percentage, e.g. -0.212 -> "−21.2%"."""
        if is_missing(relative):
            return MISSING
        return self._sign(float(relative)) + self.number(abs(relative) * 100, decimals) + "%"  # type: ignore[arg-type]

    def unit_name(self, unit: str) -> str:
        """The unit's name in the language ("person-times" / "人次"); unknown units as given."""
        return UNITS.get(unit, {}).get(self.lang, unit.replace("_", " "))

    def quantity(
        self, value: float | None, unit: str, qualifier: str = "exact", decimals: int | None = None
    ) -> str:
        """A level with its unit and bound: "more than 1,200 cases" / "超过1,200件",
        "346万元", "59.6%", "3.33 per 1,000 members" / "每千名会员3.33".

        Args:
            value: the level in base units (a share in [0, 1]); None or NaN gives a dash.
            unit: a key of ``model.UNITS``.
            qualifier: exact, at_least, at_most or approx (``model.QUALIFIERS``); any other
                (a value bounded in neither direction) reads as not determined.
            decimals: digits after the point; None rounds by the unit (``DECIMALS``).

        Raises:
            ValueError: a negative count or a share outside [0, 1].
        """
        if is_missing(value):
            return MISSING
        if qualifier not in ("exact", "at_least", "at_most", "approx"):
            return message("number.undetermined", self.lang)
        value = float(value)  # type: ignore[arg-type]
        if unit in COUNT_UNITS and value < 0:
            raise ValueError(f"a count cannot be negative, got {value} {unit}")
        digits = DECIMALS.get(unit, 2) if decimals is None else decimals
        if unit == "share":
            text = self.percent(value, digits, qualifier)
        elif unit in COUNT_UNITS:
            text = self._with_unit(self.large(value, digits, qualifier), unit)
        else:
            text = self._with_unit(self.number(value, digits, qualifier), unit)
        return message(f"number.{qualifier}", self.lang, value=text)

    def change(self, value: float | None, unit: str, decimals: int | None = None) -> str:
        """A signed change in a unit: "−28,035 persons" / "−2.8万人"; a share's change in
        percentage points."""
        if is_missing(value):
            return MISSING
        value = float(value)  # type: ignore[arg-type]
        digits = DECIMALS.get(unit, 2) if decimals is None else decimals
        if unit == "share":
            points = self.number(abs(value) * 100, digits)
            return self._sign(value) + message("number.points", self.lang, value=points)
        return self._sign(value) + self._with_unit(self.large(abs(value), digits), unit)

    def _with_unit(self, number: str, unit: str) -> str:
        name = self.unit_name(unit)
        if self.lang == "zh":
            # rate units ("每千名会员") read before the number, counted units after it
            return f"{name}{number}" if name.startswith("每") else f"{number}{name}"
        return f"{number} {name}"

    @staticmethod
    def _sign(value: float) -> str:
        return "+" if value > 0 else "−" if value < 0 else ""


def number_format(lang: object = "en") -> NumberFormat:
    """The formatter of a language ("zh", "zh-CN" read as Chinese; anything else English)."""
    return NumberFormat(message_lang(lang))
