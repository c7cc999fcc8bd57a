"""Chờ xử lý: what waits for a monitor's or an office's decision (issue 11)."""
