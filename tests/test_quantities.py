"""Tests for the Chinese quantity parser: worked examples, errors, properties and round trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uniontrends.data.model import QUALIFIERS, UNITS
from uniontrends.data.quantities import Quantity, format_quantity, parse_quantity, parse_value
from uniontrends.errors import ParameterError, QuantityError, UniontrendsError

EXAMPLES = [
    # text, value in base units, qualifier, unit
    ("3.5万人次", 35000.0, "exact", "person_times"),
    ("346万元", 3460000.0, "exact", "yuan"),
    ("1200余件", 1200.0, "at_least", "cases"),
    ("超12万人次", 120000.0, "at_least", "person_times"),
    ("11.1万", 111000.0, "exact", None),
    ("100%", 1.0, "exact", "share"),
    ("5000余名", 5000.0, "at_least", "persons"),
    ("40万余人次", 400000.0, "at_least", "person_times"),
    ("6.1万余人次", 61000.0, "at_least", "person_times"),
    ("近5000", 5000.0, "approx", None),
    ("约3.5万", 35000.0, "approx", None),
    ("3000左右", 3000.0, "approx", None),
    ("100人以上", 100.0, "at_least", "persons"),
    ("1200多件", 1200.0, "at_least", "cases"),
    ("不足50户", 50.0, "at_most", "households"),
    ("不到20家", 20.0, "at_most", "organisations"),
    ("25人以下", 25.0, "at_most", "persons"),
    ("超过3亿元", 300_000_000.0, "at_least", "yuan"),
    ("1,200", 1200.0, "exact", None),
    ("1200", 1200.0, "exact", None),
    ("1,234,567.5", 1234567.5, "exact", None),
    ("１２００", 1200.0, "exact", None),  # full-width digits
    ("３．５万人次", 35000.0, "exact", "person_times"),  # full-width point
    ("30％以上", 0.3, "at_least", "share"),  # full-width percent
    ("48场", 48.0, "exact", "events"),
    ("65场次", 65.0, "exact", "events"),
    ("200余项", 200.0, "at_least", "items"),
    ("3500余条", 3500.0, "at_least", "items"),
    ("32个", 32.0, "exact", "organisations"),
    ("0.5", 0.5, "exact", None),
    ("-5", -5.0, "exact", None),  # the parser keeps the sign; validation rejects negative counts
    (" 1200 件 ", 1200.0, "exact", "cases"),
]


@pytest.mark.parametrize(("text", "value", "qualifier", "unit"), EXAMPLES)
def test_parse_quantity_examples(text: str, value: float, qualifier: str, unit: str | None) -> None:
    q = parse_quantity(text)
    assert (q.value, q.qualifier, q.unit, q.text) == (value, qualifier, unit, text)


def test_no_float_noise() -> None:
    # Naive float products leave noise in these cases; the parser must give the exact decimal.
    assert 0.57 * 10000 != 5700.0
    assert 2.01 * 10000 != 20100.0
    assert parse_quantity("0.57万").value == 5700.0
    assert parse_quantity("2.01万").value == 20100.0
    assert parse_quantity("0.07万").value == 700.0
    assert parse_quantity("57%").value == 0.57


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("12万余余", "repeated qualifier"),
        ("超100余件", "repeated qualifier"),
        ("约超100", "conflicting qualifiers"),
        ("近100以上", "conflicting qualifiers"),
        ("三千", "Chinese numerals"),
        ("十二万人次", "Chinese numerals"),
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "expected [qualifier] Arabic number"),
        ("1.2.3万", "malformed number '1.2.3'"),
        ("12,00", "malformed number"),
        ("5万%", "percentage cannot take"),
        ("1万2千", "expected [qualifier]"),
        ("参与职工超12万人次", "expected [qualifier]"),  # running text is not a quantity phrase
        ("12吨", "expected [qualifier]"),  # unknown unit
    ],
)
def test_parse_quantity_rejects(text: str, needle: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    message = str(info.value)
    assert needle in message
    assert repr(text) in message  # the message quotes the text


def test_quantity_error_is_user_facing_and_value_error() -> None:
    with pytest.raises(UniontrendsError):
        parse_quantity("abc")
    with pytest.raises(ValueError):
        parse_quantity("abc")


def test_quantity_rejects_unknown_qualifier_and_unit() -> None:
    with pytest.raises(QuantityError):
        Quantity(1.0, "more_or_less", None, "1")
    with pytest.raises(QuantityError):
        Quantity(1.0, "exact", "tonnes", "1")


def test_quantity_is_frozen() -> None:
    q = parse_quantity("1200余件")
    with pytest.raises(AttributeError):
        q.value = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cell", "value", "qualifier", "unit"),
    [
        (1200, 1200.0, "exact", None),
        (3.5, 3.5, "exact", None),
        (Decimal("2.25"), 2.25, "exact", None),
        ("3.5万", 35000.0, "exact", None),
        ("1200余件", 1200.0, "at_least", "cases"),
    ],
)
def test_parse_value(cell: object, value: float, qualifier: str, unit: str | None) -> None:
    q = parse_value(cell)
    assert (q.value, q.qualifier, q.unit) == (value, qualifier, unit)


def test_parse_value_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert parse_value(np.int64(7)).value == 7.0
    assert parse_value(np.float64(0.25)).value == 0.25


@pytest.mark.parametrize("cell", [None, float("nan"), float("inf"), True, [1], "三千"])
def test_parse_value_rejects(cell: object) -> None:
    with pytest.raises(QuantityError):
        parse_value(cell)


@pytest.mark.parametrize(
    ("q", "zh", "en"),
    [
        (Quantity(35000.0, "exact", "person_times", ""), "3.5万人次", "35,000 person-times"),
        (Quantity(3460000.0, "exact", "yuan", ""), "346万元", "3,460,000 yuan"),
        (Quantity(1200.0, "at_least", "cases", ""), "超1200件", "at least 1,200 cases"),
        (
            Quantity(120000.0, "at_least", "person_times", ""),
            "超12万人次",
            "at least 120,000 person-times",
        ),
        (Quantity(1.0, "exact", "share", ""), "100%", "100%"),
        (Quantity(0.575, "approx", "share", ""), "约57.5%", "about 57.5%"),
        (Quantity(5000.0, "approx", None, ""), "约5000", "about 5,000"),
        (Quantity(12345.0, "exact", None, ""), "12345", "12,345"),  # 1.2345万 would be too long
        (Quantity(300_000_000.0, "at_most", "yuan", ""), "不足3亿元", "at most 300,000,000 yuan"),
        (
            Quantity(3.5, "exact", "yuan_per_person_time", ""),
            "3.5元/人次",
            "3.5 yuan per person-time",
        ),
        (Quantity(0.0, "exact", "cases", ""), "0件", "0 cases"),
    ],
)
def test_format_quantity(q: Quantity, zh: str, en: str) -> None:
    assert format_quantity(q, "zh") == zh
    assert format_quantity(q, "en") == en


def test_format_quantity_rejects_unknown_language() -> None:
    with pytest.raises(ParameterError):
        format_quantity(parse_quantity("1200"), "fr")


_PARSEABLE_UNITS = [u for u in UNITS if u not in ("yuan_per_person_time", "per_1000_members")]
_two_decimals = st.decimals(
    min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)


@settings(max_examples=200, deadline=None)
@given(x=_two_decimals)
def test_wan_is_exact_decimal_multiplication(x: Decimal) -> None:
    assert parse_quantity(f"{x:f}万").value == float(x * 10000)
    assert parse_quantity(f"{x:f}亿").value == float(x * 10**8)


@settings(max_examples=200, deadline=None)
@given(x=_two_decimals, multiplier=st.sampled_from(["", "万", "亿"]))
def test_lower_bound_markers_keep_the_bare_value(x: Decimal, multiplier: str) -> None:
    bare = parse_quantity(f"{x:f}{multiplier}")
    assert bare.qualifier == "exact"
    for text in (f"{x:f}{multiplier}余", f"超{x:f}{multiplier}", f"{x:f}{multiplier}以上"):
        q = parse_quantity(text)
        assert (q.value, q.qualifier) == (bare.value, "at_least")


@settings(max_examples=300, deadline=None)
@given(
    x=_two_decimals,
    qualifier=st.sampled_from(QUALIFIERS),
    unit=st.sampled_from([*_PARSEABLE_UNITS, None]),
)
def test_format_then_parse_round_trip(x: Decimal, qualifier: str, unit: str | None) -> None:
    value = float(x / 100) if unit == "share" else float(x)
    q = Quantity(value, qualifier, unit, "")
    back = parse_quantity(format_quantity(q, "zh"))
    assert (back.value, back.qualifier, back.unit) == (q.value, q.qualifier, q.unit)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_do_not_change_the_value(n: int) -> None:
    assert parse_quantity(f"{n:,}").value == parse_quantity(str(n)).value == float(n)
