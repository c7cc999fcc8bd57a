"""Posting an onboarding file as multipart/form-data, encoded in memory."""

from __future__ import annotations

import io
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart


def multipart(content: bytes, name: str, **fields: str) -> dict[str, Any]:
    """The keyword arguments of client.post for a `file` and plain fields."""
    parts = MultiDict([("file", FileStorage(io.BytesIO(content), filename=name)), *fields.items()])
    boundary, body = encode_multipart(parts)
    return {"data": body, "content_type": f'multipart/form-data; boundary="{boundary}"'}
