"""Importing agencies and users from an onboarding file: checked whole first, then written whole, or not at all.

Rows are matched by agency code and by username, so importing the same file again changes nothing. A
cell left empty leaves the stored value as it is, and aliases and groups are only ever added: a file
never erases what the registry already knows. New users get an invitation link instead of a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import audit
from coordination.agencies.models import Agency, AgencyAlias, AgencyGroup, AgencyKind, AgencyLevel
from coordination.auth.models import User
from coordination.errors import Forbidden, Invalid
from coordination.extensions import db
from coordination.onboarding.checking import AgencyRow, Problem, UserRow, check_sheets
from coordination.onboarding.invitations import IssuedInvitation, issue_invitation
from coordination.onboarding.reading import AGENCIES, USERS, OnboardingFileError, read_file
from coordination.permissions import Permission, can
from coordination.text import fold


@dataclass(frozen=True)
class Upload:
    """An onboarding file as received: its name (for the kind and the messages) and its bytes."""

    filename: str
    content: bytes


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_json(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class OnboardingResult:
    """What an import did, or (dry run, or problems) would do; nothing is written when `problems` is not empty."""

    dry_run: bool
    kinds: list[str]
    problems: list[Problem] = field(default_factory=list)
    agencies: Counts = field(default_factory=Counts)
    users: Counts = field(default_factory=Counts)
    invitations: list[IssuedInvitation] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The result for the API's schema to dump."""
        return {
            "dry_run": self.dry_run,
            "written": self.written,
            "kinds": self.kinds,
            "problems": [p.as_json() for p in self.problems],
            "agencies": self.agencies.as_json(),
            "users": self.users.as_json(),
            "invitations": [i.as_dict() for i in self.invitations],
        }


def _require(actor: audit.Actor) -> None:
    if not audit.is_system(actor) and not can(actor, Permission.onboarding_import):
        raise Forbidden(_("Chỉ quản trị viên được nhập cơ quan, người dùng từ tệp."))


def _sorted(names: Any) -> list[str]:
    return sorted(names, key=fold)


def _agency_state(agency: Agency, codes: dict[int, str]) -> dict[str, Any]:
    """What an import can set on an agency, as compared and audited."""
    return {
        "code": agency.code,
        "name_vi": agency.name_vi,
        "name_en": agency.name_en,
        "short_name": agency.short_name,
        "kind": agency.kind.value,
        "level": agency.level.value,
        "parent": codes.get(agency.parent_id) if agency.parent_id else None,
        "aliases": _sorted(a.alias for a in agency.aliases),
        "groups": _sorted(g.name for g in agency.groups),
    }


def _wanted_agency(row: AgencyRow, current: dict[str, Any] | None, group_names: dict[str, str]) -> dict[str, Any]:
    """The state the row asks for: its non-empty cells over the current state (aliases and groups added)."""
    base = current or {
        "code": row.code,
        "name_en": None,
        "short_name": None,
        "kind": AgencyKind.other.value,
        "level": AgencyLevel.province.value,
        "parent": None,
        "aliases": [],
        "groups": [],
    }
    aliases = {fold(a): a for a in base["aliases"]}
    for alias in row.aliases:
        aliases.setdefault(fold(alias), alias)
    groups = {fold(g): g for g in base["groups"]}
    for group in row.groups:
        groups.setdefault(fold(group), group_names.get(fold(group), group))
    return {
        **base,
        "name_vi": row.name_vi,
        "name_en": row.name_en or base["name_en"],
        "short_name": row.short_name or base["short_name"],
        "kind": row.kind.value if row.kind else base["kind"],
        "level": row.level.value if row.level else base["level"],
        "parent": row.parent or base["parent"],
        "aliases": _sorted(aliases.values()),
        "groups": _sorted(groups.values()),
    }


def _user_state(user: User, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role.value,
        "agency": codes.get(user.agency_id) if user.agency_id else None,
        "is_head": user.is_head,
    }


def _wanted_user(row: UserRow, current: dict[str, Any] | None) -> dict[str, Any]:
    base = current or {"email": None, "agency": None, "is_head": False}
    return {
        "username": row.username,
        "full_name": row.full_name,
        "email": row.email or base["email"],
        "role": row.role.value,
        "agency": row.agency or base["agency"],
        "is_head": base["is_head"] if row.is_head is None else row.is_head,
    }


class _Writer:
    """Applies checked rows to the registry: objects first, one flush, then the audit events (they need ids)."""

    def __init__(self, actor: audit.Actor, result: OnboardingResult, dry_run: bool) -> None:
        self.actor, self.result, self.dry_run = actor, result, dry_run
        agencies = db.session.scalars(
            sa.select(Agency).options(sa.orm.selectinload(Agency.aliases), sa.orm.selectinload(Agency.groups))
        ).all()
        self.agencies = {a.code: a for a in agencies}
        self.codes = {a.id: a.code for a in agencies}
        #: (folded name, owner's code): "các sở" of one province is not another's
        self.groups = {
            (fold(g.name), self.codes.get(g.owner_id)): g for g in db.session.scalars(sa.select(AgencyGroup))
        }
        #: (action, entity, before, after) written once the flush gave every new row its id
        self.events: list[tuple[str, str, Any, dict[str, Any] | None, dict[str, Any]]] = []

    def agencies_from(self, rows: list[AgencyRow]) -> None:
        group_names = {name: g.name for (name, _owner), g in self.groups.items()}
        planned: list[tuple[Agency, dict[str, Any]]] = []
        for row in rows:
            agency = self.agencies.get(row.code)
            current = _agency_state(agency, self.codes) if agency is not None else None
            wanted = _wanted_agency(row, current, group_names)
            if wanted == current:
                self.result.agencies.unchanged += 1
                continue
            if current is None:
                self.result.agencies.created += 1
            else:
                self.result.agencies.updated += 1
            if self.dry_run:
                continue
            if agency is None:
                agency = Agency(code=row.code, name_vi=row.name_vi)
                db.session.add(agency)
                self.agencies[row.code] = agency
            planned.append((agency, wanted))
            self.events.append(
                ("agency.create" if current is None else "agency.update", agency, "agency", current, wanted)
            )
        # Parents after every agency exists: a row may name a parent further down the file.
        for agency, wanted in planned:
            agency.name_vi = wanted["name_vi"]
            agency.name_en = wanted["name_en"]
            agency.short_name = wanted["short_name"]
            agency.kind = AgencyKind(wanted["kind"])
            agency.level = AgencyLevel(wanted["level"])
            agency.parent = self.agencies[wanted["parent"]] if wanted["parent"] else None
            known = {fold(a.alias) for a in agency.aliases}
            agency.aliases.extend(AgencyAlias(alias=a) for a in wanted["aliases"] if fold(a) not in known)
            member_of = {fold(g.name) for g in agency.groups}
            for name in wanted["groups"]:
                if fold(name) not in member_of:
                    agency.groups.append(self._group(name, agency.parent))

    def _group(self, name: str, owner: Agency | None) -> AgencyGroup:
        # A group named by the file is meant under the agency's parent ("các sở" of this province).
        key = (fold(name), owner.code if owner is not None else None)
        group = self.groups.get(key)
        if group is None:
            group = AgencyGroup(name=name, owner=owner, aliases="")
            db.session.add(group)
            self.groups[key] = group
            self.events.append(("agency_group.create", group, "agency_group", None, {"name": name}))
        return group

    def users_from(self, rows: list[UserRow]) -> None:
        users = {
            u.username: u
            for u in db.session.scalars(sa.select(User).where(User.username.in_([r.username for r in rows])))
        }
        new_users = []
        for row in rows:
            user = users.get(row.username)
            current = _user_state(user, self.codes) if user is not None else None
            wanted = _wanted_user(row, current)
            if wanted == current:
                self.result.users.unchanged += 1
                continue
            if current is None:
                self.result.users.created += 1
            else:
                self.result.users.updated += 1
            if self.dry_run:
                continue
            if user is None:
                # No password: the account cannot sign in until its owner sets one through the invitation.
                user = User(username=row.username, password_hash="", active=True)
                db.session.add(user)
                new_users.append(user)
            user.full_name = wanted["full_name"]
            user.email = wanted["email"]
            user.role = row.role
            user.agency = self.agencies[wanted["agency"]] if wanted["agency"] else None
            user.is_head = wanted["is_head"]
            self.events.append(("user.create" if current is None else "user.update", user, "user", current, wanted))
        for user in new_users:
            self.result.invitations.append(issue_invitation(user))

    def finish(self) -> None:
        if self.dry_run:
            return
        db.session.flush()
        invited = {i.username: i.expires_at for i in self.result.invitations}
        for action, obj, entity, before, after in self.events:
            if action == "user.create":
                after = {**after, "invitation_expires_at": invited[obj.username]}
            audit.record(self.actor, action, entity, obj.id, before=before, after=after)
        db.session.flush()


def import_onboarding(
    upload: Upload, *, actor: audit.Actor, dry_run: bool = False, only: str | None = None
) -> OnboardingResult:
    """Check an onboarding file and, when it is clean and this is no dry run, write all of it.

    `only` ("agencies" or "users") reads that kind of sheet alone. Problems are returned, not raised:
    the caller shows them (page, problems file, CLI lines, API body) and nothing has been written.
    """
    _require(actor)
    try:
        sheets = read_file(upload.filename, upload.content, only=only)
    except OnboardingFileError as error:
        raise Invalid(str(error), errors={"file": [str(error)]}) from None
    me = audit.acting_user(actor)
    checked = check_sheets(sheets, acting_username=me.username if me is not None else None)
    result = OnboardingResult(dry_run=dry_run, kinds=sorted(set(checked.kinds), key=[AGENCIES, USERS].index))
    result.problems = checked.problems
    writer = _Writer(actor, result, dry_run=dry_run or bool(checked.problems))
    writer.agencies_from(checked.agencies)
    writer.users_from(checked.users)
    writer.finish()
    return result


def import_agencies(upload: Upload, *, actor: audit.Actor, dry_run: bool = False) -> OnboardingResult:
    """Import the agencies of a file (its "Cơ quan" sheet, or a CSV of agencies)."""
    return import_onboarding(upload, actor=actor, dry_run=dry_run, only=AGENCIES)


def import_users(upload: Upload, *, actor: audit.Actor, dry_run: bool = False) -> OnboardingResult:
    """Import the users of a file (its "Người dùng" sheet, or a CSV of users); their agencies must exist."""
    return import_onboarding(upload, actor=actor, dry_run=dry_run, only=USERS)
