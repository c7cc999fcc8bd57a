"""Evidence files (minh chứng): metadata here, bytes in the content-addressed store."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.db import UTCDateTime, utcnow
from coordination.extensions import db


class Evidence(db.Model):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    progress_update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_update.id"))
    #: set when the file answers a request for explanation
    explanation_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("explanation_request.id"))
    #: the cleaned name shown and offered on download
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: detected from the content, never taken from the upload
    content_type: Mapped[str] = mapped_column(sa.String(127))
    size: Mapped[int]
    #: hex SHA-256 of the content; also its key in the store
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: removal is a mark, so that history keeps what was there
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    assignment: Mapped[Assignment] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
