"""Message ids sort by creation, within a millisecond too (TR056 and newest-first paging read order from them)."""

from __future__ import annotations

import threading

from gateway.store.ids import IdMaker, new_id


def test_ids_of_one_millisecond_are_made_in_increasing_order() -> None:
    """Ten thousand ids with the same millisecond: each greater than the one before, all 26 characters."""
    maker = IdMaker()
    made = [maker.new(1_765_000_000_000) for _ in range(10_000)]
    assert all(len(i) == 26 for i in made)
    assert made == sorted(made) and len(set(made)) == len(made)


def test_a_later_millisecond_sorts_after_and_starts_from_random_bits() -> None:
    """The time part leads; two processes' first ids of a millisecond differ (the random part)."""
    maker = IdMaker()
    a, b = maker.new(1_765_000_000_000), maker.new(1_765_000_000_001)
    assert a < b and a[:10] != b[:10]
    assert len({maker.new(1_765_000_000_000 + ms)[10:] for ms in range(2, 50)}) == 48
    assert maker.new(1_700_000_000_000) > b  # a clock that stepped back: still after the last


def test_the_process_maker_orders_store_ids_as_the_memory_store_takes_them() -> None:
    """new_id with an explicit (store clock) time is the same ordered sequence."""
    first = new_id(1_000)  # long before now: it continues after the process's last id
    assert new_id(1_000) > first


def test_threads_taking_ids_at_once_get_distinct_increasing_ones() -> None:
    """Eight threads: no duplicate, and each thread's own ids increase."""
    per_thread: list[list[str]] = [[] for _ in range(8)]

    def take(out: list[str]) -> None:
        out.extend(new_id() for _ in range(2_000))

    threads = [threading.Thread(target=take, args=(out,)) for out in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for out in per_thread for i in out]
    assert len(set(every)) == len(every)
    assert all(out == sorted(out) for out in per_thread)
