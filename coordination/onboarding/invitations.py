"""Invitation links: an imported user sets a first password with a one-time link that expires."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from coordination import audit
from coordination.auth import operations as auth_operations
from coordination.auth.models import User
from coordination.db import utcnow
from coordination.errors import Forbidden, Invalid, NotFound, OperationError
from coordination.extensions import db
from coordination.onboarding.models import Invitation
from coordination.permissions import Permission, can


class InvitationGone(OperationError):
    """The link was used or has expired: say so, and who to ask for a new one."""

    status = 410


@dataclass(frozen=True)
class IssuedInvitation:
    """What the admin is shown once: the link itself is never stored."""

    username: str
    full_name: str
    email: str | None
    url: str
    expires_at: datetime

    def as_dict(self) -> dict[str, str | datetime | None]:
        """The fields, for the API's schema to dump."""
        return {
            "username": self.username,
            "full_name": self.full_name,
            "email": self.email,
            "url": self.url,
            "expires_at": self.expires_at,
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    """The absolute link (BASE_URL): the CLI has no request to build it from."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/invitation/{token}"


def issue_invitation(user: User) -> IssuedInvitation:
    """Add an invitation for `user` to the session (the caller audits and flushes); return its link."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=int(current_app.config["INVITATION_TTL_DAYS"]))
    db.session.add(Invitation(user=user, token_hash=token_hash(token), expires_at=expires_at))
    return IssuedInvitation(user.username, user.full_name, user.email, invitation_url(token), expires_at)


def invitation_by_token(token: str) -> Invitation:
    """The invitation this link carries, still usable; NotFound for an unknown link, InvitationGone for a spent one."""
    invitation = db.session.scalar(
        sa.select(Invitation)
        .where(Invitation.token_hash == token_hash(token))
        .options(sa.orm.joinedload(Invitation.user))
    )
    if invitation is None:
        raise NotFound(_("Liên kết mời không đúng. Hãy kiểm tra lại liên kết trong thư mời."))
    if invitation.used_at is not None:
        raise InvitationGone(
            _("Liên kết mời này đã được dùng. Hãy đăng nhập, hoặc đề nghị quản trị viên gửi lời mời mới.")
        )
    if invitation.expires_at <= utcnow() or not invitation.user.active:
        raise InvitationGone(_("Liên kết mời này đã hết hạn. Hãy đề nghị quản trị viên gửi lời mời mới."))
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the invited user's first password (the usual policy applies) and spend the link; audited."""
    user = invitation.user
    # The user acts on their own account: set_password checks the policy, ends any session, audits.
    auth_operations.set_password(user, password, actor=user)
    now = utcnow()
    for pending in db.session.scalars(
        sa.select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ):
        pending.used_at = now  # every other link of this user dies with this one
    db.session.flush()
    audit.record(user, "user.accept_invitation", "user", user.id, after={"invitation_id": invitation.id})
    return user


def reissue_invitation(user: User, *, actor: audit.Actor) -> IssuedInvitation:
    """A new link for `user`, for one that expired or never arrived; the user's earlier links stop working."""
    if not audit.is_system(actor) and not can(actor, Permission.user_manage, user):
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác này."))
    if not user.active:
        raise Invalid(
            _("Tài khoản %(username)s đã ngừng hoạt động.", username=user.username),
            errors={"username": [_("Không hoạt động.")]},
        )
    now = utcnow()
    for pending in db.session.scalars(
        sa.select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ):
        pending.expires_at = min(pending.expires_at, now)  # expired, not used: the history stays true
    issued = issue_invitation(user)
    db.session.flush()
    audit.record(actor, "user.invite", "user", user.id, after={"expires_at": issued.expires_at})
    return issued
