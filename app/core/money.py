"""Decimal money and quantity helpers. Never float for money or stock."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

AMOUNT_PLACES = 2
QUANTITY_PLACES = 4
PRICE_PLACES = 4
AMOUNT_STEP = Decimal(1).scaleb(-AMOUNT_PLACES)
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_PLACES)
DEFAULT_CURRENCY = "CNY"


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Exact conversion; floats are refused because they are already inexact."""
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money or quantities; pass a str or Decimal")
    try:
        result = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_amount(value: Decimal | int | str) -> Decimal:
    """Round an amount to cents, half up (commercial rounding, as on an invoice)."""
    return to_decimal(value).quantize(AMOUNT_STEP, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity or unit price to 4 places, half up."""
    return to_decimal(value).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price, rounded to cents once (never round the factors first)."""
    return round_amount(quantity * unit_price)


def scaled_int(value: Decimal, places: int) -> int:
    """The exact integer value × 10^places; raises if that would drop digits."""
    scaled = to_decimal(value).scaleb(places)
    integral = scaled.to_integral_value()
    if integral != scaled:
        raise ValueError(f"{value} has more than {places} decimal places")
    return int(integral)


def from_scaled_int(value: int, places: int) -> Decimal:
    """Inverse of scaled_int, with exactly `places` decimals."""
    return Decimal(value).scaleb(-places).quantize(Decimal(1).scaleb(-places))
