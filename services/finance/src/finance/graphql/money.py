"""Money in the API: ``Money { amount: Decimal! currency: Currency! }``. ``Decimal`` is a
string on the wire (``"1234.50"``), never a float; inputs are parsed exactly and refused if
they have more decimal places than the currency."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from finance import money

Currency = strawberry.enum(money.Currency, description="ISO 4217: CNY and the ASEAN currencies.")


@strawberry.type(description="An exact amount in one currency.")
class Money:
    amount: Decimal
    currency: Currency  # type: ignore[valid-type]

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        code = money.Currency(currency)
        return cls(amount=money.from_minor(minor, code), currency=code)


def minor_of(amount: Decimal, currency: money.Currency, field: str = "amount") -> int:
    return money.to_minor(amount, currency, field=field)
