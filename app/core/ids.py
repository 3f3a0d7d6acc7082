"""Row ids: UUIDv7, made where the record is born (also offline on a laptop)."""

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A new time-ordered UUIDv7 (sorts by creation time, so B-tree inserts stay local)."""
    return uuid.UUID(int=uuid6.uuid7().int)


def parse_id(value: str | uuid.UUID) -> uuid.UUID:
    """Parse an id from its text form; raises ValueError on anything that is not a UUID."""
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(value)
