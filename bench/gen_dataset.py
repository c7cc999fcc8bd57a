#!/usr/bin/env python3
# A copy of ../shared/bench/gen_dataset.py (ruff-formatted; same output), so that `make bench` needs only the clone.
# ruff: noqa: S311, SIM115
"""Deterministic province-scale data set for benchmarks, as plain CSV files.

One run writes agencies.csv, users.csv, directives.csv, tasks.csv,
assignments.csv and updates.csv into OUT_DIR. The same arguments always give
the same bytes, so two systems loaded from it do the same work.

    python3 gen_dataset.py OUT_DIR [--directives 6000] [--today 2026-11-24] [--seed 7]

Shape of the default run (one province, three years of directives):
134 agencies, 6,000 directives, ~48,000 tasks, ~430,000 assignments
(~70,000 of them overdue), ~1.1 million progress updates; --directives
scales the rest linearly. Statuses follow the deadline: most past-due
work is done (some late), a fifth of it is still open and so overdue.

Columns (dates ISO 8601, empty = none):
  agencies:    id, code, name_vi, name_en, kind, parent_id
  users:       id, username, full_name, agency_id, role
  directives:  id, number, symbol, ref, doc_type, issuer_agency_id, issued_on,
               subject, monitor_agency_id
  tasks:       id, directive_id, label, position, content, deadline
  assignments: id, task_id, agency_id, role, status, deadline, completed_on,
               progress_percent
  updates:     id, assignment_id, created_at, author_user_id, status_to, text
Kinds: people_committee, police, department, mass_organization, press, board.
Roles of an assignment: lead (chủ trì), coordinate (phối hợp).
Statuses: not_started, in_progress, reported_done, done.
Roles of a user: office, monitor, officer.
"""

import argparse
import csv
import datetime as dt
import os
import random

DEPARTMENTS = [
    ("STP", "Sở Tư pháp", "Department of Justice"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SXD", "Sở Xây dựng", "Department of Construction"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs"),
    ("TTR", "Thanh tra tỉnh", "Provincial Inspectorate"),
    ("VPUB", "Văn phòng UBND tỉnh", "Office of the Provincial People's Committee"),
    ("BQLKKT", "Ban Quản lý Khu kinh tế tỉnh", "Economic Zone Management Board"),
    ("BHXH", "Bảo hiểm xã hội tỉnh", "Provincial Social Insurance"),
    ("CTHUE", "Thuế tỉnh", "Provincial Tax Department"),
]
MASS_ORGS = [
    (
        "MTTQ",
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "Provincial Vietnam Fatherland Front Committee",
        "mass_organization",
    ),
    ("LDLD", "Liên đoàn Lao động tỉnh", "Provincial Labour Federation", "mass_organization"),
    ("TDOAN", "Tỉnh đoàn", "Provincial Youth Union", "mass_organization"),
    ("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", "Provincial Women's Union", "mass_organization"),
    ("HCCB", "Hội Cựu chiến binh tỉnh", "Provincial Veterans' Association", "mass_organization"),
    ("HND", "Hội Nông dân tỉnh", "Provincial Farmers' Union", "mass_organization"),
    ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", "Provincial Radio and Television", "press"),
    ("BAO", "Báo tỉnh", "Provincial Newspaper", "press"),
]
DISTRICTS = [
    "Tây Ninh",
    "Hòa Thành",
    "Trảng Bàng",
    "Tân Biên",
    "Tân Châu",
    "Dương Minh Châu",
    "Châu Thành",
    "Gò Dầu",
    "Bến Cầu",
]
COMMUNE_NAMES = [
    "An",
    "Bình",
    "Hòa",
    "Long",
    "Phước",
    "Tân",
    "Thạnh",
    "Trường",
    "Hiệp",
    "Lợi",
    "Ninh",
    "Thành",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
]
TOPICS = [
    "cấp căn cước công dân gắn chip điện tử",
    "triển khai Đề án 06 về dữ liệu dân cư",
    "cải cách thủ tục hành chính",
    "phòng, chống dịch bệnh",
    "chuyển đổi số",
    "phòng, chống thiên tai",
    "bảo đảm trật tự an toàn giao thông",
    "giải ngân vốn đầu tư công",
    "xây dựng nông thôn mới",
    "thu ngân sách nhà nước",
    "an toàn thực phẩm",
    "phòng cháy, chữa cháy",
    "tuyển sinh năm học mới",
    "bảo hiểm xã hội toàn dân",
]
VERBS = [
    "Tiếp tục tuyên truyền, vận động",
    "Chủ trì, phối hợp triển khai",
    "Rà soát, tổng hợp",
    "Xây dựng kế hoạch",
    "Hướng dẫn, kiểm tra",
    "Tham mưu UBND tỉnh",
    "Báo cáo kết quả",
]
SYMBOLS = ["UBND-KSTT", "UBND-NC", "UBND-KT", "UBND-VX", "UBND-TH", "UBND-CA"]
DOC_TYPES = ["cong_van", "cong_van", "cong_van", "ke_hoach", "chi_thi"]
UPDATE_TEXTS = [
    "Đã triển khai đến các đơn vị trực thuộc.",
    "Đang phối hợp với Công an tỉnh.",
    "Đã tổ chức tuyên truyền trên địa bàn.",
    "Đã hoàn thành, gửi kèm báo cáo.",
]


def agencies():
    rows = [(1, "UBND", "Ủy ban nhân dân tỉnh", "Provincial People's Committee", "people_committee", "")]
    rows.append((2, "CA", "Công an tỉnh", "Provincial Police", "police", ""))
    for code, vi, en in DEPARTMENTS:
        rows.append((len(rows) + 1, code, vi, en, "department", ""))
    for code, vi, en, kind in MASS_ORGS:
        rows.append((len(rows) + 1, code, vi, en, kind, ""))
    districts = []
    for i, name in enumerate(DISTRICTS):
        aid = len(rows) + 1
        districts.append(aid)
        rows.append(
            (
                aid,
                f"UBND-H{i + 1:02d}",
                f"Ủy ban nhân dân {name}",
                f"People's Committee of {name}",
                "people_committee",
                1,
            )
        )
    communes = []
    for d, did in enumerate(districts):
        for c in range(10 + d % 3):
            aid = len(rows) + 1
            communes.append(aid)
            name = (
                f"{COMMUNE_NAMES[(d * 7 + c) % len(COMMUNE_NAMES)]} {COMMUNE_NAMES[(c * 3 + d) % len(COMMUNE_NAMES)]}"
            )
            rows.append(
                (
                    aid,
                    f"UBND-X{d + 1:02d}{c + 1:02d}",
                    f"Ủy ban nhân dân xã {name}",
                    f"People's Committee of {name} Commune",
                    "people_committee",
                    did,
                )
            )
    return rows, districts, communes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--directives", type=int, default=6000)
    ap.add_argument("--today", default="2026-11-24")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    today = dt.date.fromisoformat(args.today)
    os.makedirs(args.out_dir, exist_ok=True)
    agency_rows, districts, communes = agencies()
    top_level = [r[0] for r in agency_rows if r[5] == "" and r[0] != 1]

    def writer(name, header):
        f = open(os.path.join(args.out_dir, name), "w", newline="", encoding="utf-8")
        w = csv.writer(f)
        w.writerow(header)
        return f, w

    f, w = writer("agencies.csv", ["id", "code", "name_vi", "name_en", "kind", "parent_id"])
    w.writerows(agency_rows)
    f.close()

    f, w = writer("users.csv", ["id", "username", "full_name", "agency_id", "role"])
    user_of = {}
    for r in agency_rows:
        role = "office" if r[0] == 1 else "monitor" if r[0] == 2 else "officer"
        user_of[r[0]] = r[0]
        w.writerow((r[0], r[1].lower(), f"Cán bộ {r[2]}", r[0], role))
    f.close()

    fd, wd = writer(
        "directives.csv",
        ["id", "number", "symbol", "ref", "doc_type", "issuer_agency_id", "issued_on", "subject", "monitor_agency_id"],
    )
    ft, wt = writer("tasks.csv", ["id", "directive_id", "label", "position", "content", "deadline"])
    fa, wa = writer(
        "assignments.csv",
        ["id", "task_id", "agency_id", "role", "status", "deadline", "completed_on", "progress_percent"],
    )
    fu, wu = writer("updates.csv", ["id", "assignment_id", "created_at", "author_user_id", "status_to", "text"])
    task_id = assignment_id = update_id = 0
    span = 3 * 365
    numbers = {}
    for did in range(1, args.directives + 1):
        issued = today - dt.timedelta(days=span - (did - 1) * span // args.directives)
        numbers[issued.year] = numbers.get(issued.year, 0) + 1
        symbol = rnd.choice(SYMBOLS)
        number = numbers[issued.year]
        topic = rnd.choice(TOPICS)
        wd.writerow(
            (
                did,
                number,
                symbol,
                f"{number}/{symbol}",
                rnd.choice(DOC_TYPES),
                1,
                issued.isoformat(),
                f"V/v {topic}",
                2 if rnd.random() < 0.7 else 1,
            )
        )
        for pos in range(1, rnd.randint(3, 13) + 1):
            task_id += 1
            recurring = rnd.random() < 0.15
            deadline = None if recurring else issued + dt.timedelta(days=rnd.choice([7, 15, 30, 45, 60, 90, 180]))
            wt.writerow(
                (
                    task_id,
                    did,
                    str(pos),
                    pos,
                    f"{rnd.choice(VERBS)} về {topic}.",
                    deadline.isoformat() if deadline else "",
                )
            )
            pick = rnd.random()
            if pick < 0.55:
                leads, coords = [rnd.choice(top_level)], rnd.sample(top_level, rnd.randint(0, 3))
            elif pick < 0.80:
                leads, coords = districts, [2]
            elif pick < 0.90:
                leads, coords = rnd.sample(communes, 40), []
            else:
                leads, coords = rnd.sample(top_level, 12), []
            seen = set()
            for role, group in (("lead", leads), ("coordinate", coords)):
                for aid in group:
                    if aid in seen:
                        continue
                    seen.add(aid)
                    assignment_id += 1
                    status, completed, progress = status_for(rnd, deadline, issued, today)
                    wa.writerow(
                        (
                            assignment_id,
                            task_id,
                            aid,
                            role,
                            status,
                            deadline.isoformat() if deadline else "",
                            completed.isoformat() if completed else "",
                            progress,
                        )
                    )
                    for k in range({"not_started": 0, "in_progress": 1}.get(status, 3)):
                        update_id += 1
                        at = issued + dt.timedelta(days=1 + k * 5, hours=8 + k)
                        to = status if k == {"in_progress": 0}.get(status, 2) else "in_progress"
                        wu.writerow(
                            (
                                update_id,
                                assignment_id,
                                dt.datetime.combine(at, dt.time(9 + k)).isoformat(),
                                user_of[aid],
                                to,
                                rnd.choice(UPDATE_TEXTS),
                            )
                        )
    for fh in (fd, ft, fa, fu):
        fh.close()
    print(
        f"{len(agency_rows)} agencies, {args.directives} directives, {task_id} tasks, "
        f"{assignment_id} assignments, {update_id} updates -> {args.out_dir}"
    )


def status_for(rnd, deadline, issued, today):
    """Status, completion date and progress of one assignment, drawn to follow its deadline."""
    if deadline is None or deadline < today:
        r = rnd.random()
        if r < 0.60:
            end = deadline or today
            return "done", issued + dt.timedelta(days=rnd.randint(1, max(1, (end - issued).days))), 100
        if r < 0.80:
            late = (deadline or today) + dt.timedelta(days=rnd.randint(1, 40))
            if late <= today:
                return "done", late, 100
        if r < 0.85:
            return "reported_done", None, 100
        return rnd.choice(["not_started", "in_progress", "in_progress"]), None, rnd.choice([0, 20, 50, 80])
    r = rnd.random()
    if r < 0.30:
        return "done", issued + dt.timedelta(days=rnd.randint(0, max(0, (today - issued).days))), 100
    if r < 0.80:
        return "in_progress", None, rnd.choice([10, 30, 50, 70, 90])
    return "not_started", None, 0


if __name__ == "__main__":
    main()
