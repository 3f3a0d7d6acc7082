"""What every ERP mutator shares: argument bases, field types, derived ids, document labels."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.erp.errors import InvalidTransition

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


@dataclass(frozen=True)
class Lifecycle:
    """A document's explicit transition table (STYLE): (state, action) → the state it leads to.
    An action the table lacks raises InvalidTransition, worded with the document's msgids."""

    document: str
    transitions: Mapping[tuple[str, str], str]
    #: state → its msgid ("being counted"); action → what cannot happen ("be posted")
    state_words: Mapping[str, str]
    action_words: Mapping[str, str]

    def next_state(self, current: str, action: str) -> str:
        try:
            return self.transitions[(current, action)]
        except KeyError:
            raise self.refused(current, action) from None

    def refused(self, current: str, action: str, current_word: str | None = None) -> InvalidTransition:
        """The error for `action` from `current` (`current_word`: a finer word than the state's)."""
        return InvalidTransition(field="state", document=self.document,
                                 current=current_word or self.state_words[current], action=self.action_words[action])
