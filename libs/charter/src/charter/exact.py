"""Exact fractions for charter data: written as strings like "2/3", never as floats.

A float such as 0.67 cannot say "two thirds", and the boundary of a vote is exactly where a
rounding error changes the result, so floats are refused outright.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

FRACTION_PATTERN = r"^\s*[0-9]+\s*(/\s*[0-9]+\s*)?$"
_FRACTION_RE = re.compile(FRACTION_PATTERN)


def parse_fraction(value: Any) -> Fraction:
    """Read "2/3", "1", 1 or a Fraction; refuse floats, booleans and anything inexact."""
    if isinstance(value, bool):
        raise ValueError(f"expected a fraction such as '2/3', got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        raise ValueError(
            f"fraction {value!r} is a float; write it exactly as a string such as '2/3'"
        )
    if isinstance(value, str):
        if not _FRACTION_RE.match(value):
            raise ValueError(f"expected a fraction such as '2/3', got {value!r}")
        numerator, _, denominator = value.partition("/")
        if denominator and int(denominator) == 0:
            raise ValueError(f"fraction {value!r} has a zero denominator")
        return Fraction(int(numerator), int(denominator) if denominator else 1)
    raise ValueError(f"expected a fraction such as '2/3', got {type(value).__name__}")


def format_fraction(value: Fraction) -> str:
    """Write a fraction the way charters do: "2/3", or "6" when it is whole."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _proportion(value: Any) -> Fraction:
    fraction = parse_fraction(value)
    if fraction > 1:
        raise ValueError(f"fraction {format_fraction(fraction)} is above 1")
    if fraction <= 0:
        raise ValueError(f"fraction {format_fraction(fraction)} must be above 0")
    return fraction


Proportion = Annotated[
    Fraction,
    BeforeValidator(_proportion),
    PlainSerializer(format_fraction, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": FRACTION_PATTERN,
            "description": "An exact fraction in (0, 1], written like '2/3' or '1'.",
            "examples": ["1/2", "2/3"],
        }
    ),
]
"""A fraction strictly above 0 and at most 1, as used by quorum and pass rules."""


def ceil_fraction(value: Fraction) -> int:
    """The smallest integer not below ``value`` (exact, no floats)."""
    return -((-value.numerator) // value.denominator)
