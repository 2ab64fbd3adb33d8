"""Lanes: fair shares of a process's attempt slots, as tables."""

import pytest

from fluentcrm_webhooks.lanes import LaneState, allocate, reserve, room, share


def test_a_share_always_leaves_room_for_one_more_webhook():
    assert share(256, [LaneState(1, 100, 0)]) == 224  # 32 kept for a newcomer
    assert share(256, [LaneState(1, 100, 5), LaneState(2, 100, 0, has_work=False)]) == 224  # 2 is idle
    assert share(256, [LaneState(n, 100, 1) for n in range(3)]) == 74
    assert share(256, []) == 224
    assert share(4, [LaneState(1, 100, 1)]) == 3
    assert share(4, [LaneState(n, 100, 1) for n in range(10)]) == 1
    assert share(1, [LaneState(1, 100, 0)]) == 1  # one slot: nothing can be kept back


def test_the_busy_lanes_never_fill_every_slot_while_more_than_one_slot_exists():
    for slots in (2, 3, 4, 8, 100, 256, 10_000):
        for busy in (1, 2, 3, 7):
            if slots - reserve(slots) >= busy:
                assert busy * share(slots, [LaneState(n, slots, 0) for n in range(busy)]) < slots


@pytest.mark.parametrize("lane, fair, expected", [
    (LaneState(1, 100, 0), 128, 100),  # the webhook's cap
    (LaneState(1, 100, 90), 128, 10),
    (LaneState(1, 500, 0), 128, 128),  # the fair share
    (LaneState(1, 100, 130), 128, 0),  # over its share after others came: waits
    (LaneState(1, 100, 0, paced=True), 128, 1),  # one probe
    (LaneState(1, 100, 1, paced=True), 128, 0),  # a probe in flight
    (LaneState(1, 100, 0, paced=True, probe_due=False), 128, 0),  # the next probe is not due
])
def test_room(lane, fair, expected):
    assert room(lane, fair) == expected


def test_allocate_round_robin_from_a_rotating_start():
    assert allocate(5, [(1, 10), (2, 10)]) == {1: 3, 2: 2}
    assert allocate(5, [(1, 10), (2, 10)], start=1) == {2: 3, 1: 2}
    assert allocate(10, [(1, 1), (2, 10), (3, 0)]) == {1: 1, 2: 9}
    assert allocate(3, [(1, 1), (2, 1)]) == {1: 1, 2: 1}  # slots left over
    assert allocate(0, [(1, 1)]) == {} and allocate(4, []) == {}
    assert allocate(2, [(1, 5), (2, 5), (3, 5)], start=4) == {2: 1, 3: 1}
