"""API bearer tokens: issue, find from a request, revoke. Only a token's SHA-256 is stored.

Operations flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Request, current_app
from sqlalchemy.orm import joinedload

from coordination.auth.models import ApiToken, User
from coordination.db import prepared, utcnow
from coordination.extensions import db

#: a token's last use is written at most this often (one UPDATE a minute, not one per request)
LAST_USED_PRECISION = timedelta(minutes=1)
#: longer "tokens" are not ours: refuse them before hashing
TOKEN_MAX_LENGTH = 200


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """Create a token for `user`; return the secret (shown once, never stored) and its row."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user=user,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(hours=int(current_app.config["API_TOKEN_TTL_HOURS"])),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def revoke_token(token: ApiToken) -> None:
    """Make the token unusable from now on."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()


def bearer_of(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > TOKEN_MAX_LENGTH:
        return None
    return value


#: every API request runs it: built once (its cache key too) and prepared once per connection (db.prepared)
#: (with the user's agency: an officer's list of its own agency's work then needs no lookup of the code)
_TOKEN_BY_HASH = prepared(
    sa.select(ApiToken)
    .options(joinedload(ApiToken.user).joinedload(User.agency))
    .where(ApiToken.token_hash == sa.bindparam("token_hash"))
)


def find_token(raw: str) -> ApiToken | None:
    """The live token with this secret (not expired, not revoked, its user active), or None."""
    token = db.session.scalar(_TOKEN_BY_HASH, {"token_hash": hash_token(raw)})
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow() or not token.user.active:
        return None
    return token


#: where a request keeps its token once looked up: the WSGI environ lives exactly as long as the request
#: (`g` belongs to the app context, which a test or a CLI command may share between requests)
_ENVIRON_KEY = "coordination.api_token"


def token_from_request(request: Request) -> ApiToken | None:
    """The live token the request carries (looked up once per request), its use recorded."""
    if _ENVIRON_KEY not in request.environ:
        raw = bearer_of(request)
        token = find_token(raw) if raw else None
        if token is not None:
            _touch(token)
        request.environ[_ENVIRON_KEY] = token
    return request.environ[_ENVIRON_KEY]


def _touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        # Its own commit, before the request does any work: a read-only GET commits nothing else.
        db.session.commit()


def load_user_from_request(request: Request) -> User | None:
    """Flask-Login's request_loader: the user of a bearer token, for /api/ paths only."""
    if not request.path.startswith("/api/"):
        return None
    token = token_from_request(request)
    return token.user if token is not None else None
