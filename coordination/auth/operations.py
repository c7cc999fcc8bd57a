"""Signing in, the login lockout, accounts and passwords. Operations flush; the caller commits."""

from __future__ import annotations

import logging
import math
import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from coordination import audit
from coordination.agencies.lookup import agency_by_code
from coordination.auth import totp
from coordination.auth.models import LoginAttempt, RecoveryCode, Role, User
from coordination.auth.passwords import is_common
from coordination.auth.sessions import end_sessions
from coordination.db import utcnow
from coordination.errors import Conflict, Forbidden, Invalid, NotFound, OperationError
from coordination.extensions import db
from coordination.permissions import Permission, can, role_administers, role_needs_agency

USERNAME_MAX = 80  # the width of user_account.username and login_attempt.username
PASSWORD_MIN = 10
PASSWORD_MAX = 1024  # argon2 accepts more, but hashing megabytes on demand is a denial of service
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
USER_AUDIT_FIELDS = ["username", "full_name", "email", "role", "agency_id", "is_head", "active"]

#: every sign-in, refusal and logout, for the operator's log (never the password)
log = logging.getLogger("coordination.auth")


class LoginRefused(OperationError):
    """A sign-in was refused; `status` is what an API answers (the login page shows some as 200)."""

    status = 401


class InvalidCredentials(LoginRefused):
    """Unknown username or wrong password: the same message for both, so usernames cannot be probed."""


class AccountInactive(LoginRefused):
    status = 403


class LockedOut(LoginRefused):
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        #: seconds until the lockout lifts (the Retry-After header)
        self.retry_after = retry_after


def _require(actor: audit.Actor, permission: Permission, obj: Any = None) -> None:
    # A system actor (the CLI run by the server's operator) is trusted code, not a user.
    if not audit.is_system(actor) and not can(actor, permission, obj):
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác này."))


# --- signing in ---------------------------------------------------------------------------------


def _settings() -> tuple[int, timedelta]:
    config = current_app.config
    return int(config["LOGIN_MAX_FAILURES"]), timedelta(minutes=int(config["LOGIN_LOCKOUT_MINUTES"]))


def _counted_failures(username: str, now: datetime) -> list[datetime]:
    """Times of the failures that count: inside the window and after the last success, newest first."""
    max_failures, window = _settings()
    since = now - window
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    if last_success is not None and last_success > since:
        since = last_success
    query = (
        sa.select(LoginAttempt.attempted_at)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > since,
        )
        .order_by(LoginAttempt.attempted_at.desc())
        .limit(max_failures)
    )
    return list(db.session.scalars(query))


def lockout_remaining(username: str, *, now: datetime | None = None) -> timedelta | None:
    """How long `username` stays locked out, or None when it may try now."""
    max_failures, window = _settings()
    now = now or utcnow()
    failures = _counted_failures(_clean_username(username), now)
    if max_failures <= 0 or len(failures) < max_failures:
        return None
    # The lock lifts when the max_failures-th newest failure leaves the window.
    return failures[max_failures - 1] + window - now


def is_locked_out(username: str, *, now: datetime | None = None) -> bool:
    """Tell whether `username` has too many recent failures to try again."""
    return lockout_remaining(username, now=now) is not None


def record_attempt(username: str, *, succeeded: bool, remote_addr: str | None = None) -> LoginAttempt:
    """Add a login attempt to the history that the lockout counts (every worker reads the same rows)."""
    attempt = LoginAttempt(
        username=_clean_username(username),
        remote_addr=(remote_addr or None) and remote_addr[:64],
        attempted_at=utcnow(),
        succeeded=succeeded,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _refuse_if_locked_out(username: str, remote_addr: str | None) -> None:
    """Raise LockedOut while `username` has too many recent failures (this refusal is not counted)."""
    remaining = lockout_remaining(username)
    if remaining is None:
        return
    log.warning("login refused: %r is locked out (from %s)", username, remote_addr)
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    raise LockedOut(
        _(
            "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau %(minutes)s phút.",
            minutes=minutes,
        ),
        retry_after=max(1, math.ceil(remaining.total_seconds())),
    )


def _clean_username(username: str | None) -> str:
    return (username or "").strip()[:USERNAME_MAX]


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    user = User()
    user.set_password("not-a-real-password")
    return user.password_hash


def authenticate(username: str, password: str, remote_addr: str | None = None) -> User:
    """Return the user these credentials sign in, or raise LoginRefused; record a failure.

    When `second_step(user)` is None the sign-in is complete: the success is recorded and the last login
    time set (finish_login); otherwise the caller asks for the second factor. An outdated password hash
    is upgraded either way.
    A locked-out username is refused before the password is checked, and that refusal is not
    recorded: counting it would keep the lock closed for as long as someone keeps trying.
    """
    username = _clean_username(username)
    _refuse_if_locked_out(username, remote_addr)

    user = db.session.scalar(sa.select(User).where(User.username == username)) if username else None
    if user is None:
        # Spend the time a real check takes, so that response times do not reveal which usernames exist.
        User(password_hash=_dummy_hash()).check_password(password)
        ok = False
    else:
        ok = user.check_password(password)
    if not ok or user is None:
        record_attempt(username, succeeded=False, remote_addr=remote_addr)
        log.warning("login failed: %r, unknown user or wrong password (from %s)", username, remote_addr)
        raise InvalidCredentials(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    if not user.active:
        record_attempt(username, succeeded=False, remote_addr=remote_addr)
        log.warning("login refused: %r is deactivated (from %s)", username, remote_addr)
        raise AccountInactive(_("Tài khoản này đã ngừng hoạt động. Vui lòng liên hệ quản trị viên."))

    if user.password_needs_rehash:
        user.set_password(password)
    if second_step(user) is None:
        finish_login(user, remote_addr)
    else:
        # Not a success yet: a success would wipe the failures the lockout counts, and the second
        # factor's failures must add up with the password's (issue 15).
        log.info("login: %r, password right, second factor next (from %s)", username, remote_addr)
        db.session.flush()
    return user


def second_step(user: User) -> str | None:
    """What sign-in still asks of `user` after the password: "code", "enrol", or None (signed in)."""
    if user.has_totp:
        return "code"
    if totp.is_required(user):
        return "enrol"
    return None


def finish_login(user: User, remote_addr: str | None = None) -> None:
    """Record a complete sign-in (every factor given): a success for the lockout, the last login time."""
    record_attempt(user.username, succeeded=True, remote_addr=remote_addr)
    log.info("login: %r, user %s (from %s)", user.username, user.id, remote_addr)
    user.last_login_at = utcnow()
    db.session.flush()


def log_out(user: User) -> None:
    """End every web session of `user` (API tokens stay: they are revoked one by one, or all with the password)."""
    end_sessions(user, revoke_tokens=False)
    log.info("logout: %r, user %s, every session ended", user.username, user.id)


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language ("vi" or "en")."""
    if locale not in current_app.config["LANGUAGES"]:
        raise Invalid(_("Ngôn ngữ không được hỗ trợ."), errors={"locale": [_("Giá trị không hợp lệ.")]})
    user.locale = locale
    db.session.flush()


# --- accounts -----------------------------------------------------------------------------------


def _check_password(password: str | None) -> str:
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise Invalid(
            _("Mật khẩu phải có ít nhất %(count)s ký tự.", count=PASSWORD_MIN),
            errors={"password": [_("Quá ngắn.")]},
        )
    if len(password) > PASSWORD_MAX:
        raise Invalid(
            _("Mật khẩu dài tối đa %(count)s ký tự.", count=PASSWORD_MAX), errors={"password": [_("Quá dài.")]}
        )
    if is_common(password):
        raise Invalid(
            _("Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác."),
            errors={"password": [_("Quá phổ biến.")]},
        )
    return password


def get_user_by_username(username: str) -> User:
    """Return the user with this username, or raise NotFound."""
    user = db.session.scalar(sa.select(User).where(User.username == _clean_username(username)))
    if user is None:
        raise NotFound(_("Không có người dùng %(username)s.", username=username))
    return user


def create_user(data: dict[str, Any], *, actor: audit.Actor) -> User:
    """Create an account.

    `data`: username, full_name, role, password, and optionally email, agency (a code), is_head.
    Every role but admin belongs to an agency: its permissions are those of the agency.
    """
    _require(actor, Permission.user_manage)
    username = (data.get("username") or "").strip()
    if not username or len(username) > USERNAME_MAX or not USERNAME_RE.match(username):
        raise Invalid(
            _(
                "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số và . _ @ - (tối đa %(count)s ký tự).",
                count=USERNAME_MAX,
            ),
            errors={"username": [_("Giá trị không hợp lệ.")]},
        )
    taken = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username.lower()))
    if taken is not None:
        raise Conflict(
            _("Tên đăng nhập %(username)s đã có.", username=username), errors={"username": [_("Đã tồn tại.")]}
        )
    full_name = (data.get("full_name") or "").strip()
    if not full_name or len(full_name) > 200:
        raise Invalid(_("Cần nhập họ và tên (tối đa 200 ký tự)."), errors={"full_name": [_("Bắt buộc.")]})
    try:
        role = Role(data.get("role"))
    except ValueError:
        raise Invalid(
            _("Vai trò không hợp lệ: %(role)s.", role=data.get("role")), errors={"role": [_("Giá trị không hợp lệ.")]}
        ) from None
    email = (data.get("email") or "").strip() or None
    if email is not None and (len(email) > 255 or "@" not in email.strip("@")):
        raise Invalid(_("Địa chỉ email không hợp lệ: %(email)s.", email=email), errors={"email": [_("Sai định dạng.")]})
    agency = agency_by_code(data["agency"].strip()) if data.get("agency") else None
    if agency is None and role_needs_agency(role):
        raise Invalid(
            _("Vai trò %(role)s cần thuộc một cơ quan.", role=role.value), errors={"agency": [_("Bắt buộc.")]}
        )
    password = _check_password(data.get("password"))

    user = User(
        username=username,
        full_name=full_name,
        email=email,
        role=role,
        agency=agency,
        is_head=bool(data.get("is_head")),
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after=audit.snapshot(user, USER_AUDIT_FIELDS))
    return user


def set_password(user: User, password: str, *, actor: audit.Actor) -> None:
    """Replace the user's password (the audit event says that it changed, never what to).

    Every session and API token of the user ends: whoever knew the old password is out.
    """
    if audit.acting_user(actor) is not user:
        _require(actor, Permission.user_manage, user)
    user.set_password(_check_password(password))
    end_sessions(user)
    audit.record(actor, "user.set_password", "user", user.id)


def update_user(user: User, data: dict[str, Any], *, actor: audit.Actor) -> User:
    """Change an account's name, e-mail, agency, role, head flag or active flag; audited.

    `data` holds only what changes: full_name, email, agency (an Agency or None), role, is_head, active.
    An administrator cannot lock themselves out or drop their own admin role.
    """
    _require(actor, Permission.user_manage, user)
    role = Role(data.get("role", user.role))
    active = bool(data.get("active", user.active))
    if audit.acting_user(actor) is user and (not active or not role_administers(role)):
        raise Invalid(
            _("Bạn không thể tự khóa hoặc bỏ quyền quản trị của chính mình."),
            errors={"role": [_("Giá trị không hợp lệ.")]},
        )
    full_name = (data.get("full_name", user.full_name) or "").strip()
    if not full_name or len(full_name) > 200:
        raise Invalid(_("Cần nhập họ và tên (tối đa 200 ký tự)."), errors={"full_name": [_("Bắt buộc.")]})
    agency = data.get("agency", user.agency)
    if agency is None and role_needs_agency(role):
        raise Invalid(
            _("Vai trò %(role)s cần thuộc một cơ quan.", role=role.value), errors={"agency": [_("Bắt buộc.")]}
        )
    before = audit.snapshot(user, USER_AUDIT_FIELDS)
    user.full_name = full_name
    user.email = (data.get("email", user.email) or "").strip() or None
    user.agency = agency
    user.role = role
    user.is_head = bool(data.get("is_head", user.is_head))
    was_active, user.active = user.active, active
    if was_active and not active:
        end_sessions(user)  # a deactivated account is out at once, on the web and the API
    db.session.flush()
    after = audit.snapshot(user, USER_AUDIT_FIELDS)
    if after != before:
        audit.record(actor, "user.update", "user", user.id, before=before, after=after)
    return user


# --- the second factor (issue 15) ---------------------------------------------------------------------


class WrongCode(LoginRefused):
    """A second-factor code that is wrong, too old, or already used (a replay): one message for all."""


class CodeRequired(LoginRefused):
    """The account signs in with a second factor and none was given (the API's totp_code)."""


class EnrolmentRequired(LoginRefused):
    """The deployment requires a second factor of this role and the user has none yet."""

    status = 403


def _require_self(user: User, actor: audit.Actor) -> None:
    # A user's authenticator is its own: nobody sets it up or switches it off in its name (admins reset it).
    if audit.acting_user(actor) is not user:
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác này."))


def _wrong_code() -> WrongCode:
    return WrongCode(
        _("Mã xác thực không đúng, đã hết hạn hoặc đã được dùng."),
        errors={"code": [_("Mã không đúng.")]},
    )


def pending_totp_secret(user: User) -> str | None:
    """The secret of an enrolment begun but not confirmed yet, or None."""
    if user.has_totp or not user.totp_secret:
        return None
    try:
        return totp.unseal(user.totp_secret, user.id)
    except totp.SealBroken:
        return None  # begun under another key: beginning again makes a new one


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user has."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _accept_totp(user: User, code: str) -> bool:
    try:
        secret = totp.unseal(user.totp_secret or "", user.id)
    except totp.SealBroken:
        # The key changed (TOTP_ENCRYPTION_KEY or SECRET_KEY) or the row was altered: only a recovery code
        # or an administrator's reset lets this user in now.
        log.error("second factor: the TOTP secret of user %s does not open (key changed?)", user.id)
        return False
    step = totp.matching_step(secret, code, after=user.totp_last_step)
    if step is None:
        return False
    # One UPDATE decides: of two requests carrying the same code, only one moves the step forward and the
    # other finds the step taken (a replay), on every worker.
    moved = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != 16:
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.hash_recovery_code(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        return False
    left = recovery_codes_left(user)
    audit.record(user, "user.recovery_code_use", "user", user.id, after={"recovery_codes_left": left})
    log.warning("second factor: user %s signed in with a recovery code", user.id)
    return True


def _accept_code(user: User, code: str | None) -> bool:
    """Whether `code` is the user's current TOTP code (not replayed) or an unused recovery code (then used up)."""
    if not user.has_totp:
        return False
    code = totp.clean_code(code)
    if totp.looks_like_totp(code):
        return _accept_totp(user, code)
    return _use_recovery_code(user, code)


def verify_second_factor(user: User, code: str | None, remote_addr: str | None = None) -> None:
    """Finish a sign-in with the second factor, or raise LoginRefused; a wrong code is a failure the lockout counts."""
    _refuse_if_locked_out(user.username, remote_addr)
    if not user.active:
        raise AccountInactive(_("Tài khoản này đã ngừng hoạt động. Vui lòng liên hệ quản trị viên."))
    if not totp.clean_code(code):
        raise CodeRequired(
            _("Tài khoản này đăng nhập bằng xác thực hai bước: cần nhập mã xác thực."),
            errors={"code": [_("Bắt buộc.")]},
        )
    if not _accept_code(user, code):
        record_attempt(user.username, succeeded=False, remote_addr=remote_addr)
        log.warning("login failed: %r, wrong second-factor code (from %s)", user.username, remote_addr)
        raise _wrong_code()
    finish_login(user, remote_addr)


def _check_password_and_code(user: User, password: str | None, code: str | None, remote_addr: str | None) -> None:
    """Refuse unless both are right; a wrong one is a failure the lockout counts (the caller commits it)."""
    _refuse_if_locked_out(user.username, remote_addr)
    if password is not None and not user.check_password(password):
        record_attempt(user.username, succeeded=False, remote_addr=remote_addr)
        raise InvalidCredentials(_("Mật khẩu không đúng."), errors={"password": [_("Mật khẩu không đúng.")]})
    if not _accept_code(user, code):
        record_attempt(user.username, succeeded=False, remote_addr=remote_addr)
        raise _wrong_code()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [totp.new_recovery_code() for _i in range(totp.RECOVERY_CODE_COUNT)]
    now = utcnow()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(user.id, code), created_at=now)
        for code in codes
    )
    db.session.flush()
    return codes


def start_totp_enrolment(user: User, *, actor: audit.Actor) -> str:
    """Give the user a new TOTP secret to scan (not used for sign-in until confirmed); return it."""
    _require_self(user, actor)
    if user.has_totp:
        raise Conflict(_("Xác thực hai bước đã được bật cho tài khoản này."))
    secret = totp.new_secret()
    user.totp_secret = totp.seal(secret, user.id)
    user.totp_last_step = None
    db.session.flush()
    return secret


def confirm_totp_enrolment(user: User, code: str | None, *, actor: audit.Actor) -> list[str]:
    """Switch the second factor on once the user's app shows the right code; return the recovery codes (shown once)."""
    _require_self(user, actor)
    if user.has_totp:
        raise Conflict(_("Xác thực hai bước đã được bật cho tài khoản này."))
    secret = pending_totp_secret(user)
    if secret is None:
        raise Conflict(_("Chưa bắt đầu cài đặt xác thực hai bước, hoặc phiên cài đặt đã hết hạn: hãy bắt đầu lại."))
    step = totp.matching_step(secret, totp.clean_code(code), after=None)
    if step is None:
        raise Invalid(
            _("Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."),
            errors={"code": [_("Mã không đúng.")]},
        )
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step  # the code just used cannot sign in afterwards
    codes = _new_recovery_codes(user)
    audit.record(actor, "user.totp_enable", "user", user.id)
    log.info("second factor: user %s enrolled", user.id)
    return codes


def regenerate_recovery_codes(
    user: User, code: str | None, *, actor: audit.Actor, remote_addr: str | None = None
) -> list[str]:
    """Replace every recovery code of the user with new ones (shown once); needs a current code."""
    _require_self(user, actor)
    if not user.has_totp:
        raise Conflict(_("Xác thực hai bước chưa được bật cho tài khoản này."))
    _check_password_and_code(user, None, code, remote_addr)
    codes = _new_recovery_codes(user)
    audit.record(actor, "user.recovery_codes_regenerate", "user", user.id)
    return codes


def _clear_totp(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def disable_totp(
    user: User, password: str | None, code: str | None, *, actor: audit.Actor, remote_addr: str | None = None
) -> None:
    """Switch the user's own second factor off; needs the password and a code (a stolen session is not enough)."""
    _require_self(user, actor)
    if not user.has_totp:
        raise Conflict(_("Xác thực hai bước chưa được bật cho tài khoản này."))
    if totp.is_required(user):
        raise Conflict(_("Vai trò của bạn bắt buộc dùng xác thực hai bước: không thể tắt."))
    _check_password_and_code(user, password or "", code, remote_addr)
    _clear_totp(user)
    audit.record(actor, "user.totp_disable", "user", user.id)
    log.info("second factor: user %s switched it off", user.id)


def reset_totp(user: User, *, actor: audit.Actor) -> None:
    """Remove a user's second factor (a lost phone); the user enrols again, before anything else if required."""
    _require(actor, Permission.user_manage, user)
    if not user.totp_secret and recovery_codes_left(user) == 0:
        raise Conflict(_("Người dùng này chưa cài đặt xác thực hai bước."))
    had_it = user.has_totp
    _clear_totp(user)
    audit.record(actor, "user.totp_reset", "user", user.id, before={"totp": had_it}, after={"totp": False})
    log.warning("second factor: user %s reset by %s", user.id, actor)
