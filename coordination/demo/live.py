"""A current, fictional directive for the demo, dated from the day it is loaded, showing every state of work.

The two real directives are from 2021-2022: loaded today, all their open work is years overdue. This one
(a Tây Ninh plan to activate electronic identity accounts, "văn bản minh họa") is issued 30 days before the
load day and runs 30 days after it; its assignments are walked through the project's own operations to
on time, due soon, overdue, awaiting review, returned, extension pending, done on time and done late, and
its target is on plan, with weekly figures up to two days ago.

Idempotent: matched by issuer and ref, like the real ones; loading again on a later day adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from coordination import audit
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress, request_extension, review_assignment
from coordination.assignments.states import Action
from coordination.auth.models import Role, User
from coordination.directives.models import Directive, Task
from coordination.directives.operations import activate_directive, create_directive
from coordination.extensions import db
from coordination.indicators.operations import add_measurement, create_indicator

ISSUER = "TN-UBND"
NUMBER, SYMBOL = "68", "KH-UBND"
#: the plan's first and last day, in days from the load day
ISSUED, CAMPAIGN_END = -30, 30


@dataclass(frozen=True)
class Story:
    """Where one assignment ends up; days are counted from the load day."""

    task: int  # position of the task in the plan
    agency: str
    ends: str  # on_time, due_soon, overdue, awaiting_review, returned, extension_pending, done_on_time, done_late
    progress: int = 0
    reported: int | None = None
    decided: int | None = None
    note: str = ""


#: the plan's tasks, deadlines in days from the load day (STORIES says what each assignment becomes)
TASKS: list[dict[str, Any]] = [
    {
        "label": "1",
        "text": "Công an tỉnh chủ trì tổ chức các tổ công tác lưu động thu nhận hồ sơ, kích hoạt tài khoản định "
        "danh điện tử mức độ 2 tại khu dân cư, trường học, doanh nghiệp, kể cả ngày nghỉ; tổng hợp, báo cáo "
        "kết quả hằng tuần về UBND tỉnh.",
        "deadline": CAMPAIGN_END,
        "assignments": [{"agency": "TN-CA", "role": "lead"}, {"agency": "TN-TINHDOAN", "role": "coordinate"}],
    },
    {
        "label": "2",
        "text": "Sở Tư pháp",
        "deadline": CAMPAIGN_END,
        "assignments": [{"agency": "TN-STP", "role": "lead"}],
        "subtasks": [
            {
                "label": "-",
                "text": "Rà soát, đối chiếu dữ liệu hộ tịch với Cơ sở dữ liệu quốc gia về dân cư; lập danh sách "
                "và điều chỉnh các trường hợp sai lệch thông tin.",
                "deadline": -5,
            },
            {
                "label": "-",
                "text": "Hướng dẫn UBND cấp xã cập nhật dữ liệu đăng ký khai sinh, khai tử trực tuyến, bảo đảm "
                "dữ liệu “đúng, đủ, sạch, sống”.",
                "deadline": 1,
            },
        ],
    },
    {
        "label": "3",
        "text": "Sở Giáo dục và Đào tạo phối hợp Công an tỉnh tổ chức kích hoạt tài khoản định danh điện tử cho "
        "học sinh từ đủ 14 tuổi và cha mẹ học sinh tại các trường trung học.",
        "deadline": 2,
        "assignments": [{"agency": "TN-SGDDT", "role": "lead"}],
    },
    {
        "label": "4",
        "text": "Sở Nội vụ chỉ đạo 100% cán bộ, công chức, viên chức kích hoạt và sử dụng tài khoản định danh "
        "điện tử mức độ 2 khi thực hiện thủ tục hành chính.",
        "deadline": 10,
        "assignments": [{"agency": "TN-SNV", "role": "lead"}],
    },
    {
        "label": "5",
        "text": "Sở Tài chính tham mưu UBND tỉnh bố trí kinh phí bảo đảm hoạt động của các tổ công tác lưu động.",
        "deadline": 7,
        "assignments": [{"agency": "TN-STC", "role": "lead"}],
    },
    {
        "label": "6",
        "text": "Đài Phát thanh và Truyền hình Tây Ninh mở chuyên mục tuyên truyền về tiện ích của tài khoản định "
        "danh điện tử trên sóng phát thanh, truyền hình và nền tảng số.",
        "deadline": -8,
        "assignments": [{"agency": "TN-DPTTH", "role": "lead"}],
    },
    {
        "label": "7",
        "text": "Báo Tây Ninh đăng tải tin, bài phản ánh kết quả triển khai Kế hoạch trên báo in và báo điện tử.",
        "deadline": -20,
        "assignments": [{"agency": "TN-BAOTN", "role": "lead"}],
    },
    {
        "label": "8",
        "text": "UBND thành phố Tây Ninh chỉ đạo UBND các phường, xã lập danh sách công dân chưa kích hoạt tài "
        "khoản; phối hợp Công an kích hoạt tại nhà cho người cao tuổi, người khuyết tật.",
        "deadline": 20,
        "assignments": [{"agency": "TN-TPTAYNINH", "role": "lead"}],
    },
]


#: positions: 1 task 1, 2 heading "Sở Tư pháp", 3 and 4 its dashes, 5 task 3, ... 10 task 8
STORIES = [
    Story(1, "TN-CA", "on_time", progress=55, note="Đã tổ chức 46 tổ lưu động; kích hoạt 74.600 tài khoản."),
    Story(2, "TN-STP", "on_time", progress=40, note="Đang triển khai hai nội dung được giao."),
    Story(3, "TN-STP", "overdue", progress=60, note="Đã rà soát 6/9 huyện, thị xã, thành phố."),
    Story(4, "TN-STP", "extension_pending", progress=30, note="Đã hướng dẫn 52/94 xã, phường, thị trấn."),
    Story(5, "TN-SGDDT", "due_soon", progress=70, note="Đã kích hoạt cho học sinh 41/59 trường."),
    Story(6, "TN-SNV", "awaiting_review", reported=-1, note="100% cán bộ, công chức của các sở, ngành đã kích hoạt."),
    Story(
        7,
        "TN-STC",
        "returned",
        reported=-6,
        decided=-4,
        note="Đã xây dựng dự toán kinh phí cho các tổ công tác lưu động.",
    ),
    Story(8, "TN-DPTTH", "done_on_time", reported=-10, decided=-7, note="Đã phát 8 phóng sự, 24 tin."),
    Story(9, "TN-BAOTN", "done_late", reported=-12, decided=-11, note="Đã đăng 15 tin, bài; báo cáo gửi chậm."),
    Story(10, "TN-TPTAYNINH", "on_time"),
]

RETURN_NOTE = "Dự toán chưa tách theo từng huyện, thị xã, thành phố; đề nghị bổ sung."

#: weekly totals of the target (accounts activated), in days from the load day: ahead of plan, on course
MEASUREMENTS = [(-23, 39800), (-16, 51200), (-9, 62900), (-2, 74600)]


def demo_actor(agency_id: int | None, role: Role | None = None) -> audit.Actor:
    """The agency's first active user (of that role), or the demo itself when it has none."""
    if agency_id is None:
        return audit.SYSTEM_DEMO
    query = sa.select(User).where(User.agency_id == agency_id, User.active.is_(True)).order_by(User.id)
    if role is not None:
        query = query.where(User.role == role)
    return db.session.scalars(query).first() or audit.SYSTEM_DEMO


def _dated(tasks: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    return [
        {**t, "deadline": today + timedelta(days=t["deadline"]), "subtasks": _dated(t.get("subtasks") or [], today)}
        for t in tasks
    ]


def load_live_directive(today: date) -> Directive | None:
    """Register, activate and tell the live plan as of `today`; None when it is already there."""
    issuer = db.session.scalar(sa.select(Agency).where(Agency.code == ISSUER))
    ref = Directive.make_ref(NUMBER, SYMBOL)
    if db.session.scalar(sa.select(Directive.id).where(Directive.issuer_id == issuer.id, Directive.ref == ref)):
        return None
    office = demo_actor(issuer.id, Role.office)
    issued_on = today + timedelta(days=ISSUED)
    directive = create_directive(
        {
            "number": NUMBER,
            "symbol": SYMBOL,
            "doc_type": "ke_hoach",
            "issued_on": issued_on,
            "place": "Tây Ninh",
            "subject": "cao điểm kích hoạt tài khoản định danh điện tử mức độ 2 trên địa bàn tỉnh (văn bản minh họa)",
            "legal_basis": [
                "Văn bản minh họa cho bản demo, không phải văn bản thật; ngày tháng tính từ ngày nạp dữ liệu mẫu."
            ],
            "signer": {"name": "(văn bản minh họa)", "title": "Phó Chủ tịch", "authority": "KT. Chủ tịch"},
            "addressees": ["TN-CA", "TN-STP", "TN-SGDDT", "TN-SNV", "TN-STC", "TN-DPTTH", "TN-BAOTN", "TN-TPTAYNINH"],
            "monitor_agency": "TN-CA",
            "report_to_agency": "TN-UBND",
            "deadline": today + timedelta(days=CAMPAIGN_END),
            "tasks": _dated(TASKS, today),
        },
        actor=office,
        issuer=issuer,
    )
    activate_directive(directive, actor=office)
    police = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-CA"))
    indicator = create_indicator(
        directive,
        {
            "name": "Tài khoản định danh điện tử mức độ 2 được kích hoạt",
            "unit": "tài khoản",
            "target_value": 120000,
            "baseline_value": 30000,
            "baseline_on": issued_on,
            "deadline": today + timedelta(days=CAMPAIGN_END),
        },
        actor=office,
        agency=police,
    )
    for offset, value in MEASUREMENTS:
        add_measurement(indicator, today + timedelta(days=offset), value, agency=police, actor=demo_actor(police.id))
    for story in STORIES:
        _tell(directive, story, today)
    return directive


def _tell(directive: Directive, story: Story, today: date) -> None:
    """Walk one assignment through the state machine, as its agency and the monitor would have."""
    assignment = db.session.scalar(
        sa.select(Assignment)
        .join(Task)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Task.directive_id == directive.id, Task.position == story.task, Agency.code == story.agency)
    )
    worker = demo_actor(assignment.agency_id)
    reviewer = demo_actor(directive.monitor_agency_id, Role.monitor)
    if story.ends == "on_time" and not story.progress:
        return  # not started yet, and not late
    started = directive.issued_on + timedelta(days=2)
    report_progress(assignment, actor=worker, action=Action.start, on=started)
    if story.reported is None:
        if story.progress:
            report_progress(
                assignment, actor=worker, note=story.note, progress_percent=story.progress, on=today - timedelta(days=3)
            )
        if story.ends == "extension_pending":
            request_extension(
                assignment,
                assignment.deadline + timedelta(days=14),
                "Nhiều xã chưa bố trí được cán bộ tư pháp - hộ tịch chuyên trách; đề nghị gia hạn để hoàn thành.",
                actor=worker,
            )
        return
    reported = today + timedelta(days=story.reported)
    report_progress(assignment, actor=worker, action=Action.report_done, note=story.note, on=reported)
    if story.decided is None:
        return
    decided = today + timedelta(days=story.decided)
    if story.ends == "returned":
        review_assignment(assignment, "return", RETURN_NOTE, actor=reviewer, on=decided)
    else:
        review_assignment(assignment, "accept", "Xác nhận hoàn thành.", actor=reviewer, on=decided)
