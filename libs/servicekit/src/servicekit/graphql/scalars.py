"""Scalars every subgraph reads the same way.

``Decimal`` is exact, so it travels as a string (``"1234.50"``). strawberry's own ``Decimal``
also takes a JSON number, and a JSON number is a float to every client and parser on the way:
``3000.5`` may arrive as ``3000.4999…``, or be rounded silently. Here a number is refused with
a typed error (``BAD_USER_INPUT``) instead, in variables and in literals alike."""

from __future__ import annotations

import decimal

from strawberry.schema.types.base_scalars import DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

from servicekit.errors import DomainError


def _parse_decimal(value: object) -> decimal.Decimal:
    if not isinstance(value, str):
        raise DomainError(
            f'a Decimal is written as a string, e.g. "1234.50"; {value!r} is a JSON number, '
            "and a float is not exact",
            code="BAD_USER_INPUT",
        )
    try:
        return decimal.Decimal(value)
    except decimal.DecimalException:
        raise DomainError(f"{value!r} is not a decimal number", code="BAD_USER_INPUT") from None


STRICT_DECIMAL = ScalarDefinition(
    name="Decimal",
    description='An exact decimal number, written as a string ("1234.50"); never a JSON number.',
    specified_by_url=None,
    serialize=str,
    parse_value=_parse_decimal,
    parse_literal=None,
    origin=decimal.Decimal,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {decimal.Decimal: STRICT_DECIMAL}
assert DecimalDefinition.origin is decimal.Decimal  # the scalar this one replaces
