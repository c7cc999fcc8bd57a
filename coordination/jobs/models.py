"""An export run in the background: its request, its progress and the file it produced."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import User
from coordination.db import UTCDateTime, str_enum, utcnow
from coordination.extensions import db


class JobStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


#: statuses of a job still under way (the page keeps polling)
PENDING = (JobStatus.queued, JobStatus.running)


class ExportJob(db.Model):
    """One export asked for by a user; the source of truth for who may see it and its file."""

    __tablename__ = "export_job"
    __table_args__ = (
        # the reports page's "your recent exports"
        sa.Index("ix_export_job_user_created", "user_id", "created_at"),
        # `jobs purge`: the expired files
        sa.Index("ix_export_job_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    #: "compliance" (the only kind so far)
    kind: Mapped[str] = mapped_column(sa.String(40), default="compliance")
    #: the report's arguments as the request named them (ids, codes, ISO days), read again by the worker
    arguments: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    format: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "export_job_status"), default=JobStatus.queued)
    #: assignments processed so far, of `progress_total` (the scope's rows, counted by the worker)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None] = mapped_column()
    #: the stored file's key in the export store (a content address), its download name and size
    file_key: Mapped[str | None] = mapped_column(sa.String(64))
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    file_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: why it failed, in the requester's language
    error: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: after this the file is gone (410) and `jobs purge` deletes it
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def done(self) -> bool:
        return self.status == JobStatus.done

    @property
    def rq_id(self) -> str:
        """The RQ job's id: the only thing the queue carries."""
        return f"export-{self.id}"
