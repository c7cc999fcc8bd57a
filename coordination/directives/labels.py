"""Display names of directive enums (one table each, used by the UI, reminders and reports)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coordination.directives.models import DirectiveStatus, DocType, Recurrence

DOC_TYPE_LABELS = {
    DocType.cong_van: _l("Công văn"),
    DocType.chi_thi: _l("Chỉ thị"),
    DocType.ke_hoach: _l("Kế hoạch"),
    DocType.quyet_dinh: _l("Quyết định"),
    DocType.thong_bao: _l("Thông báo"),
    DocType.bao_cao: _l("Báo cáo"),
    DocType.other: _l("Văn bản khác"),
}

DIRECTIVE_STATUS_LABELS = {
    DirectiveStatus.draft: _l("Dự thảo"),
    DirectiveStatus.active: _l("Đang thực hiện"),
    DirectiveStatus.closed: _l("Đã kết thúc"),
}

RECURRENCE_LABELS = {
    Recurrence.none: _l("Một lần"),
    Recurrence.continuous: _l("Thường xuyên"),
    Recurrence.weekly: _l("Hằng tuần"),
    Recurrence.monthly: _l("Định kỳ hằng tháng"),
    Recurrence.quarterly: _l("Định kỳ hằng quý"),
}
