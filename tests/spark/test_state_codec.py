"""The partition states travel from executors to the driver as tagged JSON, never pickle."""

import math

from datacouple.profile.spark.partitions import decode_state, encode_state


def test_every_value_a_state_holds_survives_the_trip():
    state = {"binary domain": {b"\x00\xff": 2, b"": 1}, "booleans": {True: 3, False: 4},
             "numbers": {1.5: 2, -7: 1, 2**70: 1}, "looks tagged": {"__pairs__": 5},
             "also": {"__bytes__": "not base64"}, "list": [1, None, "s", [2, 3]],
             "raw": b"registers", "nan": float("nan")}
    back = decode_state(encode_state(state))
    assert math.isnan(back.pop("nan")) and math.isnan(state.pop("nan"))
    assert back == state


def test_a_state_is_json_not_pickle():
    import zlib

    text = zlib.decompress(encode_state({"a": {b"k": 1}})).decode("utf-8")
    assert text == '{"a":{"__pairs__":[[{"__bytes__":"aw=="},1]]}}'
