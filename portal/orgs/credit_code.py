"""Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters, the last a check character."""

from __future__ import annotations

from dataclasses import dataclass

# GB 32100-2015 character set: digits and capitals without I, O, Z, S, V; a character's value is its index.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (1-based) is 3^(i-1) mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


@dataclass(frozen=True)
class CreditCodeProblem:
    """Why a code is not valid; `position` is 1-based where one character is to blame."""

    kind: str  # "length", "character", "check_digit"
    position: int | None = None
    character: str | None = None
    expected: str | None = None


def normalise(code: str) -> str:
    return "".join(code.split()).upper()


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def find_problem(code: str) -> CreditCodeProblem | None:
    """None for a valid code, otherwise the first thing wrong with it."""
    if len(code) != LENGTH:
        return CreditCodeProblem("length", position=len(code))
    for position, ch in enumerate(code, start=1):
        # Positions 3-8 are the GB/T 2260 area code: digits only.
        allowed = "0123456789" if 3 <= position <= 8 else CHARSET
        if ch not in allowed:
            return CreditCodeProblem("character", position=position, character=ch)
    expected = check_character(code[:17])
    if code[17] != expected:
        return CreditCodeProblem("check_digit", position=LENGTH, character=code[17], expected=expected)
    return None
