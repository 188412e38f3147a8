"""An amount on the wire is a string; every string either is an exact amount of the currency
or is refused with a typed error (``BAD_AMOUNT``), never an arithmetic exception."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finance import money
from finance.money import Currency
from servicekit.errors import DomainError


@pytest.mark.parametrize(
    "text",
    [
        "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf",
        "9E+999999999", "-9E+999999999", "1E+999999", "1e-999999999",
        "0", "-0", "-1.00", "1.005", "", "1.2.3", "0x10", "1,000.00",
        "99999999999999999999999999999999999999.99",
    ],
)  # fmt: skip
def test_an_amount_that_is_not_a_positive_exact_figure_is_refused_with_bad_amount(
    text: str,
) -> None:
    with pytest.raises(DomainError) as refused:
        money.to_minor(text, Currency.CNY)
    assert refused.value.code == "BAD_AMOUNT"


def test_an_amount_with_the_currencys_places_becomes_its_minor_units() -> None:
    assert money.to_minor("1234.50", Currency.CNY) == 123450
    assert money.to_minor("1e2", Currency.CNY) == 10000
    assert money.to_minor("25000", Currency.VND) == 25000
    with pytest.raises(DomainError):
        money.to_minor("0.5", Currency.VND)


@given(st.one_of(st.text(max_size=30), st.decimals().map(str)))
def test_any_string_is_either_an_amount_or_a_typed_refusal(text: str) -> None:
    try:
        minor = money.to_minor(text, Currency.CNY)
    except DomainError as refused:
        assert refused.code == "BAD_AMOUNT"
    else:
        assert 0 < minor < money.MAX_MINOR
        assert money.from_minor(minor, Currency.CNY) == Decimal(text)
