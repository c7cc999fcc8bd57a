"""The app's JSON (coordination/jsoncodec.py): Flask's rules, written as UTF-8 by orjson."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from markupsafe import Markup


def test_an_api_answer_is_utf8_json_not_escapes(client):
    response = client.get("/api/v1/me")  # no token: the 401 problem document, in Vietnamese
    assert response.status_code == 401
    assert "Cần đăng nhập hoặc mã truy cập (token) hợp lệ.".encode() in response.data
    assert b"\\u" not in response.data
    assert response.data.endswith(b"}\n")


def test_keys_sorted_and_compact_as_flask_writes_them(app):
    with app.test_request_context():
        response = app.json.response({"b": 1, "a": {"d": [1, 2], "c": None}, 3: "ba"})
    assert response.mimetype == "application/json"
    assert response.data == b'{"3":"ba","a":{"c":null,"d":[1,2]},"b":1}\n'


def test_values_flask_knows_come_out_as_flask_writes_them(app):
    @dataclass
    class Figure:
        done: int
        total: int

    value = {
        "day": date(2022, 9, 30),
        "at": datetime(2022, 9, 30, 7, 28, tzinfo=UTC),
        "share": Decimal("73.3"),
        "key": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "figure": Figure(37075, 50527),
        "html": Markup("<b>Tây Ninh</b>"),
    }
    with app.app_context():
        text = app.json.dumps(value)
    assert json.loads(text) == {
        "at": "Fri, 30 Sep 2022 07:28:00 GMT",
        "day": "Fri, 30 Sep 2022 00:00:00 GMT",
        "figure": {"done": 37075, "total": 50527},
        "html": "<b>Tây Ninh</b>",
        "key": "12345678-1234-5678-1234-567812345678",
        "share": "73.3",
    }


def test_what_orjson_refuses_is_written_the_slow_way(app):
    with app.app_context():
        assert app.json.dumps({"n": 2**70}) == '{"n": 1180591620717411303424}'
        # json.dumps' own arguments are json.dumps' to honour
        assert app.json.dumps({"a": 1, "b": [1]}, indent=1) == '{\n "a": 1,\n "b": [\n  1\n ]\n}'


def test_an_unknown_type_is_still_refused(app):
    with app.app_context(), pytest.raises(TypeError, match="not JSON serializable"):
        app.json.dumps({"x": object()})
