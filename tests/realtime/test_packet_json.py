"""The Socket.IO packet codec: orjson, with the library's codec for what orjson refuses."""

from __future__ import annotations

import math

import pytest
import socketio

from realtime import packet_json


def test_round_trips_an_event() -> None:
    event = ["location:update", {"coordinates": [2.35, 48.85], "timestamp": 1_800_000_000_000, "accuracy": 5.0}]
    text = packet_json.dumps(event, separators=(",", ":"))
    assert text == '["location:update",{"coordinates":[2.35,48.85],"timestamp":1800000000000,"accuracy":5.0}]'
    assert packet_json.loads(text) == event


def test_integers_beyond_64_bits_parse_as_numbers_the_handler_refuses() -> None:
    # A float where an epoch-ms integer is due: the strict field answers VALIDATION_ERROR, and no
    # 200-digit integer is ever built.
    assert packet_json.loads('{"timestamp": 1000000000000000000000000000000}') == {"timestamp": 1e30}
    assert isinstance(packet_json.loads('{"timestamp": ' + "9" * 200 + "}")["timestamp"], float)


def test_integers_of_thousands_of_digits_parse_as_infinity_not_as_an_error() -> None:
    # Beyond orjson's doubles the stdlib parses the rest; it raised on 4,300+ digits and the event went unanswered.
    assert packet_json.loads('{"timestamp": ' + "9" * 5000 + "}") == {"timestamp": math.inf}


def test_nesting_beyond_the_bound_is_unreadable() -> None:
    deep = "[" * (packet_json.MAX_DEPTH + 1) + "]" * (packet_json.MAX_DEPTH + 1)
    with pytest.raises(packet_json.UnreadableJson):
        packet_json.loads(deep)
    with pytest.raises(packet_json.UnreadableJson):
        packet_json.loads("[" * 5000 + "]" * 5000)
    assert packet_json.loads('{"points": [{"coordinates": [1, 2]}]}') == {"points": [{"coordinates": [1, 2]}]}


def event_data(frame: str) -> tuple[int | None, list[object]]:
    packet = packet_json.Packet(encoded_packet=frame)
    assert packet.packet_type == socketio.packet.EVENT
    data: list[object] = packet.data
    return packet.id, data


@pytest.mark.parametrize(
    "frame",
    ['7["location:update",{"a":', "7", "7{}", "7[]", "7[1,{}]", '7["connect",{}]', '7["' + "x" * 65 + '"]'],
)
def test_unreadable_events_keep_their_ack_id(frame: str) -> None:
    ack_id, data = event_data("2" + frame)
    assert ack_id == 7
    assert data[0] == packet_json.UNREADABLE_EVENT and isinstance(data[1], packet_json.Unreadable)


# Unknown packet types and unjoined namespaces are refused by the server, which knows them (test_hostile_frames).
@pytest.mark.parametrize(
    "frame", ["", "x", "0{", "3[", "51234567890-[]", "5" + "1" * 30 + "-[]", "5-[1]", '50-["location:update",{}]']
)
def test_frames_that_are_not_socket_io_raise(frame: str) -> None:
    with pytest.raises(packet_json.NotSocketIO):
        packet_json.Packet(encoded_packet=frame)


def test_binary_attachments_are_counted_not_kept() -> None:
    packet = packet_json.Packet(encoded_packet='52-3["location:update",{"_placeholder":true,"num":0}]')
    assert packet.attachment_count == 2
    assert packet.add_attachment(b"x" * 1000) is False
    assert packet.add_attachment(b"y") is True
    assert packet.attachments == [None, None]
    assert packet.data[0] == "location:update" and isinstance(packet.data[1], packet_json.Unreadable)
    with pytest.raises(packet_json.NotSocketIO):
        packet.add_attachment(b"z")


def test_non_finite_numbers_parse_so_validation_names_the_field() -> None:
    parsed = packet_json.loads('{"accuracy": Infinity, "speed": NaN}')
    assert parsed["accuracy"] == math.inf and math.isnan(parsed["speed"])


def test_malformed_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        packet_json.loads('{"coordinates": [2.35,')


def test_acks_the_library_cannot_encode_with_orjson_fall_back() -> None:
    assert packet_json.dumps({"n": 10**30}) == '{"n":1000000000000000000000000000000}'


def test_the_packet_class_uses_the_codec_without_touching_the_library_default() -> None:
    packet = packet_json.Packet(socketio.packet.ACK, data=[{"ok": True, "accepted": 1}], id=7)
    assert packet.encode() == '37[{"ok":true,"accepted":1}]'
    assert packet_json.Packet.json is packet_json
    assert socketio.packet.Packet.json is not packet_json


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        ({"ok": True, "accepted": 1}, False),
        ([{"a": [1, 2, {"b": "x"}]}], False),
        ([{"a": [1, 2, {"b": b"x"}]}], True),
        (bytearray(b"x"), True),
        ([], False),
        ("text", False),
    ],
)
def test_binary_detection_agrees_with_the_library(data: object, binary: bool) -> None:
    assert packet_json.Packet.data_is_binary(data) is binary
    assert socketio.packet.Packet.data_is_binary(data) is binary
