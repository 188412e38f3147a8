"""China's unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration authority (1),
organisation type (1), administrative division (6), organisation code (9, GB 11714, with its
own check character) and a final check character over the first 17. Both checks are verified.
Written here because no maintained PyPI package validates it.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    value = 11 - sum(_org_value(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or None when it is."""
    if len(code) != 18:
        return f"a unified social credit code has 18 characters, not {len(code)}"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return f"characters not allowed in a unified social credit code: {''.join(bad)}"
    org = code[8:17]
    if org_check_character(org[:8]) != org[8]:
        return "the organisation-code check character (position 17) does not match"
    if check_character(code[:17]) != code[17]:
        return "the check character (position 18) does not match"
    return None


def complete(first16: str) -> str:
    """A valid code from its first 16 characters (for demo data and tests)."""
    first17 = first16 + org_check_character(first16[8:16])
    return first17 + check_character(first17)
