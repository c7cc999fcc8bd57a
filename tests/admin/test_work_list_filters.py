"""The work list ("Việc của đơn vị") keeps filters that come from elsewhere."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.extensions import db


def test_work_list_keeps_the_dashboard_filters_when_filtered_again(app, login) -> None:
    from coordination.agencies.models import Agency

    stp = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-STP"))
    html = (
        login("monitor.tayninh")
        .get(f"/app/assignment/?agency={stp.id}&issued_from=2022-01-01&issued_to=2022-12-31&timeliness=overdue")
        .get_data(as_text=True)
    )
    assert f'<input type="hidden" name="agency" value="{stp.id}">' in html
    assert '<input type="hidden" name="issued_from" value="2022-01-01">' in html
    assert '<input type="hidden" name="issued_to" value="2022-12-31">' in html
