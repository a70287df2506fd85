"""Reading a number someone typed (or a value from JSON) as an exact Decimal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_decimal(value: object) -> Decimal | None:
    """The finite Decimal `value` spells (thousands separators allowed), else None; booleans are not numbers."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(value.strip().replace(",", "")) if isinstance(value, str) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None
