"""Every HTML route of the app × every role: the answer each role gets, written here by hand.

One row per URL rule of the app's URL map outside /api/v1 and static files; a test fails when a rule has
no row. The objects are Tây Ninh's (2157/UBND-KSTT, Sở Tư pháp's task 5 with a file, a pending extension
and an explanation request), so that Sở Giáo dục (another agency on the same directive) and the Tam Điệp
users (another city) are the "other" side. POST-only routes are sent an empty form: a role that may not
act is refused and nothing is written; a role that may act gets the form's answer (422, 400, a redirect).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.audit import AuditEvent
from coordination.extensions import db
from tests.admin.page_table_objects import make_objects
from tests.conftest import make_test_app

ROLES = (
    "anonymous",
    "admin",
    "office.tayninh",  # issued the directive
    "monitor.tayninh",  # monitors it
    "justice.tayninh",  # the agency whose assignment it is
    "education.tayninh",  # another agency on the same directive
    "office.tamdiep",  # another city's office
    "bacson.tamdiep",  # another city's officer
)
LOGIN = 302  # anonymous: sent to the login page

#: endpoint: (method, URL, statuses in the order of ROLES)
TABLE: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "web.index": ("GET", "/", (302, 302, 302, 302, 302, 302, 302, 302)),
    "admin.index": ("GET", "/app/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "agency_group.index_view": ("GET", "/app/agency-group/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "agency_group.action_view": ("POST", "/app/agency-group/action/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "agency_group.ajax_lookup": ("GET", "/app/agency-group/ajax/lookup/", (302, 404, 404, 404, 404, 404, 404, 404)),
    "agency_group.ajax_update": ("POST", "/app/agency-group/ajax/update/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "agency_group.delete_view": ("POST", "/app/agency-group/delete/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "agency_group.details_view": (
        "GET",
        "/app/agency-group/details/?id={group_id}",
        (302, 302, 302, 302, 302, 302, 302, 302),
    ),
    "agency_group.edit_view": (
        "GET",
        "/app/agency-group/edit/?id={group_id}",
        (302, 200, 403, 403, 403, 403, 403, 403),
    ),
    "agency_group.export": ("GET", "/app/agency-group/export/csv/", (302, 302, 302, 302, 302, 302, 302, 302)),
    "agency_group.create_view": ("GET", "/app/agency-group/new/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "agency_tree.index": ("GET", "/app/agency-tree/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "agency.index_view": ("GET", "/app/agency/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "agency.merge_view": ("POST", "/app/agency/{agency_id}/merge/", (302, 422, 403, 403, 403, 403, 403, 403)),
    "agency.rename_view": ("POST", "/app/agency/{agency_id}/rename/", (302, 422, 403, 403, 403, 403, 403, 403)),
    "agency.action_view": ("POST", "/app/agency/action/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "agency.ajax_lookup": ("GET", "/app/agency/ajax/lookup/", (302, 404, 404, 404, 404, 404, 404, 404)),
    "agency.ajax_update": ("POST", "/app/agency/ajax/update/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "agency.delete_view": ("POST", "/app/agency/delete/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "agency.details_view": ("GET", "/app/agency/details/?id={agency_id}", (302, 200, 200, 200, 200, 200, 200, 200)),
    "agency.edit_view": ("GET", "/app/agency/edit/?id={agency_id}", (302, 200, 403, 403, 403, 403, 403, 403)),
    "agency.export": ("GET", "/app/agency/export/csv/", (302, 302, 302, 302, 302, 302, 302, 302)),
    "agency.create_view": ("GET", "/app/agency/new/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "assignment.index_view": ("GET", "/app/assignment/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "assignment.request_extension_view": (
        "POST",
        "/app/assignment/{assignment_id}/extension/",
        (302, 422, 403, 403, 422, 403, 403, 403),
    ),
    "assignment.report_view": (
        "POST",
        "/app/assignment/{assignment_id}/report/",
        (302, 422, 403, 403, 422, 403, 403, 403),
    ),
    # issue 15: phân công xử lý, the agency's head (justice.tayninh) and admin; an empty form is a 422
    "assignment.handlers_view": (
        "POST",
        "/app/assignment/{assignment_id}/handlers/",
        (302, 422, 403, 403, 422, 403, 403, 403),
    ),
    "assignment.review_view": (
        "POST",
        "/app/assignment/{assignment_id}/review/",
        (302, 422, 422, 422, 403, 403, 403, 403),
    ),
    "assignment.action_view": ("POST", "/app/assignment/action/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "assignment.ajax_lookup": ("GET", "/app/assignment/ajax/lookup/", (302, 404, 404, 404, 404, 404, 404, 404)),
    "assignment.ajax_update": ("POST", "/app/assignment/ajax/update/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "assignment.delete_view": ("POST", "/app/assignment/delete/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "assignment.details_view": (
        "GET",
        "/app/assignment/details/?id={assignment_id}",
        (302, 200, 200, 200, 200, 200, 404, 404),
    ),
    "assignment.edit_view": (
        "GET",
        "/app/assignment/edit/?id={assignment_id}",
        (302, 403, 403, 403, 403, 403, 403, 403),
    ),
    "assignment.evidence_view": (
        "GET",
        "/app/assignment/evidence/{evidence_id}/",
        (302, 200, 200, 200, 200, 403, 404, 404),
    ),
    "assignment.remove_evidence_view": (
        "POST",
        "/app/assignment/evidence/{evidence_id}/remove/",
        (302, 422, 403, 403, 422, 403, 403, 403),
    ),
    "assignment.export": ("GET", "/app/assignment/export/csv/", (302, 302, 302, 302, 302, 302, 302, 302)),
    "assignment.decide_extension_view": (
        "POST",
        "/app/assignment/extension/{request_id}/decide/",
        (302, 422, 422, 422, 403, 403, 403, 403),
    ),
    "assignment.create_view": ("GET", "/app/assignment/new/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "my_calendar.index": ("GET", "/app/calendar/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "my_calendar.revoke": ("POST", "/app/calendar/revoke", (302, 302, 302, 302, 302, 302, 302, 302)),
    "dashboard.index": ("GET", "/app/dashboard/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "directive.index_view": ("GET", "/app/directive/", (302, 200, 200, 200, 200, 200, 200, 200)),
    # the pickers' JSON: every signed-in user, each seeing only the directives it may see
    "directive.choices_view": ("GET", "/app/directive/choices/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "directive.activate_view": (
        "POST",
        "/app/directive/{directive_id}/activate/",
        (302, 302, 302, 403, 403, 403, 403, 403),
    ),
    "directive.close_view": ("POST", "/app/directive/{directive_id}/close/", (302, 302, 302, 403, 403, 403, 403, 403)),
    "directive.edit_draft_view": (
        "GET",
        "/app/directive/{directive_id}/draft/",
        (302, 302, 302, 403, 403, 403, 403, 403),
    ),
    "directive.add_task_view": (
        "GET",
        "/app/directive/{directive_id}/tasks/new/",
        (302, 200, 200, 403, 403, 403, 403, 403),
    ),
    "directive.action_view": ("POST", "/app/directive/action/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "directive.ajax_lookup": ("GET", "/app/directive/ajax/lookup/", (302, 404, 404, 404, 404, 404, 404, 404)),
    "directive.ajax_update": ("POST", "/app/directive/ajax/update/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "directive.remove_assignment_view": (
        "POST",
        "/app/directive/assignment/{assignment_id}/remove/",
        (302, 422, 422, 403, 403, 403, 403, 403),
    ),
    "directive.delete_view": ("POST", "/app/directive/delete/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "directive.details_view": (
        "GET",
        "/app/directive/details/?id={directive_id}",
        (302, 200, 200, 200, 200, 200, 404, 404),
    ),
    "directive.edit_view": ("GET", "/app/directive/edit/?id={directive_id}", (302, 403, 403, 403, 403, 403, 403, 403)),
    "directive.export": ("GET", "/app/directive/export/csv/", (302, 302, 302, 302, 302, 302, 302, 302)),
    "directive.import_view": ("GET", "/app/directive/import/", (302, 403, 200, 403, 403, 403, 200, 403)),
    "directive.import_review_view": ("POST", "/app/directive/import/review/", (302, 403, 422, 403, 403, 403, 422, 403)),
    "directive.create_view": ("GET", "/app/directive/new/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "directive.register_view": ("GET", "/app/directive/register/", (302, 403, 200, 403, 403, 403, 200, 403)),
    "directive.task_view": ("GET", "/app/directive/task/{task_id}/", (302, 200, 200, 403, 403, 403, 403, 403)),
    "directive.assign_view": (
        "POST",
        "/app/directive/task/{task_id}/assign/",
        (302, 422, 422, 403, 403, 403, 403, 403),
    ),
    "explanations.index": ("GET", "/app/explanations/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "explanations.answer": (
        "GET",
        "/app/explanations/{explanation_id}/answer",
        (302, 200, 403, 403, 200, 403, 404, 404),
    ),
    "explanations.new": ("GET", "/app/explanations/new", (302, 404, 404, 404, 404, 404, 404, 404)),
    "extension_request.index": ("GET", "/app/extensions/", (302, 200, 200, 200, 200, 200, 200, 200)),
    # issue 11: the queue is the monitor's, the office's and admin's; a row's decision by those who decide it
    # (an empty form: refused, nothing kept, back to the queue with the reason: 303)
    "queue.index": ("GET", "/app/queue/", (302, 200, 200, 200, 403, 403, 200, 403)),
    "queue.review": ("POST", "/app/queue/review/{assignment_id}/", (302, 303, 303, 303, 403, 403, 403, 403)),
    "queue.extension": ("POST", "/app/queue/extension/{request_id}/", (302, 303, 303, 303, 403, 403, 403, 403)),
    "queue.explanation_read": (
        "POST",
        "/app/queue/explanation/{explanation_id}/read/",
        (302, 303, 303, 303, 403, 403, 403, 403),
    ),
    "indicators.index": ("GET", "/app/indicators/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "indicators.detail": ("GET", "/app/indicators/{indicator_id}", (302, 200, 200, 200, 200, 200, 404, 404)),
    "indicators.add": ("POST", "/app/indicators/{indicator_id}/measurements", (302, 422, 422, 422, 403, 403, 404, 404)),
    "notifications.index": ("GET", "/app/notifications/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "notifications.read": ("POST", "/app/notifications/read", (302, 400, 400, 400, 400, 400, 400, 400)),
    "reminders.index": ("GET", "/app/reminders/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "reminders.default_policy": ("GET", "/app/reminders/policy/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "reminders.directive_policy": (
        "GET",
        "/app/reminders/policy/{directive_id}",
        (302, 200, 200, 403, 403, 403, 404, 404),
    ),
    "reminders.preview": ("GET", "/app/reminders/preview", (302, 400, 400, 400, 403, 403, 400, 403)),
    "reminders.send": ("POST", "/app/reminders/send", (302, 400, 400, 400, 403, 403, 400, 403)),
    "reports.index": ("GET", "/app/reports/", (302, 200, 200, 200, 403, 403, 200, 403)),
    "reports.compliance": ("GET", "/app/reports/compliance", (302, 200, 200, 200, 403, 403, 200, 403)),
    # an export job that does not exist: 404 for those who may report, 403 for the others
    "reports.job": ("GET", "/app/reports/jobs/999999", (302, 404, 404, 404, 403, 403, 404, 403)),
    "reports.job_status": ("GET", "/app/reports/jobs/999999/state", (302, 404, 404, 404, 403, 403, 404, 403)),
    "reports.job_file": ("GET", "/app/reports/jobs/999999/file", (302, 404, 404, 404, 403, 403, 404, 403)),
    "user.index_view": ("GET", "/app/user/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "user.action_view": ("POST", "/app/user/action/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "user.ajax_lookup": ("GET", "/app/user/ajax/lookup/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "user.ajax_update": ("POST", "/app/user/ajax/update/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "user.delete_view": ("POST", "/app/user/delete/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "user.details_view": ("GET", "/app/user/details/?id={user_id}", (302, 302, 403, 403, 403, 403, 403, 403)),
    "user.edit_view": ("GET", "/app/user/edit/?id={user_id}", (302, 200, 403, 403, 403, 403, 403, 403)),
    "user.export": ("GET", "/app/user/export/csv/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "user.create_view": ("GET", "/app/user/new/", (302, 200, 403, 403, 403, 403, 403, 403)),
    # issue 15: the year's working days for everyone; the table's corrections for the admin alone
    "work_calendar.index": ("GET", "/app/working-days/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "calendar_day.index_view": ("GET", "/app/calendar-day/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "calendar_day.action_view": ("POST", "/app/calendar-day/action/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "calendar_day.ajax_lookup": ("GET", "/app/calendar-day/ajax/lookup/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "calendar_day.ajax_update": ("POST", "/app/calendar-day/ajax/update/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "calendar_day.delete_view": ("POST", "/app/calendar-day/delete/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "calendar_day.details_view": (
        "GET",
        "/app/calendar-day/details/?id={calendar_day_id}",
        (302, 302, 403, 403, 403, 403, 403, 403),
    ),
    "calendar_day.edit_view": (
        "GET",
        "/app/calendar-day/edit/?id={calendar_day_id}",
        (302, 200, 403, 403, 403, 403, 403, 403),
    ),
    "calendar_day.export": ("GET", "/app/calendar-day/export/csv/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "calendar_day.create_view": ("GET", "/app/calendar-day/new/", (302, 200, 403, 403, 403, 403, 403, 403)),
    # issue 15: webhooks, the administrator's only
    "webhook.index_view": ("GET", "/app/webhook/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "webhook.action_view": ("POST", "/app/webhook/action/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "webhook.ajax_lookup": ("GET", "/app/webhook/ajax/lookup/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "webhook.ajax_update": ("POST", "/app/webhook/ajax/update/", (302, 404, 403, 403, 403, 403, 403, 403)),
    "webhook.create_view": ("GET", "/app/webhook/new/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "webhook.delete_view": ("POST", "/app/webhook/delete/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "webhook.details_view": ("GET", "/app/webhook/details/?id={webhook_id}", (302, 302, 403, 403, 403, 403, 403, 403)),
    "webhook.edit_view": ("GET", "/app/webhook/edit/?id={webhook_id}", (302, 200, 403, 403, 403, 403, 403, 403)),
    "webhook.export": ("GET", "/app/webhook/export/csv/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "webhook.test_view": ("POST", "/app/webhook/{webhook_id}/test/", (302, 302, 403, 403, 403, 403, 403, 403)),
    "webhook_delivery.index_view": ("GET", "/app/webhook-delivery/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "webhook_delivery.action_view": (
        "POST",
        "/app/webhook-delivery/action/",
        (302, 403, 403, 403, 403, 403, 403, 403),
    ),
    "webhook_delivery.ajax_lookup": (
        "GET",
        "/app/webhook-delivery/ajax/lookup/",
        (302, 404, 403, 403, 403, 403, 403, 403),
    ),
    "webhook_delivery.ajax_update": (
        "POST",
        "/app/webhook-delivery/ajax/update/",
        (302, 403, 403, 403, 403, 403, 403, 403),
    ),
    "webhook_delivery.create_view": ("GET", "/app/webhook-delivery/new/", (302, 403, 403, 403, 403, 403, 403, 403)),
    "webhook_delivery.delete_view": (
        "POST",
        "/app/webhook-delivery/delete/",
        (302, 403, 403, 403, 403, 403, 403, 403),
    ),
    "webhook_delivery.details_view": (
        "GET",
        "/app/webhook-delivery/details/?id={delivery_id}",
        (302, 200, 403, 403, 403, 403, 403, 403),
    ),
    "webhook_delivery.edit_view": (
        "GET",
        "/app/webhook-delivery/edit/?id={delivery_id}",
        (302, 403, 403, 403, 403, 403, 403, 403),
    ),
    "webhook_delivery.export": ("GET", "/app/webhook-delivery/export/csv/", (302, 302, 403, 403, 403, 403, 403, 403)),
    # a pending delivery: the replay is refused in words (a flash) and the page comes back
    "webhook_delivery.replay_view": (
        "POST",
        "/app/webhook-delivery/{delivery_id}/replay/",
        (302, 302, 403, 403, 403, 403, 403, 403),
    ),
    # issue 15: the admin removes a user's second factor (none set up here: refused in words, back to the page)
    "user.reset_two_factor_view": (
        "POST",
        "/app/user/{user_id}/reset-two-factor/",
        (302, 302, 403, 403, 403, 403, 403, 403),
    ),
    # issue 15: every signed-in user's own second factor; an empty form is a 422, starting sets one up
    "two_factor.index": ("GET", "/app/two-factor/", (302, 200, 200, 200, 200, 200, 200, 200)),
    "two_factor.start": ("POST", "/app/two-factor/start", (302, 302, 302, 302, 302, 302, 302, 302)),
    "two_factor.confirm": ("POST", "/app/two-factor/confirm", (302, 422, 422, 422, 422, 422, 422, 422)),
    "two_factor.recovery_codes": (
        "POST",
        "/app/two-factor/recovery-codes",
        (302, 422, 422, 422, 422, 422, 422, 422),
    ),
    "two_factor.disable": ("POST", "/app/two-factor/disable", (302, 422, 422, 422, 422, 422, 422, 422)),
    # issue 15: onboarding from a spreadsheet is the admin's; an empty form is refused (422), nothing written
    "onboarding.index": ("GET", "/app/onboarding/", (302, 200, 403, 403, 403, 403, 403, 403)),
    "onboarding.check_view": ("POST", "/app/onboarding/check", (302, 422, 403, 403, 403, 403, 403, 403)),
    "onboarding.confirm_view": ("POST", "/app/onboarding/confirm", (302, 422, 403, 403, 403, 403, 403, 403)),
    "onboarding.invite_view": ("POST", "/app/onboarding/invite", (302, 422, 403, 403, 403, 403, 403, 403)),
    "onboarding.problems_view": (
        "GET",
        "/app/onboarding/problems/00000000000000000000000000000000.csv",
        (302, 404, 403, 403, 403, 403, 403, 403),
    ),
    "onboarding.template_view": (
        "GET",
        "/app/onboarding/template/mau-co-quan.csv",
        (302, 200, 403, 403, 403, 403, 403, 403),
    ),
    # the link is the credential: anyone may open one, an unknown one is 404 for everybody
    "invitation.accept": ("GET", "/invitation/khong-phai-loi-moi-nao-ca-0123456789", (404,) * 8),
    "calendar.feed": ("GET", "/calendar/{token}.ics", (200, 200, 200, 200, 200, 200, 200, 200)),
    "web.healthz": ("GET", "/healthz", (200, 200, 200, 200, 200, 200, 200, 200)),
    "health.readyz": ("GET", "/readyz", (200, 200, 200, 200, 200, 200, 200, 200)),
    "metrics.metrics": ("GET", "/metrics", (200, 200, 200, 200, 200, 200, 200, 200)),
    "auth.set_language": ("GET", "/language/en", (302, 302, 302, 302, 302, 302, 302, 302)),
    "auth.login": ("GET", "/login", (200, 302, 302, 302, 302, 302, 302, 302)),
    "auth.logout": ("POST", "/logout", (302, 302, 302, 302, 302, 302, 302, 302)),
    # issue 15: the steps between the password and the session; without a pending sign-in, back to the login
    "auth.second_factor": ("GET", "/login/code", (302, 302, 302, 302, 302, 302, 302, 302)),
    "auth.enrol": ("GET", "/login/enrol", (302, 302, 302, 302, 302, 302, 302, 302)),
    "auth.enrol_start": ("POST", "/login/enrol/start", (302, 302, 302, 302, 302, 302, 302, 302)),
}


def _html_rules() -> list[str]:
    import tempfile

    app = make_test_app(tempfile.gettempdir(), "sqlite://")
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/") and rule.endpoint != "static" and not rule.endpoint.endswith(".static")
    )


def test_every_html_route_has_a_row() -> None:
    assert sorted(TABLE) == _html_rules()


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("endpoint", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_the_answer_each_role_gets(app, client, login, endpoint: str, role: str) -> None:
    method, url, statuses = TABLE[endpoint]
    expected = statuses[ROLES.index(role)]
    objects = make_objects()
    if role != "anonymous":
        login(role)
    before = _audit_count()
    response = client.open(url.format(**objects), method=method)
    response.close()
    assert response.status_code == expected, (method, url, role)
    if (method == "POST" and expected in (403, 404)) or role == "anonymous":
        assert _audit_count() == before, "a refused request wrote to the history"
    if role == "anonymous" and expected == LOGIN and url.startswith("/app/"):
        assert "/login" in response.headers["Location"]
