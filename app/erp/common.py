"""What every ERP mutator shares: argument bases, field types, derived ids, document labels."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
#: a quantity that moves or is ordered: more than zero, 4 decimals
Qty = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
#: a counted or planned quantity: zero allowed
QtyOrZero = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
Price = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]

#: the namespace of ids derived from other ids, so a client and the server make the same row
_DERIVED = uuid.UUID("5d0a9c1e-8f53-4e0b-9a57-3c0b7f6e2a41")


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


def derived_id(*parts: object) -> uuid.UUID:
    """An id both sides compute alike from the ids it belongs to (a stock level, an order's first
    delivery): the row is born where its parent is, whoever runs the mutator."""
    return uuid.uuid5(_DERIVED, ":".join(str(p) for p in parts))


def document_label(series: str, number: str | None, row_id: uuid.UUID) -> str:
    """The number the server gave, or a provisional one until the document's first sync."""
    return number or f"{series}-*{row_id.hex[-6:].upper()}"
