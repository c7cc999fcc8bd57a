"""Webhooks: endpoints registered by an admin hear about events, signed, retried and recorded (issue 15)."""
