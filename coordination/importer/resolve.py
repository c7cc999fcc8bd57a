"""Match the agency names a directive writes to the registry: codes and groups, with a score.

A name resolves by exact spelling (names, short names, aliases, group names; diacritics, case and
punctuation ignored), after expanding abbreviations (UBND, MTTQ, LĐLĐ, GD&ĐT, BQL KKT...), after
adding the issuer's locality to a bare or qualified name ("Công an tỉnh" → "Công an tỉnh Tây Ninh"),
as several groups ("Các sở, ban, ngành, các tổ chức chính trị - xã hội tỉnh"), or by fuzzy matching
above a threshold with a clear lead over the next agency. Anything else is left unresolved with
candidates for the reviewer to pick: a name is never silently guessed.

The registry is loaded once per call (three queries), whatever the number of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from coordination.agencies.models import Agency, AgencyAlias, AgencyGroup, agency_group_members
from coordination.agencies.queries import agencies_under
from coordination.extensions import db
from coordination.text import fold

#: a fuzzy match at or above this score (0-100) resolves a name ...
FUZZY_THRESHOLD = 88
#: ... if no other agency or group comes this close to it
FUZZY_MARGIN = 4
#: how many candidates an unresolved name offers
CANDIDATES = 5

# Abbreviations as directives print them, in folded form (fold() has already removed diacritics).
_ABBREVIATIONS = [
    (r"\bubnd\b", "uy ban nhan dan"),
    (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\buy ban mttq\b", "uy ban mat tran to quoc"),
    (r"\bmttq\b", "mat tran to quoc"),
    (r"\bmat tran to quoc viet nam\b", "mat tran to quoc"),
    (r"\bldld\b", "lien doan lao dong"),
    (r"\bgd ?dt\b", "giao duc va dao tao"),
    (r"\bbql\b", "ban quan ly"),
    (r"\bkkt\b", "khu kinh te"),
    (r"\bpt ?th\b", "phat thanh va truyen hinh"),
    (r"\blhpn\b", "lien hiep phu nu"),
    (r"\bccb\b", "cuu chien binh"),
    (r"\bvh ?tt\b", "van hoa va thong tin"),
    (r"\btc ?kh\b", "tai chinh ke hoach"),
    (r"^vp\b", "van phong"),
    (r"^ca\b", "cong an"),
    (r"\btp\b", "thanh pho"),
    (r"\btx\b", "thi xa"),
]
_ABBREVIATIONS_RE = [(re.compile(pattern), replacement) for pattern, replacement in _ABBREVIATIONS]
#: the person named before an agency: the agency is what is assigned
_HEADS = re.compile(r"^(?:(?:pho )?(?:giam doc|thu truong|chu tich|truong ban|truong phong|chanh van phong) )+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_LOCALITY = re.compile(r"\b(tinh|thanh pho|thi xa|huyen|quan|phuong|xa|thi tran)\s+(.+)$")
#: where one name lists several groups: "Các sở, ban, ngành, các tổ chức chính trị - xã hội tỉnh"
_GROUP_LIST = re.compile(r",\s*(?=các\s)|\s+và\s+(?=các\s)", re.IGNORECASE)


def normalize(name: str) -> str:
    """The key names are compared by: folded, abbreviations expanded, heads and punctuation dropped."""
    key = fold(name).replace("&", " va ")
    key = _NOT_WORD.sub(" ", key.replace("gd va dt", "gddt")).strip()
    for pattern, replacement in _ABBREVIATIONS_RE:
        key = pattern.sub(replacement, key)
    key = _HEADS.sub("", key)
    return re.sub(r"\s+", " ", key).strip()


@dataclass(frozen=True)
class Target:
    """What a name can designate: one agency (by code) or a named group."""

    kind: str  # "agency" or "group"
    key: str  # agency code or group name
    name: str
    own: bool  # under the issuer: its tree, its groups, its locality
    members: tuple[str, ...] = ()

    def as_json(self, score: float) -> dict[str, Any]:
        if self.kind == "agency":
            return {"agency": self.key, "name": self.name, "score": round(score, 1)}
        return {"group": self.key, "name": self.name, "members": list(self.members), "score": round(score, 1)}


@dataclass
class Resolution:
    """How one name as written resolved: `matches` when resolved, `candidates` to pick from otherwise."""

    name: str
    status: str  # "resolved" or "unresolved"
    method: str | None = None  # exact, qualified, groups, fuzzy
    score: float = 0.0
    matches: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def agency_codes(self) -> list[str]:
        return [m["agency"] for m in self.matches if "agency" in m]

    @property
    def group_names(self) -> list[str]:
        return [m["group"] for m in self.matches if "group" in m]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "method": self.method,
            "score": round(self.score, 1),
            "matches": self.matches,
            "candidates": self.candidates,
        }


class Registry:
    """Every active agency and group under one index of normalised names, loaded once."""

    def __init__(self, issuer: Agency | None = None) -> None:
        self.issuer = issuer
        self.index: dict[str, list[Target]] = {}
        rows = db.session.execute(
            sa.select(Agency.id, Agency.code, Agency.name_vi, Agency.short_name, Agency.parent_id).where(
                Agency.active.is_(True)
            )
        ).all()
        aliases: dict[int, list[str]] = {}
        for agency_id, alias in db.session.execute(sa.select(AgencyAlias.agency_id, AgencyAlias.alias)):
            aliases.setdefault(agency_id, []).append(alias)
        groups = db.session.execute(
            sa.select(AgencyGroup.id, AgencyGroup.name, AgencyGroup.aliases, AgencyGroup.owner_id)
        ).all()
        members: dict[int, list[int]] = {}
        for group_id, agency_id in db.session.execute(
            sa.select(agency_group_members.c.group_id, agency_group_members.c.agency_id)
        ):
            members.setdefault(group_id, []).append(agency_id)
        codes = {row.id: row.code for row in rows}
        parents = {row.id: row.parent_id for row in rows}
        self.kind, self.place = self._locality(issuer.name_vi if issuer else "")
        own = self._own(issuer.id if issuer else None, parents, groups, members)
        place = fold(self.place)
        for row in rows:
            is_own = row.id in own or bool(place and place in fold(row.name_vi))
            target = Target("agency", row.code, row.name_vi, is_own)
            for name in {row.name_vi, row.short_name or "", row.code, *aliases.get(row.id, [])}:
                self._add(name, target)
        for group in groups:
            member_codes = tuple(codes[a] for a in members.get(group.id, []) if a in codes)
            is_own = issuer is not None and group.owner_id == issuer.id
            target = Target("group", group.name, group.name, is_own, member_codes)
            for name in [group.name, *(a.strip() for a in (group.aliases or "").splitlines())]:
                self._add(name, target)
        self.keys = list(self.index)

    def _add(self, name: str, target: Target) -> None:
        key = normalize(name)
        if key and target not in self.index.setdefault(key, []):
            self.index[key].append(target)

    @staticmethod
    def _locality(issuer_name: str) -> tuple[str, str]:
        """("tinh", "Tây Ninh") out of "Ủy ban nhân dân tỉnh Tây Ninh" (the kind folded, the place as written)."""
        words = issuer_name.split()
        folded = [fold(w) for w in words]
        for size, kind in ((2, "thanh pho"), (2, "thi xa"), (2, "thi tran"), (1, "tinh"), (1, "huyen"), (1, "quan")):
            for i in range(len(words) - size):
                if " ".join(folded[i : i + size]) == kind:
                    return kind, " ".join(words[i + size :])
        for kind in ("phuong", "xa"):
            if kind in folded[:-1]:
                i = folded.index(kind)
                return kind, " ".join(words[i + 1 :])
        return "", ""

    @staticmethod
    def _own(issuer_id: int | None, parents: dict[int, int | None], groups: Any, members: dict) -> set[int]:
        """The issuer, the agencies under it and the members of its groups."""
        if issuer_id is None:
            return set()
        own = agencies_under(issuer_id, parents)
        for group in groups:
            if group.owner_id == issuer_id:
                own.update(members.get(group.id, []))
        return own

    def variants(self, key: str) -> list[tuple[str, str]]:
        """The key, and the key completed with the issuer's locality: (key, method)."""
        found = [(key, "exact")]
        if self.kind:
            place = normalize(self.place)
            if key.endswith(" " + self.kind) or key == self.kind:
                found.append((f"{key} {place}", "qualified"))
            elif not _LOCALITY.search(key):
                found += [(f"{key} {self.kind}", "qualified"), (f"{key} {self.kind} {place}", "qualified")]
                found.append((f"{key} {place}", "qualified"))
        return found

    def exact(self, key: str) -> tuple[list[Target], str | None]:
        """Targets named exactly by the key or a qualified variant, the issuer's own preferred."""
        hits: list[Target] = []
        method = None
        for variant, how in self.variants(key):
            for target in self.index.get(variant, []):
                if target not in hits:
                    hits.append(target)
                    method = method or how
        own = [t for t in hits if t.own]
        return (own or hits), method

    def fuzzy(self, key: str, limit: int) -> list[tuple[Target, float]]:
        """The best distinct targets by similarity to any variant of the key, best first."""
        best: dict[Target, float] = {}
        for variant, _how in self.variants(key):
            for match, score, _index in process.extract(
                variant, self.keys, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=30
            ):
                for target in self.index[match]:
                    # The issuer's own agencies win a tie against another province's namesake.
                    bonus = 0.5 if target.own else 0.0
                    best[target] = max(best.get(target, 0.0), score + bonus)
        ranked = sorted(best.items(), key=lambda item: -item[1])
        return [(t, min(s, 100.0)) for t, s in ranked[:limit]]


def resolve_name(name: str, registry: Registry) -> Resolution:
    """Resolve one name as written against a loaded registry."""
    key = normalize(name)
    if not key:
        return Resolution(name, "unresolved")
    targets, method = registry.exact(key)
    if len(targets) == 1 or (targets and all(t.kind == "group" for t in targets) and len(targets) > 1):
        return Resolution(name, "resolved", method, 100.0, [t.as_json(100.0) for t in targets])
    if len(targets) > 1:
        # The same spelling names several agencies none of which is the issuer's: the reviewer picks.
        return Resolution(name, "unresolved", "ambiguous", 100.0, candidates=[t.as_json(100.0) for t in targets])
    parts = [p.strip() for p in _GROUP_LIST.split(name) if p.strip()]
    if len(parts) > 1:
        resolved = _resolve_group_list(parts, registry)
        if resolved is not None:
            return Resolution(name, "resolved", "groups", 100.0, resolved)
    ranked = registry.fuzzy(key, CANDIDATES)
    if ranked:
        (top, score), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        if score >= FUZZY_THRESHOLD and score - runner_up >= FUZZY_MARGIN:
            return Resolution(name, "resolved", "fuzzy", score, [top.as_json(score)])
    return Resolution(
        name, "unresolved", None, ranked[0][1] if ranked else 0.0, candidates=[t.as_json(s) for t, s in ranked]
    )


def _resolve_group_list(parts: list[str], registry: Registry) -> list[dict[str, Any]] | None:
    """Each part names a group (the last part's qualifier also qualifies the others); None if one does not."""
    last = normalize(parts[-1])
    qualifier = next((k for k in ("tinh", "thanh pho", "huyen", "thi xa") if last.endswith(" " + k)), "")
    matches: list[dict[str, Any]] = []
    for part in parts:
        key = normalize(part)
        targets, _method = registry.exact(key)
        if not targets and qualifier:
            targets, _method = registry.exact(f"{key} {qualifier}")
        if len(targets) != 1:
            return None
        matches.append(targets[0].as_json(100.0))
    return matches


def resolve_names(names: list[str], *, issuer: Agency | None = None) -> dict[str, Resolution]:
    """Resolve each distinct name, the issuer's locality qualifying bare ones; the registry is read once."""
    registry = Registry(issuer)
    resolutions: dict[str, Resolution] = {}
    for name in names:
        if name and name not in resolutions:
            resolutions[name] = resolve_name(name, registry)
    return resolutions


def names_in(extraction: dict[str, Any]) -> list[str]:
    """Every agency name an extraction mentions, in reading order."""
    names = list(extraction.get("addressees") or [])
    for key in ("monitor", "report_to"):
        if extraction.get(key):
            names.append(extraction[key])

    def walk(tasks: list[dict[str, Any]]) -> None:
        for task in tasks:
            names.extend(task.get("lead") or [])
            names.extend(task.get("coordinate") or [])
            if isinstance(task.get("report_to"), str):
                names.append(task["report_to"])
            walk(task.get("subtasks") or [])

    walk(extraction.get("tasks") or [])
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n.strip()))


def resolve_extraction(extraction: dict[str, Any], *, issuer: Agency | None = None) -> dict[str, Resolution]:
    """Resolve every agency name of a parsed directive (see coordination.importer.parser)."""
    return resolve_names(names_in(extraction), issuer=issuer)


def find_issuer(extraction: dict[str, Any]) -> Agency | None:
    """The registry's agency for the extraction's issuer, if it resolves to exactly one."""
    issuer_name = extraction.get("issuer")
    if not issuer_name:
        return None
    resolution = resolve_names([issuer_name])[issuer_name]
    codes = resolution.agency_codes
    if not resolution.resolved or len(codes) != 1:
        return None
    return db.session.scalar(sa.select(Agency).where(Agency.code == codes[0]))
