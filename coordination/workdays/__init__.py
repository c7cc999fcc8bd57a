"""Working days (ngày làm việc): the weekly pattern, Vietnam's public holidays and the admin's corrections."""
