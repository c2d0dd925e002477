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
