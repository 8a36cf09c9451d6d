"""Value checks: what each value type accepts, and the text handed on to PostgreSQL or stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.indicators.models import ValueType
from targets.results.values import MAX_DIGITS, InvalidValue, check_boolean, check_number

NUMERIC_TYPES = [ValueType.NUMBER, ValueType.PERCENT, ValueType.COUNT]


# --- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "checked"),
    [
        ("70", "70"),
        ("70.0", "70.0"),
        (" 7E+1 ", "7E+1"),
        ("-3.25", "-3.25"),
        ("+4", "+4"),
        ("5.", "5."),
        (".5", ".5"),
        ("1e-100", "1e-100"),
        ("1E100", "1E100"),
        ("0012.50", "0012.50"),
        ("\t42\n", "42"),
    ],
)
def test_a_number_is_handed_on_as_written_without_blanks(text: str, checked: str) -> None:
    # PostgreSQL, not Python, writes the canonical text (trim_scale), in the statement that stores it.
    assert check_number(text, ValueType.NUMBER) == checked
    assert check_number(text, ValueType.PERCENT) == checked


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "1,5",
        "1 000",
        "1_000",
        "0x10",
        "1e",
        "e5",
        ".",
        "-",
        "+-1",
        "1.2.3",
        "12%",
        "1e5000",  # more than four exponent digits
        "1e101",
        "1e-101",
        "١٢",  # Arabic-Indic digits: Python reads them as 12, PostgreSQL refuses them
        "１２",  # fullwidth digits
        "true",
    ],
)
def test_what_is_not_a_number_is_refused_for_every_numeric_type(text: str) -> None:
    for value_type in NUMERIC_TYPES:
        with pytest.raises(InvalidValue):
            check_number(text, value_type)


def test_digits_limit_counts_the_written_digits_not_leading_zeros() -> None:
    assert check_number("9" * MAX_DIGITS, ValueType.NUMBER) == "9" * MAX_DIGITS
    assert check_number("0" * 10 + "9" * MAX_DIGITS, ValueType.NUMBER)
    assert check_number("1." + "5" * (MAX_DIGITS - 1), ValueType.NUMBER)
    assert check_number("1e100", ValueType.NUMBER) == "1e100"
    with pytest.raises(InvalidValue, match="digits"):
        check_number("9" * (MAX_DIGITS + 1), ValueType.NUMBER)
    with pytest.raises(InvalidValue, match="digits"):
        check_number("1." + "5" * MAX_DIGITS, ValueType.NUMBER)
    with pytest.raises(InvalidValue, match="exponent"):
        check_number("1e-101", ValueType.NUMBER)


@pytest.mark.parametrize("text", ["0", "12", "+12", "70.0", "70.000", "-0", "-0.0", "007", " 3 "])
def test_a_count_is_a_whole_number_of_zero_or_more(text: str) -> None:
    assert check_number(text, ValueType.COUNT) == text.strip()


@pytest.mark.parametrize("text", ["1.5", "0.01", "-1", "-0.5", "1e3", "1E+0", ".5", "-1.0"])
def test_a_count_refuses_fractions_negatives_and_exponents(text: str) -> None:
    with pytest.raises(InvalidValue, match="not a count"):
        check_number(text, ValueType.COUNT)
    # The same texts are numbers.
    assert check_number(text, ValueType.NUMBER) == text


def test_the_error_names_the_text_as_posted() -> None:
    with pytest.raises(InvalidValue, match="' 1,5 ' is not a number"):
        check_number(" 1,5 ", ValueType.NUMBER)


@st.composite
def decimals(draw: st.DrawFn) -> Decimal:
    """Finite decimals whose string form has at most MAX_DIGITS written digits (str adds up to 6 zeros)."""
    digits = draw(st.lists(st.integers(0, 9), min_size=1, max_size=MAX_DIGITS - 6))
    exponent = draw(st.integers(-60, 60))
    return Decimal((draw(st.integers(0, 1)), tuple(digits), exponent))


@given(decimals())
def test_any_decimal_string_form_is_a_number_and_keeps_its_value(number: Decimal) -> None:
    text = str(number)
    checked = check_number(text, ValueType.NUMBER)
    assert Decimal(checked) == number
    assert check_number(f"  {text} ", ValueType.PERCENT) == checked


@given(st.integers(min_value=0, max_value=10**MAX_DIGITS - 1))
def test_any_non_negative_integer_is_a_count(number: int) -> None:
    assert check_number(str(number), ValueType.COUNT) == str(number)


@given(st.integers(max_value=-1))
def test_no_negative_integer_is_a_count(number: int) -> None:
    with pytest.raises(InvalidValue):
        check_number(str(number), ValueType.COUNT)


@given(st.text(max_size=12))
def test_whatever_is_accepted_is_plain_ascii_that_decimal_reads_as_finite(text: str) -> None:
    try:
        checked = check_number(text, ValueType.NUMBER)
    except InvalidValue:
        return
    assert checked.isascii()
    assert checked == checked.strip()
    assert Decimal(checked).is_finite()


# --- booleans ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        *[(spelling, "true") for spelling in ["true", "TRUE", "True", "tRuE", "t", "T", "1", " true "]],
        *[(spelling, "false") for spelling in ["false", "FALSE", "False", "f", "F", "0", "\tfalse\n"]],
    ],
)
def test_boolean_spellings_have_one_canonical_form(text: str, canonical: str) -> None:
    assert check_boolean(text) == canonical


@pytest.mark.parametrize("text", ["", "maybe", "yes", "no", "2", "1.0", "tru", "on", "-1", "null"])
def test_other_texts_are_not_booleans(text: str) -> None:
    with pytest.raises(InvalidValue, match="not a boolean"):
        check_boolean(text)


@given(st.text(max_size=8))
def test_a_boolean_is_always_stored_as_true_or_false(text: str) -> None:
    try:
        assert check_boolean(text) in {"true", "false"}
    except InvalidValue:
        assert text.strip().lower() not in {"true", "t", "1", "false", "f", "0"}
