"""Exact money: an amount in integer minor units of one currency; never a float.

CNY is the default; the ten ASEAN members' currencies are allowed (their ISO 4217 minor units:
VND has none, the rest two). There is no conversion anywhere: an entry is in one currency,
and figures of different currencies are never added together.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from servicekit.errors import DomainError


class Currency(StrEnum):
    CNY = "CNY"
    BND = "BND"
    KHR = "KHR"
    IDR = "IDR"
    LAK = "LAK"
    MYR = "MYR"
    MMK = "MMK"
    PHP = "PHP"
    SGD = "SGD"
    THB = "THB"
    VND = "VND"


DEFAULT_CURRENCY = Currency.CNY
MINOR_DIGITS: dict[Currency, int] = {c: 2 for c in Currency} | {Currency.VND: 0}
MAX_MINOR = 10**17  # well inside bigint, so sums of many postings cannot overflow


def currency_of(code: str, *, field: str = "currency") -> Currency:
    try:
        return Currency(code)
    except ValueError:
        allowed = ", ".join(c.value for c in Currency)
        raise DomainError(
            f"{code!r} is not an allowed currency ({allowed})", code="BAD_CURRENCY", field=field
        ) from None


MAX_DIGITS = 40  # digits either side of the point an exact figure may have


def exact(value: Decimal | str, *, field: str, code: str = "BAD_AMOUNT") -> Decimal:
    """A finite decimal of bounded size, or a typed error: NaN, sNaN, Infinity and exponent
    forms past any real figure (``9E+999999999``, ``1e-999999999``) are refused here, before
    any arithmetic on them could signal Overflow or build a gigantic integer."""
    try:
        parsed = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(f"{value!r} is not a number", code=code, field=field) from None
    if not parsed.is_finite():
        raise DomainError(f"a figure is a finite number (got {value!r})", code=code, field=field)
    if parsed and not -MAX_DIGITS <= parsed.adjusted() < MAX_DIGITS:
        raise DomainError(f"{value!r} is out of range", code=code, field=field)
    if parsed.as_tuple().exponent < -MAX_DIGITS:  # type: ignore[operator]
        raise DomainError(f"{value!r} has too many decimal places", code=code, field=field)
    return parsed


def to_minor(amount: Decimal | str, currency: Currency, *, field: str = "amount") -> int:
    """A positive amount as minor units; refuses zero, negatives, and digits the currency
    does not have (1.005 CNY), instead of rounding."""
    value = exact(amount, field=field)
    if value <= 0:
        raise DomainError(
            f"an amount must be more than zero (got {value})", code="BAD_AMOUNT", field=field
        )
    scaled = value.scaleb(MINOR_DIGITS[currency])
    if scaled != scaled.to_integral_value():
        raise DomainError(
            f"{currency} has {MINOR_DIGITS[currency]} decimal places; {value} has more",
            code="BAD_AMOUNT",
            field=field,
        )
    minor = int(scaled)
    if minor >= MAX_MINOR:
        raise DomainError("the amount is too large", code="BAD_AMOUNT", field=field)
    return minor


def execution_rate(actual_minor: int, budgeted_minor: int) -> Decimal | None:
    """Actual / budgeted, to 4 places (both in the same currency's minor units); None where
    nothing is budgeted. Budget execution reports it per line (预算执行率)."""
    if not budgeted_minor:
        return None
    return (Decimal(actual_minor) / Decimal(budgeted_minor)).quantize(Decimal("0.0001"))


def from_minor(minor: int, currency: Currency | str) -> Decimal:
    digits = MINOR_DIGITS[Currency(currency)]
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


@dataclass(frozen=True)
class Money:
    minor: int
    currency: Currency

    @property
    def amount(self) -> Decimal:
        return from_minor(self.minor, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
