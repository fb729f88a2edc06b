"""Money: Decimal only, rounded to 分 half-up. A float never touches money."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def to_money(value) -> Decimal:
    """Convert str/int/Decimal to a Decimal rounded to 分 (half-up). Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
