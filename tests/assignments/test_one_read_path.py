"""The assignment page and GET /api/v1/assignments/{id} read one record; the web and API downloads answer alike."""

from __future__ import annotations

import io
import re

from coordination.evidence.operations import add_evidence, remove_evidence
from coordination.extensions import db
from tests.conftest import assignment_of, get_user, tiny_pdf

KSTT = "2157/UBND-KSTT"


def _files(names: list[str]) -> tuple[int, list[int]]:
    """Sở Tư pháp's task 5 with these files uploaded in this order; the second one withdrawn."""
    work = assignment_of(KSTT, "5", "TN-STP")
    officer = get_user("justice.tayninh")
    stored = [add_evidence(work, io.BytesIO(tiny_pdf()), name, actor=officer) for name in names]
    remove_evidence(stored[1], actor=officer, reason="Nhầm tệp.")
    db.session.commit()
    return work.id, [e.id for e in stored]


def test_page_and_api_list_the_same_files_in_the_same_order(client, login, api, store_dir) -> None:
    work_id, ids = _files(["Tháng 8.pdf", "nhầm.pdf", "Tháng 9.pdf"])
    listed = api("justice.tayninh").get(f"/api/v1/assignments/{work_id}").get_json()["evidence"]
    assert [(e["filename"], e["removed_at"] is not None) for e in listed] == [
        ("Tháng 8.pdf", False),
        ("nhầm.pdf", True),
        ("Tháng 9.pdf", False),
    ]
    login("justice.tayninh")
    html = client.get(f"/app/assignment/details/?id={work_id}").get_data(as_text=True)
    on_page = [int(i) for i in re.findall(r'class="list-group-item evidence-item[^"]*" data-id="(\d+)"', html)]
    assert on_page == ids  # the same three, in upload order, the withdrawn one shown as such
    assert "text-muted" in html[html.index(f'data-id="{ids[1]}"') - 80 : html.index(f'data-id="{ids[1]}"')]


def test_web_and_api_downloads_send_the_same_headers(client, login, api, store_dir) -> None:
    _work_id, (kept, withdrawn, _other) = _files(["a.pdf", "b.pdf", "c.pdf"])
    login("justice.tayninh")
    web = client.get(f"/app/assignment/evidence/{kept}/")
    by_api = api("justice.tayninh").get(f"/api/v1/evidence/{kept}")
    for response in (web, by_api):
        assert response.status_code == 200 and response.data == tiny_pdf()
        assert response.headers["Content-Disposition"] == "attachment; filename=a.pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'; frame-ancestors 'none'"
        assert response.headers["Cache-Control"] == "private, no-store"
    assert web.headers["ETag"] == by_api.headers["ETag"]
    web.close()
    by_api.close()
    # a withdrawn file: 410 from both
    assert client.get(f"/app/assignment/evidence/{withdrawn}/").status_code == 410
    assert api("justice.tayninh").get(f"/api/v1/evidence/{withdrawn}").status_code == 410
