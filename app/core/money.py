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


def rmb_upper(value) -> str:
    """The amount in 人民币大写 as written on a receipt: ¥1,010.10 → 壹仟零壹拾元壹角整.

    The digits come from cn2an (a kept library); the rule of 《支付结算办法》 is applied on top: an amount
    that ends at 元 or 角 is closed with 整, one with 分 is not. A negative amount (a reversing entry) starts
    with 负."""
    import cn2an

    amount = to_money(value)
    if amount < 0:
        return "负" + rmb_upper(-amount)
    text = cn2an.an2cn(format(amount, "f"), "rmb")
    if not text.endswith(("整", "分")):
        text += "整"
    return text

