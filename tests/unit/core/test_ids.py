"""Row ids are UUIDv7: unique, time-ordered, and parseable from their text form."""

import threading
import time
import uuid

import pytest

from app.core.ids import id_time_ms, new_id, parse_id


def test_new_id_is_uuid_version_7_with_rfc_variant() -> None:
    value = new_id()
    assert isinstance(value, uuid.UUID)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_ten_thousand_ids_are_all_different() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)


def test_ids_made_in_sequence_sort_in_creation_order_across_milliseconds() -> None:
    made: list[uuid.UUID] = []
    for _ in range(5):
        made.extend(new_id() for _ in range(50))  # many within one millisecond
        time.sleep(0.002)
    assert len({id_time_ms(i) for i in made}) > 1  # the run did span milliseconds
    assert sorted(made) == made
    assert sorted(str(i) for i in made) == [str(i) for i in made]  # text form sorts the same


def test_id_carries_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= id_time_ms(value) <= after


def test_burst_of_ids_does_not_date_them_into_the_future() -> None:
    ids = [new_id() for _ in range(20_000)]
    now_ms = time.time_ns() // 1_000_000
    # a counter keeps order within a millisecond; bumping the clock per id would be ~20 s ahead
    assert id_time_ms(ids[-1]) <= now_ms + 1
    assert sorted(ids) == ids


def test_ids_from_several_threads_are_unique() -> None:
    results: list[list[uuid.UUID]] = [[] for _ in range(4)]

    def make(bucket: list[uuid.UUID]) -> None:
        bucket.extend(new_id() for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(bucket,)) for bucket in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for bucket in results for i in bucket]
    assert len(set(every)) == len(every)
    assert all(sorted(bucket) == bucket for bucket in results)


def test_parse_id_round_trips_the_text_form() -> None:
    value = new_id()
    assert parse_id(str(value)) == value
    assert parse_id(str(value).upper()) == value
    assert parse_id(value.hex) == value


def test_parse_id_passes_a_uuid_through() -> None:
    value = new_id()
    assert parse_id(value) is value


@pytest.mark.parametrize("text", ["", "not-an-id", "0190f0f0-0000-7000-8000", "zz" * 16])
def test_parse_id_refuses_what_is_not_a_uuid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_id(text)


def test_parse_id_refuses_a_number_with_value_error() -> None:
    with pytest.raises(ValueError):
        parse_id(12345)  # type: ignore[arg-type]
