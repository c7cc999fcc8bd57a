"""Web sessions: who a session cookie signs in, for how long, and ending them all.

The session cookie names its user as "id:nonce" (User.get_id); the nonce changes when the password
changes, the account is deactivated or the user logs out, which ends every session of that user on every
device. A session also ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
login, whatever happens in between. Remember-me is not offered: closing the browser ends the session.

Between a right password and the second factor (issue 15) the session holds only a pending sign-in:
who, which step ("code" or "enrol"), since when, and where to go after. Flask-Login knows nothing of it;
the user is signed in (start_session) only once the second step is done, within TOTP_PENDING_MINUTES.
"""

from __future__ import annotations

import secrets
import time

import sqlalchemy as sa
from flask import current_app, session
from flask_login import login_user

from coordination.auth.models import ApiToken, User, new_session_nonce
from coordination.db import utcnow
from coordination.extensions import db

#: the last-seen time is rewritten at most this often (seconds), so that not every page sets a cookie
SEEN_PRECISION = 60


#: the session key of a sign-in waiting for its second factor
PENDING_KEY = "pending_login"


def _fresh_session() -> None:
    """Drop everything from the session but the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def begin_pending_login(user: User, step: str, target: str | None) -> None:
    """Remember that `user` gave the right password and still owes `step` ("code" or "enrol")."""
    _fresh_session()
    session[PENDING_KEY] = {"user": user.get_id(), "step": step, "at": int(time.time()), "next": target}


def pending_login() -> tuple[User, str, str | None] | None:
    """The pending sign-in of this session (user, step, where to go after), or None if there is none or it expired."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    at, user_id = data.get("at"), data.get("user")
    max_age = int(current_app.config["TOTP_PENDING_MINUTES"]) * 60
    if not isinstance(at, int) or not isinstance(user_id, str) or not 0 <= time.time() - at <= max_age:
        session.pop(PENDING_KEY, None)
        return None
    id_part, _sep, nonce = user_id.partition(":")
    user = db.session.get(User, int(id_part)) if id_part.isdigit() and len(id_part) <= 18 else None
    # A password changed, a logout elsewhere or a deactivation in between ends the pending sign-in too.
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        session.pop(PENDING_KEY, None)
        return None
    step, target = data.get("step"), data.get("next")
    return user, str(step), target if isinstance(target, str) else None


def start_session(user: User) -> None:
    """Sign `user` in with fresh session data (nothing from before login survives but the language)."""
    _fresh_session()
    login_user(user)  # remember=False: no long-lived cookie
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


def end_sessions(user: User, *, revoke_tokens: bool = True) -> None:
    """End every session of `user` (and, unless told otherwise, every API token); flush."""
    user.session_nonce = new_session_nonce()
    if revoke_tokens:
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    db.session.flush()


def _expired(now: int) -> bool:
    config = current_app.config
    auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        return True
    return (
        now - seen_at > int(config["SESSION_IDLE_MINUTES"]) * 60
        or now - auth_at > int(config["SESSION_MAX_HOURS"]) * 3600
    )


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user_loader: the user this session names, if the session is still good."""
    id_part, sep, nonce = (user_id or "").partition(":")
    if not sep or not id_part.isdigit() or len(id_part) > 18:
        return None
    now = int(time.time())
    if _expired(now):
        _forget()
        return None
    user = db.session.get(User, int(id_part))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        _forget()
        return None
    if now - session["seen_at"] >= SEEN_PRECISION:
        session["seen_at"] = now
    return user


def _forget() -> None:
    """Drop an ended session's sign-in (the language stays)."""
    for key in ("_user_id", "_fresh", "_id", "auth_at", "seen_at"):
        session.pop(key, None)
