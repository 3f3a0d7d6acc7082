"""What every CRM mutator shares: argument bases, string types, patch helpers."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.pinyin import pinyin_keys
from app.core.tx import Change

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Percent = Annotated[int, Field(ge=0, le=100)]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Archive(Args):
    id: uuid.UUID
    archived: bool = True


def changes(args: BaseModel, skip: tuple[str, ...] = ()) -> dict[str, Change[Any]]:
    """The patch's field changes (every field but the id and `skip`, that the user set)."""
    return {k: v for k, v in args if k != "id" and k not in skip and isinstance(v, Change)}


def name_keys(applied: dict[str, Any]) -> dict[str, str]:
    """Tx.patch's `derived`: pinyin and initials of a new name, in the same UPDATE."""
    if "name" not in applied:
        return {}
    full, initials = pinyin_keys(applied["name"])
    return {"name_pinyin": full, "name_initials": initials}
