"""Onboarding files built in the test: a province of 134 agencies and 300 users, and one with ten kinds of error.

Built with openpyxl (the same library the app reads with), so the expected counts are written here beside
the rows that make them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

AGENCY_HEADERS = [
    "Mã cơ quan",
    "Tên cơ quan",
    "Tên tiếng Anh",
    "Tên viết tắt",
    "Loại",
    "Cấp",
    "Mã cơ quan cấp trên",
    "Tên gọi khác",
    "Nhóm",
]
USER_HEADERS = ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Mã cơ quan", "Vai trò", "Lãnh đạo đơn vị"]

DEPARTMENTS = [
    "Sở Tư pháp",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
    "Thanh tra tỉnh",
    "Ban Quản lý Khu kinh tế",
    "Đài Phát thanh và Truyền hình",
    "Báo Hòa Bình",
    "Liên đoàn Lao động tỉnh",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Tỉnh đoàn",
    "Hội Liên hiệp Phụ nữ tỉnh",
]
#: 12 districts of 8 communes each
DISTRICTS = [
    "Đà Bắc",
    "Mai Châu",
    "Kỳ Sơn",
    "Lương Sơn",
    "Kim Bôi",
    "Cao Phong",
    "Tân Lạc",
    "Lạc Sơn",
    "Yên Thủy",
    "Lạc Thủy",
    "Thành phố Hòa Bình",
    "Thị xã Phú Đức",
]
COMMUNES_PER_DISTRICT = 8
#: 1 province committee + 1 police + 20 departments + 12 districts + 96 communes + 4 district police = 134
AGENCY_COUNT = 134
USER_COUNT = 300


def _kind(name: str) -> str:
    if name.startswith("Báo") or name.startswith("Đài"):
        return "Báo chí"
    if name.startswith("Ban Quản lý"):
        return "Ban quản lý"
    if name.startswith(("Liên đoàn", "Ủy ban Mặt trận", "Tỉnh đoàn", "Hội")):
        return "Tổ chức chính trị - xã hội"
    return "Sở ban ngành"


def province_agencies() -> list[list[str]]:
    rows = [
        [
            "HB-UBND",
            "Ủy ban nhân dân tỉnh Hòa Bình",
            "Hoa Binh Provincial People's Committee",
            "UBND tỉnh",
            "Ủy ban nhân dân",
            "Tỉnh",
            "",
            "UBND tỉnh Hòa Bình",
            "",
        ],
        [
            "HB-CA",
            "Công an tỉnh Hòa Bình",
            "Hoa Binh Provincial Police",
            "CA tỉnh",
            "Công an",
            "Tỉnh",
            "HB-UBND",
            "",
            "",
        ],
    ]
    for i, name in enumerate(DEPARTMENTS, start=1):
        rows.append(
            [
                f"HB-S{i:02d}",
                f"{name}",
                "",
                "",
                _kind(name),
                "Tỉnh",
                "HB-UBND",
                f"{name} tỉnh Hòa Bình",
                "Các sở, ban, ngành tỉnh",
            ]
        )
    for d, district in enumerate(DISTRICTS, start=1):
        code = f"HB-H{d:02d}"
        rows.append(
            [
                code,
                f"Ủy ban nhân dân {district}",
                "",
                f"UBND {district}",
                "Ủy ban nhân dân",
                "Huyện",
                "HB-UBND",
                "",
                "UBND các huyện, thành phố",
            ]
        )
        for c in range(1, COMMUNES_PER_DISTRICT + 1):
            rows.append(
                [
                    f"{code}-X{c:02d}",
                    f"Ủy ban nhân dân xã {district} {c}",
                    "",
                    "",
                    "Ủy ban nhân dân",
                    "Xã",
                    code,
                    "",
                    f"UBND các xã thuộc {district}",
                ]
            )
        if d <= 4:
            rows.append([f"{code}-CA", f"Công an {district}", "", "", "Công an", "Huyện", code, "", ""])
    assert len(rows) == AGENCY_COUNT
    return rows


def province_users() -> list[list[str]]:
    codes = [row[0] for row in province_agencies()]
    rows = [
        ["vanphong.hb", "Nguyễn Thị Hồng Nhung", "nhung.vp@hoabinh.gov.vn", "HB-UBND", "Văn phòng", "không"],
        ["congan.hb", "Bùi Văn Đức", "duc.ca@hoabinh.gov.vn", "HB-CA", "Theo dõi", "có"],
    ]
    n = 0
    while len(rows) < USER_COUNT:
        code = codes[n % len(codes)]
        n += 1
        rows.append(
            [
                f"canbo{n:03d}.hb",
                f"Đinh Thị Thu Hằng {n}",
                f"canbo{n:03d}@hoabinh.gov.vn",
                code,
                "Cán bộ",
                "x" if n <= len(codes) else "",
            ]
        )
    return rows


def workbook(agencies: list[list[Any]] | None, users: list[list[Any]] | None) -> bytes:
    """An .xlsx with a "Cơ quan" and a "Người dùng" sheet (either may be left out)."""
    book = Workbook()
    book.remove(book.active)
    if agencies is not None:
        sheet = book.create_sheet("Cơ quan")
        sheet.append(AGENCY_HEADERS)
        for row in agencies:
            sheet.append(row)
    if users is not None:
        sheet = book.create_sheet("Người dùng")
        sheet.append(USER_HEADERS)
        for row in users:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(headers: list[str], rows: list[list[Any]], *, bom: bool = True, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def clean_file() -> bytes:
    return workbook(province_agencies(), province_users())


#: the ten kinds of error and where each is (sheet, line, column as written, value)
TEN_ERRORS = [
    ("Cơ quan", 3, "Mã cơ quan", "HB-X1", "trùng với dòng 2"),  # 1. duplicate code
    ("Cơ quan", 4, "Mã cơ quan cấp trên", "HB-KHONGCO", "không có cơ quan mã 'HB-KHONGCO'"),  # 2. unknown parent
    ("Cơ quan", 5, "Loại", "Bộ", "không phải loại cơ quan"),  # 3. unknown kind
    ("Cơ quan", 6, "Cấp", "Thôn", "không phải cấp"),  # 4. unknown level
    ("Cơ quan", 7, "Tên cơ quan", "", "bắt buộc"),  # 5. missing name
    ("Cơ quan", 8, "Mã cơ quan", "HB X 8", "không phải mã hợp lệ"),  # 6. bad code
    ("Người dùng", 2, "Thư điện tử", "abc", "'abc' không phải địa chỉ e-mail"),  # 7. bad e-mail
    ("Người dùng", 3, "Vai trò", "Giám đốc", "không phải vai trò"),  # 8. unknown role
    ("Người dùng", 4, "Mã cơ quan", "HB-MA-SAI", "không có cơ quan mã 'HB-MA-SAI'"),  # 9. unknown agency
    ("Người dùng", 6, "Tên đăng nhập", "hb.user1", "trùng với dòng 5"),  # 10. duplicate username
]


def error_file() -> bytes:
    agencies = [
        ["HB-X1", "Xã Một", "", "", "Ủy ban nhân dân", "Xã", "", "", ""],
        ["HB-X1", "Xã Một bis", "", "", "Ủy ban nhân dân", "Xã", "", "", ""],
        ["HB-X2", "Xã Hai", "", "", "Ủy ban nhân dân", "Xã", "HB-KHONGCO", "", ""],
        ["HB-X3", "Xã Ba", "", "", "Bộ", "Xã", "HB-X1", "", ""],
        ["HB-X4", "Xã Bốn", "", "", "Ủy ban nhân dân", "Thôn", "HB-X1", "", ""],
        ["HB-X5", "", "", "", "Ủy ban nhân dân", "Xã", "HB-X1", "", ""],
        ["HB X 8", "Xã Tám", "", "", "Ủy ban nhân dân", "Xã", "", "", ""],
    ]
    users = [
        ["hb.user0", "Lê Văn A", "abc", "HB-X1", "Cán bộ", ""],
        ["hb.user2", "Lê Văn B", "b@hb.gov.vn", "HB-X1", "Giám đốc", ""],
        ["hb.user3", "Lê Văn C", "c@hb.gov.vn", "HB-MA-SAI", "Cán bộ", ""],
        ["hb.user1", "Lê Văn D", "d@hb.gov.vn", "HB-X2", "Cán bộ", ""],
        ["hb.user1", "Lê Văn E", "e@hb.gov.vn", "HB-X3", "Cán bộ", ""],
    ]
    return workbook(agencies, users)
