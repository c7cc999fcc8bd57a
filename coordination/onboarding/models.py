"""Invitations: how a user created by an import chooses a first password (the file never holds one)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import User
from coordination.db import UTCDateTime, utcnow
from coordination.extensions import db


class Invitation(db.Model):
    """A one-time link to set a password; only the token's SHA-256 is stored."""

    __tablename__ = "user_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the secret in the link: a copy of the database opens no account
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: when the user set a password with it; a used link is refused
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
