"""Invitation e-mails: each new user's link, sent after the import is committed (a mail never undoes an import)."""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template

from coordination.db import local_tz
from coordination.mail import smtp_connection
from coordination.onboarding.invitations import IssuedInvitation


def build_invitation(invitation: IssuedInvitation) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "[Theo dõi nhiệm vụ] Mời đặt mật khẩu cho tài khoản của bạn"
    message["From"] = current_app.config["MAIL_SENDER"]
    # A name is one line: a CR or LF in a header would refuse the message (or, unchecked, inject a header).
    message["To"] = formataddr((" ".join(invitation.full_name.split()), invitation.email or ""))
    message["Message-ID"] = make_msgid(domain="coordination")
    expires = invitation.expires_at.astimezone(local_tz()).strftime("%H:%M ngày %d/%m/%Y")
    message.set_content(render_template("onboarding/invitation.txt", invitation=invitation, expires=expires))
    return message


def send_invitations(invitations: list[IssuedInvitation]) -> tuple[int, list[str]]:
    """Mail each invitation that has an address; return how many went and the usernames that did not."""
    sent, failed = 0, []
    connection: smtplib.SMTP | None = None
    try:
        for invitation in invitations:
            if not invitation.email:
                failed.append(invitation.username)
                continue
            try:
                connection = connection or smtp_connection()
                connection.send_message(build_invitation(invitation))
                sent += 1
            except (OSError, smtplib.SMTPException) as error:
                current_app.logger.warning("invitation to %s not sent: %s", invitation.username, error)
                failed.append(invitation.username)
                connection = None
    finally:
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.quit()
    return sent, failed
