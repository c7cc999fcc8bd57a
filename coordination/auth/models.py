"""Users, API tokens and login attempts."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency
from coordination.db import UTCDateTime, str_enum, utcnow
from coordination.extensions import db

# argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, t=3, p=4) exceeds OWASP's minimum
# (19 MiB, t=2, p=1). The cheap profile exists only so the test suite does not spend minutes hashing;
# create_app refuses it in production and no environment variable selects it.
PASSWORD_PROFILES = {
    "owasp": PasswordHasher(),
    "tests-only": PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1),
}


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "owasp") if has_app_context() else "owasp"
    return PASSWORD_PROFILES[profile]


def new_session_nonce() -> str:
    return secrets.token_hex(16)


class Role(enum.StrEnum):
    admin = "admin"
    office = "office"
    monitor = "monitor"
    officer = "officer"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.officer)
    #: the agency's head (lãnh đạo): assigns its work to handlers (phân công xử lý), told when work escalates
    is_head: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: "vi" or "en", chosen by the language switch
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: secret in the user's iCalendar URL; a new one revokes the old
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: part of every session's user id ("id:nonce"); a new value (password changed, account deactivated,
    #: logout) ends every session signed with the old one
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=new_session_nonce, server_default="")
    # Issue 15: the second factor (coordination/auth/totp.py).
    #: the TOTP secret, sealed with TOTP_ENCRYPTION_KEY (never in clear); set while enrolling or enrolled
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    #: when the user confirmed its authenticator with a code; None: no second factor (or enrolment unfinished)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the last accepted 30-second time step: a code of that step or an earlier one is a replay
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger())

    agency: Mapped[Agency | None] = relationship()

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})"

    def get_id(self) -> str:  # what Flask-Login keeps in the session cookie
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher().hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            return _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def has_totp(self) -> bool:
        """Whether sign-in asks this user for a second factor."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def password_needs_rehash(self) -> bool:
        return bool(self.password_hash) and _hasher().check_needs_rehash(self.password_hash)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """One try at the login form; counted in the database so every gunicorn worker sees it."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_username_at", "username", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    #: SHA-256 (hex) of "user_id:code" (the code is 80 random bits, see totp.hash_recovery_code)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: set when the code signs in once; a used code never works again
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
