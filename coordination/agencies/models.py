"""Agencies (cơ quan, đơn vị), their aliases and named groups."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.collation import vi_order
from coordination.db import str_enum
from coordination.extensions import db


class AgencyKind(enum.StrEnum):
    people_committee = "people_committee"
    police = "police"
    department = "department"
    mass_organization = "mass_organization"
    press = "press"
    board = "board"
    other = "other"


class AgencyLevel(enum.StrEnum):
    central = "central"
    province = "province"
    district = "district"
    commune = "commune"


agency_group_members = sa.Table(
    "agency_group_member",
    db.metadata,
    sa.Column("group_id", sa.ForeignKey("agency_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(255))
    name_en: Mapped[str | None] = mapped_column(sa.String(255))
    short_name: Mapped[str | None] = mapped_column(sa.String(120))
    kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind, "agency_kind"), default=AgencyKind.other)
    level: Mapped[AgencyLevel] = mapped_column(str_enum(AgencyLevel, "agency_level"), default=AgencyLevel.province)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: the agency that took over this one's open work after a merger; history keeps the old agency
    successor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))

    parent: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[parent_id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by=lambda: vi_order(Agency.name_vi)
    )
    successor: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[successor_id])
    aliases: Mapped[list[AgencyAlias]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by=lambda: vi_order(AgencyAlias.alias)
    )
    groups: Mapped[list[AgencyGroup]] = relationship(secondary=agency_group_members, back_populates="members")

    def __str__(self) -> str:
        return self.name_vi


class AgencyAlias(db.Model):
    """Another spelling of an agency's name, as directives write it ("Sở GD&ĐT")."""

    __tablename__ = "agency_alias"
    __table_args__ = (sa.UniqueConstraint("agency_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(sa.String(255))

    agency: Mapped[Agency] = relationship(back_populates="aliases")

    def __str__(self) -> str:
        return self.alias


class AgencyGroup(db.Model):
    """A named set of agencies as directives address them ("UBND các huyện, thị xã, thành phố")."""

    __tablename__ = "agency_group"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    name_en: Mapped[str | None] = mapped_column(sa.String(255))
    #: the agency under which the group is meant ("các sở" of this province)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    #: other spellings, separated by newlines
    aliases: Mapped[str] = mapped_column(sa.Text, default="")

    owner: Mapped[Agency | None] = relationship()
    members: Mapped[list[Agency]] = relationship(
        secondary=agency_group_members, back_populates="groups", order_by=lambda: vi_order(Agency.name_vi)
    )

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in (self.aliases or "").splitlines() if a.strip()]
