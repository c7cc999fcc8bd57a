"""The one way the app opens its SMTP connection (the reminders' digests, the onboarding invitations)."""

from __future__ import annotations

import smtplib

from flask import current_app


def smtp_connection() -> smtplib.SMTP:
    """A connection to MAIL_SERVER, STARTTLS and login as the settings say; the caller quits it."""
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    if config["MAIL_USE_TLS"]:
        connection.starttls()
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return connection
