"""A real SMTP server started in the test process (the reminders' fixture), for the invitation e-mails."""

from tests.reminders.test_mail_and_calendar import smtp_server  # noqa: F401
