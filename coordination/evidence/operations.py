"""Attaching, removing and reading evidence files. Operations flush; the caller commits."""

from __future__ import annotations

import errno
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from coordination import audit
from coordination.assignments.models import Assignment, ProgressUpdate
from coordination.assignments.operations import check_version, report_progress
from coordination.assignments.states import Action, Status
from coordination.db import utcnow
from coordination.errors import Conflict, Forbidden, Invalid, NotFound, OperationError
from coordination.evidence.content import clean_filename, detect_type
from coordination.evidence.models import Evidence
from coordination.evidence.storage import CHUNK, TooLarge, forget_new_blobs_on_rollback
from coordination.evidence.stores import get_store
from coordination.extensions import db
from coordination.permissions import Permission, can
from coordination.uploads import UnsafeFile, check_image

EVIDENCE_AUDIT_FIELDS = ["filename", "content_type", "size", "sha256"]
SNIFF_BYTES = 1024 * 1024
log = logging.getLogger("coordination.evidence")


class PayloadTooLarge(OperationError):
    status = 413


class UnsupportedType(OperationError):
    status = 415


class StorageFull(OperationError):
    """The evidence store's disk is full: nothing was kept, the administrator must make room."""

    status = 507


#: the errors of a full disk or quota (ENOSPC, EDQUOT, EFBIG)
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def add_evidence(
    assignment: Assignment,
    stream: BinaryIO,
    filename: str | None,
    *,
    actor: audit.Actor,
    update: ProgressUpdate | None = None,
) -> Evidence:
    """Store one file for the assignment after checking who sends it, its size and its real type."""
    if not audit.is_system(actor) and not can(actor, Permission.assignment_work, assignment):
        raise Forbidden(_("Bạn không có quyền nộp minh chứng cho nhiệm vụ này."))
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    too_large = PayloadTooLarge(
        _("Tệp “%(name)s” vượt quá giới hạn %(mb)s MB.", name=filename or "", mb=limit // (1024 * 1024)),
        errors={"file": [_("Tệp quá lớn.")]},
    )
    with _spool(stream, limit) as whole:
        if whole is None:
            raise too_large
        head = whole.read(SNIFF_BYTES)
        whole.seek(0)
        if not head:
            raise Invalid(_("Tệp “%(name)s” rỗng.", name=filename or ""), errors={"file": [_("Tệp rỗng.")]})
        try:
            content_type = detect_type(head, whole)
            check_image(head, max_pixels=int(current_app.config["EVIDENCE_MAX_PIXELS"]))
        except UnsafeFile as unsafe:
            log.warning("evidence refused: %r, %s", filename, unsafe.reason)
            raise UnsupportedType(
                _("Tệp “%(name)s” quá lớn khi mở (tệp nén hoặc ảnh bất thường).", name=filename or ""),
                errors={"file": [_("Tệp bất thường.")]},
            ) from None
        whole.seek(0)
        if content_type is None or content_type not in current_app.config["EVIDENCE_ALLOWED_TYPES"]:
            raise UnsupportedType(
                _(
                    "Tệp “%(name)s” không thuộc loại được chấp nhận (PDF, PNG, JPEG, DOCX, XLSX, ODT, văn bản thuần).",
                    name=filename or "",
                ),
                errors={"file": [_("Loại tệp không được chấp nhận.")]},
            )
        store = get_store()
        try:
            blob = store.put(whole, max_size=limit)
        except TooLarge:
            raise too_large from None
        except OSError as error:
            if error.errno not in _FULL:
                raise
            current_app.logger.error("evidence store full: %s", error)
            raise StorageFull(
                _("Máy chủ không còn chỗ lưu tệp “%(name)s”; hãy báo quản trị viên.", name=filename or ""),
                errors={"file": [_("Không còn chỗ lưu tệp.")]},
            ) from None
    forget_new_blobs_on_rollback(db.session(), store, blob)
    evidence = Evidence(
        assignment=assignment,
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        size=blob.size,
        sha256=blob.sha256,
        uploaded_by=audit.acting_user(actor),
        progress_update_id=update.id if update is not None else None,
    )
    db.session.add(evidence)
    db.session.flush()
    audit.record(
        actor,
        "evidence.add",
        "evidence",
        evidence.id,
        after=audit.snapshot(evidence, EVIDENCE_AUDIT_FIELDS),
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    return evidence


@contextmanager
def _spool(stream: BinaryIO, limit: int) -> Iterator[BinaryIO | None]:
    """The whole upload in a temporary file (memory up to 1 MB), or None when it is larger than `limit`.

    The type check needs all of it: a DOCX or XLSX is judged by the directory at the end of its zip.
    """
    with tempfile.SpooledTemporaryFile(max_size=SNIFF_BYTES) as spool:
        size = 0
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                yield None
                return
            spool.write(chunk)
        spool.seek(0)
        yield spool


def remove_evidence(evidence: Evidence, *, actor: audit.Actor, reason: str = "") -> Evidence:
    """Withdraw a file before the work is accepted; the row stays, marked, and history says who and why."""
    assignment = evidence.assignment
    # Those who may see the file are told why it stays; everyone else just may not.
    if assignment.status == Status.done and (
        audit.is_system(actor) or can(actor, Permission.assignment_view_private, assignment)
    ):
        raise Conflict(_("Nhiệm vụ đã được xác nhận hoàn thành: không thể gỡ minh chứng."))
    if not audit.is_system(actor) and not can(actor, Permission.assignment_work, assignment):
        raise Forbidden(_("Bạn không có quyền gỡ minh chứng này."))
    if evidence.removed_at is not None:
        raise Conflict(_("Minh chứng này đã được gỡ."))
    evidence.removed_at = utcnow()
    evidence.removed_by_id = audit.acting_user_id(actor)
    audit.record(
        actor,
        "evidence.remove",
        "evidence",
        evidence.id,
        before=audit.snapshot(evidence, EVIDENCE_AUDIT_FIELDS),
        after={"reason": reason},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    return evidence


def open_evidence(evidence: Evidence, *, actor: audit.Actor) -> BinaryIO:
    """The file's bytes, for someone allowed to see the assignment's private details."""
    if not audit.is_system(actor) and not can(actor, Permission.assignment_view_private, evidence.assignment):
        raise Forbidden(_("Bạn không có quyền xem minh chứng này."))
    try:
        return get_store().open(evidence.sha256)
    except FileNotFoundError:
        current_app.logger.error("evidence %s: content %s missing from the store", evidence.id, evidence.sha256)
        raise NotFound(_("Tệp minh chứng không còn trong kho lưu trữ; hãy báo quản trị viên.")) from None


def report_with_evidence(
    assignment: Assignment,
    files: list[tuple[BinaryIO, str | None]],
    *,
    actor: audit.Actor,
    note: str = "",
    progress_percent: int | None = None,
    action: Action | None = None,
    expected_version: int | None = None,
) -> tuple[ProgressUpdate | None, list[Evidence]]:
    """Report progress and attach files as one step (the web form's "Gửi báo cáo"); the files point to the update.

    Files alone, with no note, percentage or status change, are attached without a progress update.
    """
    update = None
    if note.strip() or progress_percent is not None or action is not None or not files:
        update = report_progress(
            assignment,
            actor=actor,
            note=note,
            progress_percent=progress_percent,
            action=action,
            expected_version=expected_version,
        )
    else:
        check_version(assignment, expected_version)
    evidence = [add_evidence(assignment, stream, name, actor=actor, update=update) for stream, name in files]
    return update, evidence
