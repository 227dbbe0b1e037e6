"""Parse Chinese quantity phrases ("超12万人次", "346万元", "1200余件") into base-unit values."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from uniontrends.data.model import LANGS, QUALIFIERS, UNITS
from uniontrends.errors import ParameterError, QuantityError
from uniontrends.numbers import unit_name

# Qualifier markers, longest first so that "超过" wins over "超" and "不超过" is not read as "超过".
_PREFIXES = {
    "不超过": "at_most",
    "不足": "at_most",
    "不到": "at_most",
    "少于": "at_most",
    "超过": "at_least",
    "多于": "at_least",
    "超": "at_least",
    "逾": "at_least",
    "大约": "approx",
    "将近": "approx",
    "接近": "approx",
    "约": "approx",
    "近": "approx",
}
# 余/多 sit right after the number or after 万/亿 ("1200余件", "40万余人次").
_INFIXES = {"余": "at_least", "多": "at_least"}
_SUFFIXES = {"以上": "at_least", "以下": "at_most", "左右": "approx"}

_MULTIPLIERS = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(10) ** 3}

# Measure words as printed; several words map onto one base unit (名/位 count persons too).
_UNIT_WORDS = {
    "人次": "person_times",
    "场次": "events",
    "人": "persons",
    "名": "persons",
    "位": "persons",
    "件": "cases",
    "场": "events",
    "项": "items",
    "条": "items",
    "家": "organisations",
    "个": "organisations",
    "户": "households",
    "元": "yuan",
    "%": "share",
}
# The word format_quantity prints for each unit, chosen so that it parses back to the same unit.
_ZH_UNIT_WORD = {
    "persons": "人",
    "person_times": "人次",
    "cases": "件",
    "events": "场次",
    "items": "项",
    "organisations": "家",
    "households": "户",
    "yuan": "元",
    "share": "%",
}
# The words of the commonest phrases ("3.5万", "1200余", "超12万", "约3万", "40万以上"): a
# spreadsheet's own check of a cell removes them and expects a number (Excel allows 255
# characters in a validation formula, so not every word; import parses every cell anyway).
COMMON_WORDS = ("万", "余", "超", "约", "近", "多", "以上")
_ZH_QUALIFIER_PREFIX = {"exact": "", "at_least": "超", "at_most": "不足", "approx": "约"}
_EN_QUALIFIER_PREFIX = {
    "exact": "",
    "at_least": "at least ",
    "at_most": "at most ",
    "approx": "about ",
}


def _alternation(words: Iterable[str]) -> str:
    # Longest first: regex alternation takes the first branch that matches.
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PATTERN = re.compile(
    rf"""^
    (?P<prefix>(?:{_alternation(_PREFIXES)})*)
    (?P<number>[-+]?[0-9][0-9,.]*)
    (?P<infix1>(?:{_alternation(_INFIXES)})*)
    (?P<multiplier>{_alternation(_MULTIPLIERS)})?
    (?P<infix2>(?:{_alternation(_INFIXES)})*)
    (?P<unit>{_alternation(_UNIT_WORDS)})?
    (?P<suffix>(?:{_alternation(_SUFFIXES)})*)
    $""",
    re.VERBOSE,
)
# Thousands separators only in groups of three ("1,200", never "12,00"); one decimal point at most.
_NUMBER = re.compile(r"^[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")
_CHINESE_NUMERALS = re.compile(r"[〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]")

_ACCEPTED = (
    "expected [qualifier] Arabic number [余/多] [万/亿/千] [余/多] [unit] [以上/以下/左右], "
    "e.g. '超12万人次', '1200余件', '40万余人次', '346万元', '约3.5万', '100%', '1,200'; "
    f"qualifiers: {', '.join(_PREFIXES)} before the number; "
    f"units: {', '.join(_UNIT_WORDS)}"
)


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity in base units.

    Attributes:
        value: the number in base units (persons, yuan, share in [0, 1]; never 万).
        qualifier: one of model.QUALIFIERS; "at_least" means the truth lies in [value, inf).
        unit: a key of model.UNITS, or None when the phrase carries no measure word.
        text: the text the quantity was parsed from, as given.
    """

    value: float
    qualifier: str
    unit: str | None
    text: str

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise QuantityError(f"qualifier {self.qualifier!r} is not one of {QUALIFIERS}")
        if self.unit is not None and self.unit not in UNITS:
            raise QuantityError(f"unit {self.unit!r} is not one of {tuple(UNITS)}")


def _markers(group: str, table: dict[str, str]) -> list[tuple[str, str]]:
    found = re.findall(_alternation(table), group)
    return [(word, table[word]) for word in found]


def _qualifier(text: str, markers: list[tuple[str, str]]) -> str:
    if not markers:
        return "exact"
    if len(markers) == 1:
        return markers[0][1]
    words = "', '".join(word for word, _ in markers)
    kinds = {kind for _, kind in markers}
    if len(kinds) == 1:
        raise QuantityError(
            f"cannot parse quantity {text!r}: repeated qualifier ('{words}'); "
            "give one qualifier at most, e.g. '12万余' or '超12万'"
        )
    raise QuantityError(
        f"cannot parse quantity {text!r}: conflicting qualifiers ('{words}' mean "
        f"{' and '.join(sorted(kinds))}); give one qualifier at most"
    )


def parse_quantity(text: str) -> Quantity:
    """Parse one Chinese quantity phrase into a value in base units.

    Args:
        text: the phrase, e.g. "3.5万人次", "超12万人次", "1200余件", "346万元", "100%".
            Full-width digits and signs are accepted (NFKC); Chinese numerals ("三千") are not.

    Returns:
        Quantity with value in base units (persons, person-times, yuan, share in [0, 1]),
        the qualifier ("exact", "at_least", "at_most", "approx"), the unit or None, and text.

    Raises:
        QuantityError: empty, malformed or unsupported phrase, naming the text and what is accepted.
    """
    if not isinstance(text, str):
        raise QuantityError(f"cannot parse quantity {text!r}: expected a string")
    normalised = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not normalised:
        raise QuantityError(f"cannot parse quantity {text!r}: the text is empty; {_ACCEPTED}")
    match = _PATTERN.match(normalised)
    if match is None:
        if not re.search(r"[0-9]", normalised) and _CHINESE_NUMERALS.search(normalised):
            raise QuantityError(
                f"cannot parse quantity {text!r}: Chinese numerals (三千, 十二万) are not "
                f"supported; write the number in Arabic digits, e.g. '3000' or '12万'; {_ACCEPTED}"
            )
        raise QuantityError(f"cannot parse quantity {text!r}: {_ACCEPTED}")
    number = match["number"]
    if not _NUMBER.match(number):
        raise QuantityError(
            f"cannot parse quantity {text!r}: malformed number {number!r} "
            "(one decimal point at most, thousands separators in groups of three)"
        )
    markers = (
        _markers(match["prefix"], _PREFIXES)
        + _markers(match["infix1"], _INFIXES)
        + _markers(match["infix2"], _INFIXES)
        + _markers(match["suffix"], _SUFFIXES)
    )
    qualifier = _qualifier(text, markers)
    unit = _UNIT_WORDS[match["unit"]] if match["unit"] else None
    # Decimal keeps "3.5万" at exactly 35000.0; float products can leave noise in the last digit.
    value = Decimal(number.replace(",", ""))
    if match["multiplier"]:
        if unit == "share":
            raise QuantityError(
                f"cannot parse quantity {text!r}: a percentage cannot take 万/亿/千"
            )
        value *= _MULTIPLIERS[match["multiplier"]]
    if unit == "share":
        value /= 100
    return Quantity(value=float(value), qualifier=qualifier, unit=unit, text=text)


def parse_value(cell: object) -> Quantity:
    """Read a spreadsheet or CSV cell that holds either a number or a Chinese quantity phrase.

    Args:
        cell: an int/float/Decimal (taken as exact, no unit) or a string such as "3.5万".

    Returns:
        Quantity in base units; unit is None for plain numbers.

    Raises:
        QuantityError: missing (None/NaN), infinite, boolean or unparseable cells.
    """
    if isinstance(cell, str):
        return parse_quantity(cell)
    # bool is an int subclass; True in a value column is a data-entry error, not 1.
    if isinstance(cell, bool) or not isinstance(cell, numbers.Real | Decimal):
        raise QuantityError(
            f"cannot read value {cell!r} ({type(cell).__name__}): expected a number or a phrase"
        )
    value = float(cell)
    if math.isnan(value):
        raise QuantityError("missing value: the cell is empty (NaN)")
    if math.isinf(value):
        raise QuantityError(f"cannot read value {cell!r}: infinite")
    return Quantity(value=value, qualifier="exact", unit=None, text=str(cell))


def _plain(value: Decimal, grouping: bool) -> str:
    # normalize() drops trailing zeros; "f" keeps 35000 from printing as 3.5E+4.
    return f"{value.normalize():,f}" if grouping else f"{value.normalize():f}"


def _zh_number(value: Decimal) -> str:
    # Use 亿/万 only where the scaled number stays short (≤ 2 decimals), as newspapers do.
    for word in ("亿", "万"):
        scaled = value / _MULTIPLIERS[word]
        if abs(scaled) >= 1 and scaled == scaled.quantize(Decimal("0.01")):
            return _plain(scaled, grouping=False) + word
    return _plain(value, grouping=False)


def format_quantity(q: Quantity, lang: str = "zh") -> str:
    """Render a quantity for display, the inverse of parse_quantity in Chinese.

    Args:
        q: the quantity, value in base units (share in [0, 1]).
        lang: "zh" gives "超3.5万人次"; "en" gives "at least 35,000 person-times".

    Returns:
        The display string; shares are shown as percentages.
    """
    if lang not in LANGS:
        raise ParameterError("lang", lang, f"must be one of {LANGS}")
    try:
        value = Decimal(repr(q.value))
    except InvalidOperation as exc:
        raise QuantityError(f"cannot format value {q.value!r}") from exc
    if q.unit == "share":
        value *= 100
    if lang == "zh":
        number = _zh_number(value) if q.unit != "share" else _plain(value, grouping=False)
        word = _ZH_UNIT_WORD.get(q.unit, unit_name(q.unit, "zh")) if q.unit else ""
        return f"{_ZH_QUALIFIER_PREFIX[q.qualifier]}{number}{word}"
    number = _plain(value, grouping=True)
    if q.unit == "share":
        tail = "%"
    elif q.unit:
        tail = " " + unit_name(q.unit, "en")
    else:
        tail = ""
    return f"{_EN_QUALIFIER_PREFIX[q.qualifier]}{number}{tail}"
