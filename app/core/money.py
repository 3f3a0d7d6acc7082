"""Decimal money and quantity helpers. Never float for money or stock."""

from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, Overflow

AMOUNT_PLACES = 2
QUANTITY_PLACES = 4
PRICE_PLACES = 4
AMOUNT_STEP = Decimal(1).scaleb(-AMOUNT_PLACES)
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_PLACES)
DEFAULT_CURRENCY = "CNY"

#: wide enough that quantity × price (18 + 18 digits) is exact; the default 28 digits is not, and
#: would round a product before it is rounded to cents (or raise InvalidOperation)
_WIDE = Context(prec=80, traps=[InvalidOperation, Overflow])
#: the same width, but an inexact product raises instead of being rounded silently
_EXACT = Context(prec=80, traps=[InvalidOperation, Overflow, Inexact])


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Exact conversion; floats are refused because they are already inexact."""
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money or quantities; pass a str or Decimal")
    if isinstance(value, bool):  # an int subclass, but True is never an amount
        raise TypeError("booleans are not accepted for money or quantities")
    try:
        result = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _round(value: Decimal | int | str, step: Decimal) -> Decimal:
    number = to_decimal(value)
    try:
        return number.quantize(step, rounding=ROUND_HALF_UP, context=_WIDE)
    except (InvalidOperation, Overflow) as exc:
        raise ValueError(f"number too large: {value!r}") from exc


def round_amount(value: Decimal | int | str) -> Decimal:
    """Round an amount to cents, half up (commercial rounding, as on an invoice)."""
    return _round(value, AMOUNT_STEP)


def round_quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity or unit price to 4 places, half up."""
    return _round(value, QUANTITY_STEP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price, rounded to cents once (never round the factors first)."""
    try:
        product = _EXACT.multiply(to_decimal(quantity), to_decimal(unit_price))
    except (Inexact, InvalidOperation, Overflow) as exc:
        raise ValueError(f"{quantity} × {unit_price} has too many digits") from exc
    return round_amount(product)


def scaled_int(value: Decimal | int | str, places: int) -> int:
    """The exact integer value × 10^places; raises if that would drop digits."""
    # integer arithmetic on the digits: Decimal.scaleb rounds to the context's 28 digits first
    sign, digits, exponent = to_decimal(value).as_tuple()
    assert isinstance(exponent, int)  # finite, checked by to_decimal
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + places
    if shift >= 0:
        scaled = coefficient * 10**shift
    else:
        scaled, dropped = divmod(coefficient, 10**-shift)
        if dropped:
            raise ValueError(f"{value} has more than {places} decimal places")
    return -scaled if sign else scaled


def from_scaled_int(value: int, places: int) -> Decimal:
    """Inverse of scaled_int, with exactly `places` decimals."""
    return Decimal(f"{int(value)}E-{places}")
