"""The plain-event reader reads exactly what the packet class reads, or leaves the frame to it."""

from __future__ import annotations

import math

import orjson
import pytest
import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from realtime import event_frames, packet_json
from realtime.limits import MAX_EVENT_BYTES

FIX = '["location:update",{"coordinates":[2.35,48.85],"timestamp":1800000000000,"accuracy":5.0}]'


def library_reading(frame: str) -> tuple[int | None, str, list[object]] | None:
    """What the packet class makes of `frame` when it is a readable event on the default namespace."""
    try:
        packet = packet_json.Packet(encoded_packet=frame)
    except ValueError:
        return None
    if packet.packet_type != socketio.packet.EVENT or packet.namespace is not None:
        return None
    data = packet.data
    if not isinstance(data, list) or not isinstance(data[0], str) or data[0] == packet_json.UNREADABLE_EVENT:
        return None
    if any(isinstance(arg, packet_json.Oversized | packet_json.Unreadable) for arg in data[1:]):
        return None
    return packet.id, data[0], data[1:]


def test_reads_an_update_with_its_ack_id() -> None:
    assert event_frames.plain_event("217" + FIX) == (
        17,
        "location:update",
        [{"coordinates": [2.35, 48.85], "timestamp": 1_800_000_000_000, "accuracy": 5.0}],
    )
    assert event_frames.plain_event("2" + FIX) == (None, "location:update", [orjson.loads(FIX)[1]])
    assert event_frames.plain_event('2007["a"]') == (7, "a", [])


def test_reads_what_only_the_stdlib_codec_reads_as_the_packet_class_does() -> None:
    # The handler then names the field: a float timestamp, a NaN coordinate.
    frame = '21["location:update",{"timestamp":' + "9" * 30 + "}]"
    assert event_frames.plain_event(frame) == library_reading(frame) == (1, "location:update", [{"timestamp": 1e30}])
    reading = event_frames.plain_event('21["location:update",NaN]')
    assert reading is not None and math.isnan(reading[2][0])


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "2",
        "3" + FIX,
        "2/admin," + FIX,
        "21-" + FIX,
        "51-" + FIX,
        "2" + "1" * 16 + FIX,
        "2\u0663" + FIX,
        '21["location:update",{"a":',
        '21["connect",{}]',
        '21["' + "x" * 65 + '"]',
        "21[1]",
        '21[""]',
        "21[]",
        '21{"a":1}',
        "21" + "[" * 40 + "]" * 40,
        '21["location:update","' + "x" * MAX_EVENT_BYTES + '"]',
    ],
)
def test_leaves_every_other_frame_to_the_packet_class(frame: str) -> None:
    assert event_frames.plain_event(frame) is None


def test_leaves_binary_frames_to_the_packet_class() -> None:
    assert event_frames.plain_event(b"21" + FIX.encode()) is None


frames = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda head, ack, payload: head + ack + payload,
        st.sampled_from(["2", "2/", "2/x,", "21-", "3", "0"]),
        st.sampled_from(["", "0", "7", "0012", "1" * 15, "1" * 16, "\u0663", "-"]),
        st.one_of(
            st.text(max_size=20),
            st.builds(
                lambda value: orjson.dumps(value).decode(),
                st.lists(
                    st.one_of(
                        st.sampled_from(["location:update", "connect", "*", "", "x" * 65]),
                        st.integers(-(2**63), 2**63 - 1),
                        st.dictionaries(
                            st.text(max_size=4),
                            st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=4),
                        ),
                    ),
                    max_size=3,
                ),
            ),
        ),
    ),
)


@settings(max_examples=600, deadline=None)
@given(frames)
def test_agrees_with_the_packet_class_wherever_it_reads(frame: str) -> None:
    reading = event_frames.plain_event(frame)
    if reading is not None:
        assert reading == library_reading(frame)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**15),
    st.none() | st.dictionaries(st.text(max_size=5), st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5)),
)
def test_the_ack_frame_is_the_packet_classs_encoding(ack_id: int, answer: object) -> None:
    data = event_frames.ack_data(answer)
    library = packet_json.Packet(socketio.packet.ACK, namespace="/", id=ack_id, data=data).encode()
    assert event_frames.ack_frame(ack_id, data) == "4" + library


def test_answers_orjson_cannot_write_are_left_to_the_packet_class() -> None:
    assert event_frames.ack_frame(1, [{"n": 2**70}]) is None
    assert event_frames.ack_frame(1, [b"\x00"]) is None
    assert event_frames.ack_data((1, 2)) == [1, 2]
    assert event_frames.ack_data(None) == []
