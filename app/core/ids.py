"""Row ids: UUIDv7, made where the record is born (also offline on a laptop)."""

import secrets
import threading
import time
import uuid

# RFC 9562 method 1: 48-bit unix ms | ver 7 | 12-bit rand_a | var 10 | 62-bit rand_b, with a 42-bit
# counter across rand_a and the top of rand_b so ids made in one millisecond still sort in order.
# (uuid6.uuid7 instead moves the timestamp 1 ms ahead per id: a burst of 10,000 ids dates them
# 10 s into the future.)
_COUNTER_BITS = 42
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_lock = threading.Lock()
_last_ms = 0
_last_counter = 0


def _next_stamp() -> tuple[int, int]:
    global _last_ms, _last_counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            counter = secrets.randbits(_COUNTER_BITS - 1)  # top bit clear: room to count up
        else:  # same millisecond, or the clock stepped back: keep counting on the last one
            ms = _last_ms
            counter = _last_counter + 1
            if counter > _COUNTER_MAX:
                ms += 1
                counter = secrets.randbits(_COUNTER_BITS - 1)
        _last_ms, _last_counter = ms, counter
        return ms, counter


def new_id() -> uuid.UUID:
    """A new time-ordered UUIDv7 (sorts by creation time, so B-tree inserts stay local)."""
    ms, counter = _next_stamp()
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= (counter >> 30) << 64  # 12 high counter bits in rand_a
    value |= 0b10 << 62
    value |= (counter & 0x3FFF_FFFF) << 32  # 30 low counter bits at the top of rand_b
    value |= secrets.randbits(32)
    return uuid.UUID(int=value)


def id_time_ms(value: uuid.UUID) -> int:
    """The unix time in milliseconds a UUIDv7 was made at."""
    return value.int >> 80


def parse_id(value: str | uuid.UUID) -> uuid.UUID:
    """Parse an id from its text form; raises ValueError on anything that is not a UUID."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not an id: {value!r}")
    return uuid.UUID(value)
