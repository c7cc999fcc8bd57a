"""One evidence download for the web page and the API: the same checks, headers and answers."""

from __future__ import annotations

from flask import Response, send_file
from flask_babel import gettext as _
from werkzeug.exceptions import Gone

from coordination import audit
from coordination.evidence.content import clean_filename
from coordination.evidence.models import Evidence
from coordination.evidence.operations import open_evidence
from coordination.security import private_download


def evidence_download(evidence: Evidence, *, actor: audit.Actor) -> Response:
    """The file as an attachment no browser renders; 403 before 410: only those allowed learn of a withdrawal."""
    stream = open_evidence(evidence, actor=actor)
    if evidence.removed_at is not None:
        stream.close()
        raise Gone(_("Minh chứng này đã được gỡ."))
    response = send_file(
        stream,
        mimetype=evidence.content_type,
        as_attachment=True,  # with filename*=UTF-8'' for Vietnamese names (RFC 6266 / 5987)
        # Cleaned again: a row stored before the upload rules (or by an import) must not break the header.
        download_name=clean_filename(evidence.filename, evidence.content_type),
        etag=evidence.sha256,
        last_modified=evidence.uploaded_at,
    )
    return private_download(response)
