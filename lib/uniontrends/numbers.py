"""How numbers and units read: one formatter per language (``number_format``), for every layer.

Findings' statements, statistics tables, the report and chart tick labels all format through
it. Chinese counts and money of ten thousand or more read in 万 and 亿 ("346万元", "12万人次"),
English ones with thousands separators ("3,460,000 yuan"); shares read as percentages; the
locale's digits, separators and large-number units come from babel (CLDR), the words around
a number (bounds, units, "percentage points") from the message catalog (``messages.yaml``,
keys ``number.*`` and ``unit.*``).

What a reader is never shown: "nan" (a missing value is a dash, and the text that shows it
adds the footnote ``missing_note``), a share above 100 %, a negative count, or a bound as an
exact value. A value as published with a lower bound ("1200余件") reads "more than" / "超过"
and is rounded down to the digits shown, an upper bound "at most" / "不超过" rounded up, so
the printed bound stays true; a statistic derived through bounds (a change between two lower
bounds) reads "at least" / "至少" (``bounded``).

Rounding is by indicator, through its unit (``DECIMALS``): whole persons, cases and yuan; a
share to 0.1 %; a rate per 1,000 members to two decimals. Estimates (slopes, means) may ask for
more digits.

This module imports only the message catalog: any layer may use it. The babel locale and
number patterns are built once per language and pattern (a notebook formats thousands of
numbers).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

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
QUALIFIERS = ("exact", "at_least", "at_most", "approx")
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


def estimate_decimals(value: float) -> int:
    """Digits an estimate (a mean, a slope, an interval's end) is shown with: none for a whole
    number, one from 100 up, else two."""
    if is_missing(value) or float(value).is_integer():
        return 0
    return 1 if abs(value) >= 100 else 2


def unit_name(unit: str, lang: object = "en") -> str:
    """A unit's name in the language ("person-times" / "人次"); an unknown unit as given, its
    underscores read as spaces."""
    try:
        return message(f"unit.{unit}", lang)
    except KeyError:
        return unit.replace("_", " ")


def unit_text(unit: str, lang: object = "en") -> str:
    """A table's unit cell in the language: "cases" -> "件", "cases per year" -> "件/年",
    "person_times per year" -> "person-times per year"; an empty cell stays empty."""
    if not isinstance(unit, str) or not unit:
        return unit
    per_year = unit.endswith(" per year")
    name = unit_name(unit.removesuffix(" per year"), lang)
    return message("unit.per_year", lang, unit=name) if per_year else name


def _quantize(value: float, decimals: int, qualifier: str) -> Decimal:
    """``value`` to ``decimals`` digits, a lower bound rounded down, an upper bound up."""
    step = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(step, _ROUNDING.get(qualifier, ROUND_HALF_EVEN))


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES[lang])


@functools.cache
def _pattern(decimals: int, fixed: bool, grouping: bool = True) -> NumberPattern:
    """The CLDR pattern of a number with ``decimals`` digits (fixed: trailing zeros kept)."""
    whole = "#,##0" if grouping else "0"
    return parse_pattern(whole + ("." + ("0" if fixed else "#") * decimals if decimals else ""))


@functools.cache
def _large_unit(lang: str, magnitude: int) -> str:
    """The locale's word for a power of ten ("万", "亿"), from its compact number formats."""
    pattern = _locale(lang).compact_decimal_formats["short"]["other"][str(magnitude)]
    return str(pattern.pattern).replace("0", "")


@functools.lru_cache(maxsize=8192)
def _formatted(lang: str, value: float, decimals: int, qualifier: str, fixed: bool) -> str:
    # A statement is worded again when its family regrades it, with the same numbers: each
    # number is formatted by babel once.
    if not math.isfinite(value):  # an unbounded interval end
        return "∞" if value > 0 else "−∞"
    with localcontext() as context:
        # enough digits for any finite float: 3e28 cases (the interval end of a model that
        # barely fits) has 29 digits, one more than the default context holds
        context.prec = max(context.prec, int(math.log10(abs(value) or 1)) + decimals + 3)
        rounded = _quantize(value, decimals, qualifier)
        return _pattern(decimals, fixed).apply(rounded, _locale(lang))


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

    def number(
        self, value: float | None, decimals: int = 0, qualifier: str = "exact", fixed: bool = False
    ) -> str:
        """A plain number with the locale's separators, e.g. 1,200 (a dash when missing).

        Args:
            value: the number.
            decimals: digits after the point.
            qualifier: "at_least" rounds down, "at_most" up, else to nearest.
            fixed: keep trailing zeros ("0.030", a p-value); else they are dropped ("12.5").
        """
        if is_missing(value):
            return MISSING
        return _formatted(self.lang, float(value), decimals, qualifier, fixed)  # type: ignore[arg-type]

    def value(
        self, value: float | None, decimals: int = 0, large: bool = True, fixed: bool = False
    ) -> str:
        """A number that may be negative, with a true minus sign: "−8,859" (a dash when
        missing).

        Args:
            value: the number.
            decimals: digits after the point.
            large: Chinese from 10,000 up in 万/亿 ("12.9万"); False keeps every digit
                (a table whose numbers are checked against each other).
            fixed: keep trailing zeros (a column of numbers that line up).
        """
        if is_missing(value):
            return MISSING
        number = abs(float(value))  # type: ignore[arg-type]
        shown = self.large(number, decimals) if large else self.number(number, decimals,
                                                                       fixed=fixed)  # fmt: skip
        return ("−" if float(value) < 0 and self._sign(-1, shown) else "") + shown  # type: ignore[arg-type]

    def span(self, low: float, high: float, decimals: int = 0) -> tuple[str, str]:
        """The two ends of an interval in one magnitude: "−8.42万", "0.32万" (never "−8.42万"
        beside "3,154"); in English with separators and ``decimals`` digits."""
        top = max(abs(low), abs(high)) if not (is_missing(low) or is_missing(high)) else 0.0
        if self.lang != "zh" or top < _ZH_MAGNITUDES[-1]:
            return self.value(low, decimals), self.value(high, decimals)
        magnitude = next(m for m in _ZH_MAGNITUDES if top >= m)
        digits = max(0, 3 - len(str(int(top / magnitude))))
        word = _large_unit(self.lang, magnitude)

        def end(v: float) -> str:
            rounded = _quantize(abs(v) / magnitude, digits, "exact")
            text = _pattern(digits, False, grouping=False).apply(rounded, _locale(self.lang))
            return ("−" if v < 0 and rounded else "") + text + (word if rounded else "")

        return end(low), end(high)

    def signed(self, value: float | None, decimals: int = 0) -> str:
        """A change as a signed number: "+0.06", "−0.36", "0" (a dash when missing)."""
        if is_missing(value):
            return MISSING
        shown = self.large(abs(float(value)), decimals)  # type: ignore[arg-type]
        return self._sign(float(value), shown) + shown  # type: ignore[arg-type]

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
        rounded = _quantize(scaled, digits, qualifier)
        if rounded >= 10_000 and magnitude == _ZH_MAGNITUDES[-1]:  # 9999.5万 rounds to 1亿
            return self.large(float(rounded) * magnitude, decimals, qualifier)
        text = _pattern(digits, False, grouping=False).apply(rounded, _locale(self.lang))
        return ("-" if value < 0 else "") + text + _large_unit(self.lang, magnitude)

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

    def percentage(self, ratio: float | None, decimals: int = 1) -> str:
        """A ratio as a percentage without the bounds of a share (a relative change, a rate of
        growth, a share of a total): "−21.2%", "120%" (a dash when missing)."""
        if is_missing(ratio):
            return MISSING
        return self.value(float(ratio) * 100, decimals) + "%"  # type: ignore[arg-type]

    def change_percent(self, relative: float | None, decimals: int = 1) -> str:
        """A relative change as a signed percentage, e.g. -0.212 -> "−21.2%"."""
        if is_missing(relative):
            return MISSING
        shown = self.number(abs(relative) * 100, decimals)  # type: ignore[operator]
        return self._sign(float(relative), shown) + shown + "%"  # type: ignore[arg-type]

    def unit_name(self, unit: str) -> str:
        """The unit's name in the language ("person-times" / "人次"); unknown units as given."""
        return unit_name(unit, self.lang)

    def amount(
        self, value: float | None, unit: str, qualifier: str = "exact", decimals: int | None = None
    ) -> str:
        """A level with its unit, rounded so that a bound stays true, without the bound's
        words: "1,200 cases", "346万元", "59.6%" (``quantity`` adds them).

        Raises:
            ValueError: a negative count or a share outside [0, 1].
        """
        if is_missing(value):
            return MISSING
        value = float(value)  # type: ignore[arg-type]
        if unit in COUNT_UNITS and value < 0:
            raise ValueError(f"a count cannot be negative, got {value} {unit}")
        digits = DECIMALS.get(unit, 2) if decimals is None else decimals
        if unit == "share":
            return self.percent(value, digits, qualifier)
        if unit in COUNT_UNITS:
            return self.with_unit(self.large(value, digits, qualifier), unit)
        return self.with_unit(self.number(value, digits, qualifier), unit)

    def quantity(
        self, value: float | None, unit: str, qualifier: str = "exact", decimals: int | None = None
    ) -> str:
        """A level with its unit and bound: "more than 1,200 cases" / "超过1,200件",
        "346万元", "59.6%", "3.33 per 1,000 members" / "每千名会员3.33".

        Args:
            value: the level in base units (a share in [0, 1]); None or NaN gives a dash.
            unit: a unit of the data model (``model.UNITS``); another reads as given.
            qualifier: exact, at_least, at_most or approx (``model.QUALIFIERS``); any other
                (a value bounded in neither direction) reads as not determined.
            decimals: digits after the point; None rounds by the unit (``DECIMALS``).

        Raises:
            ValueError: a negative count or a share outside [0, 1].
        """
        if is_missing(value):
            return MISSING
        if qualifier not in QUALIFIERS:
            return message("number.undetermined", self.lang)
        text = self.amount(value, unit, qualifier, decimals)
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
            return self._sign(value, points) + message("number.points", self.lang, value=points)
        shown = self.large(abs(value), digits)
        return self.with_unit(self._sign(value, shown) + shown, unit)

    def ticks(self, values: Sequence[float], unit: str = "", top: float | None = None) -> list[str]:
        """Labels of one axis's ticks: shares as percentages; counts and money in Chinese in
        万/亿 when the largest tick shown reaches 10,000 ("0", "50万", "100万"), with
        separators in English ("1,000,000"); as few decimals as write every tick exactly.

        Args:
            values: the tick positions, in the unit (a share in [0, 1]).
            unit: the axis's unit (``model.UNITS``).
            top: the largest value the axis shows (default: the largest tick); a tick beyond
                it is not drawn and does not choose the unit.
        """
        shown = [float(v) * 100 if unit == "share" else float(v) for v in values]
        finite = [abs(v) for v in shown if math.isfinite(v)]
        if top is not None:
            limit = abs(top) * (100 if unit == "share" else 1) * (1 + 1e-9)
            finite = [v for v in finite if v <= limit] or finite
        top = max(finite, default=0.0)
        magnitude = 1
        if self.lang == "zh" and unit != "share":
            magnitude = next((m for m in _ZH_MAGNITUDES if top >= m), 1)
        scaled = [v / magnitude for v in shown]
        # the fewest decimals that write every tick exactly (ticks are round numbers)
        decimals = next((d for d in range(3) if _exact_at(scaled, d)), 3)
        suffix = "%" if unit == "share" else ""
        big = _large_unit(self.lang, magnitude) if magnitude > 1 else ""
        labels = []
        for v in scaled:
            if not math.isfinite(v):
                labels.append("")
                continue
            if magnitude == 1:
                labels.append(self.value(v, decimals) + suffix)
                continue
            # "2500万" (no separator within 万, as Chinese writes it); zero without a unit
            rounded = _quantize(abs(v), decimals, "exact")
            text = _pattern(decimals, False, grouping=False).apply(rounded, _locale(self.lang))
            labels.append(("−" if v < 0 else "") + text + (big if rounded else ""))
        return labels

    def bounded(self, text: str, qualifier: str) -> str:
        """A statistic derived through bounds, its text with the bound in front: "at least
        +173 cases" / "至少+173件"; "undetermined" when the bounds do not combine."""
        if qualifier in QUALIFIERS:
            return message(f"number.bound.{qualifier}", self.lang, value=text)
        return message("number.bound.undetermined", self.lang)

    def p_value(self, p: float | None) -> str:
        """A p-value as a test reports it: "p = 0.030", "p < 0.001" (a dash when missing)."""
        if is_missing(p):
            return MISSING
        if float(p) < 0.001:  # type: ignore[arg-type]
            return message("number.p_below", self.lang, value=self.number(0.001, 3, fixed=True))
        return message("number.p", self.lang, value=self.number(p, 3, fixed=True))

    def with_unit(self, number: str, unit: str) -> str:
        """A number's text with its unit's name: "1,200 cases" / "1,200件", "每千名会员3.33"."""
        return message(
            "number.unit_before" if unit in _UNIT_FIRST else "number.unit_after", self.lang,
            value=number, unit=self.unit_name(unit),
        )  # fmt: skip

    @staticmethod
    def _sign(value: float, shown: str) -> str:
        """ "+" or "−" before a change; none when it rounds to zero ("0", not "−0")."""
        if value == 0 or not any(c in "123456789" for c in shown):
            return ""
        return "+" if value > 0 else "−"


def _exact_at(values: list[float], decimals: int) -> bool:
    """Whether every value is written exactly with ``decimals`` digits."""
    tolerance = 10.0**-decimals / 1000
    return all(abs(round(v, decimals) - v) <= tolerance * max(1.0, abs(v))
               for v in values if math.isfinite(v))  # fmt: skip


# Units whose name a language may put before the number (Chinese "每千名会员3.33").
_UNIT_FIRST = frozenset({"per_1000_members"})


def number_format(lang: object = "en") -> NumberFormat:
    """The formatter of a language ("zh", "zh-CN" read as Chinese; anything else English)."""
    return _FORMATS[message_lang(lang)]


_FORMATS = {lang: NumberFormat(lang) for lang in _LOCALES}
