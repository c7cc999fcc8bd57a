"""Read a directive's text (công văn, chỉ thị, kế hoạch) into header fields, tasks, agencies and deadlines.

Pure regular expressions, no network, deterministic. Every pattern works on one line or one task's text
and has no nested quantifiers, so any input (1 MB of noise included) parses in linear-ish time.
The output is a draft for a person to check: agencies are names as the text writes them (resolving them
against the registry is a separate step) and `warnings` lists what the reviewer should look at.
"""

from __future__ import annotations

import calendar
import itertools
import re
import unicodedata
from datetime import date
from typing import Any

# ---------------------------------------------------------------------------------------------- words

#: words that open an agency's name (case-sensitive: a lowercase "tổ chức" is a verb, "Sở" is not)
_AGENCY_HEADS = (
    "Ủy ban nhân dân|Uỷ ban nhân dân|Ủy ban Mặt trận|Uỷ ban Mặt trận|Ủy ban|Uỷ ban|UBND|HĐND|Hội đồng|MTTQ|"
    "Mặt trận|Sở|Ban|Bộ Chỉ huy|Bộ chỉ huy|Bộ|Công an|Văn phòng|Phòng|phòng|Đài|Báo|Liên đoàn|LĐLĐ|Hội|Đoàn|"
    "Tỉnh đoàn|Thành đoàn|Huyện đoàn|Trung tâm|Cục|Chi cục|Kho bạc|Bảo hiểm|Ngân hàng|Tòa án|Toà án|Viện|"
    "Thanh tra|Trường|Bệnh viện|Điện lực|Công ty|Tổng công ty|Đảng ủy|Đảng uỷ|Huyện ủy|Thành ủy|Tỉnh ủy|"
    "Bưu điện|Viễn thông|Quân sự|Bộ đội|Đồn|Trạm|Hạt|Kiểm lâm|Chi nhánh|Cảng vụ|Tổ công tác|Tổ(?! chức)|"
    "Trưởng (?:các )?(?:thôn|ấp|bản|khu phố|tổ dân phố)|"
    "Trưởng ấp|Trưởng khu phố|Tổ trưởng|Bí thư|Ban Chỉ đạo|BCĐ|BQL|Sở GD&ĐT|Công an|"
    "các|Các|lực lượng|Lực lượng|chính quyền|Chính quyền|cơ quan|Cơ quan|đơn vị|Đơn vị|UBMTTQ"
)
#: a person's office before the agency: the agency is what is assigned, so these are dropped
_PERSON_HEADS = (
    "Phó Chủ tịch|Chủ tịch|Phó Giám đốc|Giám đốc|Thủ trưởng|Chánh Văn phòng|Chánh|Chỉ huy trưởng|"
    "Trưởng Công an|Trưởng ban|Trưởng Ban|Trưởng phòng|Trưởng Phòng|Người đứng đầu|Tổng Giám đốc|Hiệu trưởng"
)
_HEAD_RE = re.compile(rf"(?:{_PERSON_HEADS}|{_AGENCY_HEADS})(?![\wÀ-ỹ])")
_PERSON_RE = re.compile(rf"^(?:{_PERSON_HEADS})\s+")
#: lowercase words that end an agency's name: the verb or preposition that follows it
_VERBS = (
    "chủ trì|phối hợp|chỉ đạo|đẩy mạnh|tham mưu|tiếp tục|chủ động|huy động|thực hiện|triển khai|tăng cường|"
    "xây dựng|hướng dẫn|kiểm tra|rà soát|theo dõi|đôn đốc|báo cáo|có trách nhiệm|chịu trách nhiệm|khẩn trương|"
    "tập trung|quán triệt|tuyên truyền|vận động|bố trí|cân đối|đảm bảo|bảo đảm|nghiên cứu|phổ biến|ban hành|"
    "đề xuất|thẩm định|cung cấp|cập nhật|giải quyết|phân công|nâng cao|thường xuyên|kịp thời|lập|giao|yêu cầu|"
    "căn cứ|nắm|quản lý|hỗ trợ|tạo điều kiện|cấp|hoàn thành|thông báo|làm|duy trì|xử lý|phát huy|tích cực|sớm|"
    "nghiêm túc|tiến hành|ưu tiên|bổ sung|điều chỉnh|tổng hợp|đánh giá|sử dụng|công khai|lựa chọn|trình|giám sát|"
    "vào cuộc|có(?! liên quan)|là|được|cần|phải|sẵn sàng|thành lập|quyết liệt|chấn chỉnh|tiếp nhận|thu nhận|"
    "chuẩn bị|ứng dụng|"
    "kiện toàn|vận hành|xác định|tập huấn|phát hành|dự trù|cử|gửi|nhắc nhở|đăng tải|phát sóng|liên hệ|nhanh chóng|"
    "trong|để|nhằm|khi|tại|theo|về|đối với|nhưng|thì|từ|đến|trước|sau|cho|nhất là|gồm|như|đồng thời|tham gia|"
    "tăng|giảm|mở|đưa|dành|tiếp|kêu gọi|lãnh đạo|động viên|khuyến khích|vận dụng|thống kê|phát triển"
)
# "tổ chức" is a verb except inside "các tổ chức chính trị - xã hội"
_STOP_RE = re.compile(rf"(?<![\wÀ-ỹ])(?:{_VERBS}|(?<!các )(?<!Các )(?<!và )tổ chức)(?![\wÀ-ỹ])|[;:.()\[\]\"“”]")
#: lowercase words that occur inside agencies' names; any other lowercase word ends the name
_NAME_WORDS = frozenset(
    str.split(
        "tỉnh thành phố huyện xã phường thị trấn quận các và nhân dân hội chính trị lao động vận tải nông thôn đào tạo "
        "có liên quan thuộc trực cấp đơn vị cơ ban ngành đoàn thể sở tổ chức khu ấp bản địa phương trên bàn lực lượng "
        "quyền y tế phòng chống nhà nước ngân hàng truyền hình thanh niên phụ nữ cựu chiến binh doanh nghiệp "
        "trường học tự quản vực dự án kinh công du lịch thông tin văn hóa hoá thể thao môi tộc tôn giáo quân sự biên "
        "đảng ủy uỷ mặt trận quốc việt nam bộ huy hành chính của đồng dục pháp luật lý giúp"
    )
)
_LOCALITY = ("tỉnh", "thành phố", "huyện", "thị xã", "quận", "xã", "phường", "thị trấn", "thôn", "ấp", "khu phố")
_MAX_AGENCY_WORDS = 32

_WORD_FIX = {
    "ủy ban nhân dân": "Ủy ban nhân dân",
    "uỷ ban nhân dân": "Ủy ban nhân dân",
    "hội đồng nhân dân": "Hội đồng nhân dân",
    "công an": "Công an",
}
_TITLES = {
    "CHỦ TỊCH": "Chủ tịch",
    "PHÓ CHỦ TỊCH": "Phó Chủ tịch",
    "GIÁM ĐỐC": "Giám đốc",
    "PHÓ GIÁM ĐỐC": "Phó Giám đốc",
    "CHÁNH VĂN PHÒNG": "Chánh Văn phòng",
    "PHÓ CHÁNH VĂN PHÒNG": "Phó Chánh Văn phòng",
    "TRƯỞNG BAN": "Trưởng ban",
    "PHÓ TRƯỞNG BAN": "Phó Trưởng ban",
    "TRƯỞNG PHÒNG": "Trưởng phòng",
    "PHÓ TRƯỞNG PHÒNG": "Phó Trưởng phòng",
    "BÍ THƯ": "Bí thư",
    "PHÓ BÍ THƯ": "Phó Bí thư",
    "THỦ TRƯỞNG": "Thủ trưởng",
}
_TITLE_RE = re.compile(r"(PHÓ\s+)?(CHỦ\s+TỊCH|GIÁM\s+ĐỐC|CHÁNH\s+VĂN\s+PHÒNG|TRƯỞNG\s+BAN|TRƯỞNG\s+PHÒNG|BÍ\s+THƯ)\s*$")
_AUTHORITY_RE = re.compile(r"^(TM|KT|Q|TL|TUQ)\s*\.\s*(.{1,60})$")
_DOC_TYPES = {
    "CHỈ THỊ": "chi_thi",
    "KẾ HOẠCH": "ke_hoach",
    "QUYẾT ĐỊNH": "quyet_dinh",
    "THÔNG BÁO": "thong_bao",
    "BÁO CÁO": "bao_cao",
    "CÔNG VĂN": "cong_van",
}
_SYMBOL_TYPES = {"CT": "chi_thi", "KH": "ke_hoach", "QĐ": "quyet_dinh", "TB": "thong_bao", "BC": "bao_cao"}

# -------------------------------------------------------------------------------------------- cleaning

_MARKUP = re.compile(r"\*\*|__|~~|`|\\(?=[.\-*_#)\[\]])")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_TABLE_RULE = re.compile(r"^[\s|:+\-=_]{3,}$")
_HEADING_HASH = re.compile(r"^#{1,6}\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def clean(text: str) -> str:
    """Undo what OCR and web copies add: markdown marks, table pipes and rules, control characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub(" ", text).replace("\u00a0", " ").replace("\u200b", "")
    lines = []
    for line in text.split("\n"):
        line = _MARKUP.sub("", line)
        line = _EMPHASIS.sub("", line)
        if _TABLE_RULE.match(line):
            lines.append("")
            continue
        line = _HEADING_HASH.sub("", line.strip())
        if "|" in line:  # a web table: each cell is a line of its own
            lines.extend(cell.strip() for cell in line.split("|"))
            continue
        lines.append(line.strip())
    return _HYPHEN_BREAK.sub(r"\1\2", "\n".join(lines))


# --------------------------------------------------------------------------------------------- numbers


def parse_number(text: str) -> int | float | None:
    """Vietnamese "327.407" -> 327407, "73,3" -> 73.3; also tolerates "73.3" and "1,500,000"."""
    text = text.strip()
    if not text or not re.fullmatch(r"\d[\d.,]*", text):
        return None
    if "." in text and "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif "." in text:
        parts = text.split(".")
        if all(len(p) == 3 for p in parts[1:]):
            text = text.replace(".", "")
    elif "," in text:
        parts = text.split(",")
        text = (
            text.replace(",", "") if len(parts) > 2 and all(len(p) == 3 for p in parts[1:]) else text.replace(",", ".")
        )
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in text else value


# ----------------------------------------------------------------------------------------------- dates

_DATE = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}))?"
_DATE_WORDS = r"(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?"
_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_BEFORE = (
    r"(?:trước|chậm\s+nhất(?:\s+(?:là|vào))?|hạn\s+chót|không\s+quá|hạn"
    r"|(?<!tính\s)(?<!Tính\s)(?:từ\s+nay\s+)?đến(?:\s+hết)?)"
)
_DEADLINE_DAY = re.compile(rf"{_BEFORE}\s+(?:ngày\s+)?(?:{_DATE_WORDS}|{_DATE})(?!\s*%)", re.IGNORECASE)
_DEADLINE_MONTH = re.compile(
    r"(?:trong|trước|hết|đến\s+hết|hoàn\s+thành\s+trong|cuối)\s+tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE
)
_BEFORE_MONTH = re.compile(r"trước\s+tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE)
_DEADLINE_QUARTER = re.compile(
    r"(?:trong\s+|trước\s+|hết\s+|cuối\s+)?quý\s+(IV|III|II|I|[1-4])\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE
)
_DEADLINE_YEAR = re.compile(r"(?:trong|hết|cuối|trước)\s+năm\s+(\d{4})", re.IGNORECASE)
_PERIODIC = re.compile(r"(?:định\s+kỳ\s+)?(?:hằng|hàng|mỗi)\s+(tuần|tháng|quý|năm)", re.IGNORECASE)
_PERIODIC_DAY = re.compile(r"trước\s+ngày\s+(\d{1,2})(?!\s*[/.\-]\s*\d)(?!\s+tháng\s+\d)", re.IGNORECASE)
_CONTINUOUS = re.compile(r"thường\s+xuyên", re.IGNORECASE)
#: "trong (thời hạn) 05 ngày làm việc kể từ ngày nhận được văn bản": a deadline counted in working days from receipt
_WORKING_DAYS = re.compile(
    r"(?:trong|không\s+quá|chậm\s+nhất(?:\s+là)?(?:\s+sau)?)\s+(?:thời\s+hạn\s+)?(?:là\s+)?(\d{1,3})\s*"
    r"(?:\(\s*[\wÀ-ỹ\s]{1,30}\s*\)\s*)?ngày\s+làm\s+việc"
    r"(?:\s*,?\s*(?:kể\s+từ|tính\s+từ|từ)\s+(?:ngày|khi)\s+([\wÀ-ỹ]+(?:\s+[\wÀ-ỹ]+)?))?",
    re.IGNORECASE,
)
#: the events a count "kể từ ngày …" may start from that the directive's own date stands for
_FROM_RECEIPT = ("nhận", "ban hành", "ký")
_FIELD_DATE = re.compile(rf"^(?:ngày\s+)?(?:{_DATE_WORDS}|{_DATE})\s*$", re.IGNORECASE)
_FIELD_MONTH = re.compile(r"^tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE)
_FIELD_YEAR = re.compile(r"^năm\s+(\d{4})", re.IGNORECASE)


class _Dates:
    """Builds dates from the text's numbers; a day that does not exist becomes a warning, not a crash."""

    def __init__(self, default_year: int | None, warnings: list[str]) -> None:
        self.default_year = default_year
        self.warnings = warnings

    def make(self, day: str, month: str, year: str | None) -> str | None:
        y = int(year) if year else self.default_year
        if y is None:
            return None
        try:
            return date(y, int(month), int(day)).isoformat()
        except ValueError:
            warning = f"date {int(day)}/{int(month)}/{y} does not exist"
            if warning not in self.warnings:
                self.warnings.append(warning)
            return None

    def from_match(self, m: re.Match[str]) -> str | None:
        g = m.groups()
        return self.make(g[0], g[1], g[2]) if g[0] else self.make(g[3], g[4], g[5])

    @staticmethod
    def end_of_month(month: str, year: str) -> str | None:
        m, y = int(month), int(year)
        if not 1 <= m <= 12:
            return None
        return date(y, m, calendar.monthrange(y, m)[1]).isoformat()

    @staticmethod
    def end_of_quarter(quarter: str, year: str) -> str:
        month = _ROMAN_Q[quarter.upper()] * 3
        return date(int(year), month, calendar.monthrange(int(year), month)[1]).isoformat()


def _deadline(text: str, dates: _Dates, *, field: bool = False) -> tuple[str | None, str | None, int | None]:
    """(deadline, recurrence, recurrence_day) that the text states; `field` also accepts a bare date."""
    found: list[tuple[int, str | None]] = []
    for m in _DEADLINE_DAY.finditer(text):
        found.append((m.start(), dates.from_match(m)))
    for m in _DEADLINE_MONTH.finditer(text):
        found.append((m.start(), dates.end_of_month(m.group(1), m.group(2))))
    for m in _BEFORE_MONTH.finditer(text):
        # "trước tháng 9/2022": the last day of the month before
        month, year = int(m.group(1)), int(m.group(2))
        month, year = (12, year - 1) if month == 1 else (month - 1, year)
        found.append((m.start(), dates.end_of_month(str(month), str(year))))
    for m in _DEADLINE_QUARTER.finditer(text):
        found.append((m.start(), dates.end_of_quarter(m.group(1), m.group(2))))
    for m in _DEADLINE_YEAR.finditer(text):
        found.append((m.start(), f"{int(m.group(1)):04d}-12-31"))
    if field:
        value = text.strip(" .;")
        for regex, build in (
            (_FIELD_DATE, lambda m: dates.from_match(m)),
            (_FIELD_MONTH, lambda m: dates.end_of_month(m.group(1), m.group(2))),
            (_FIELD_YEAR, lambda m: f"{int(m.group(1)):04d}-12-31"),
        ):
            m = regex.match(value)
            if m:
                found.append((0, build(m)))
    periodic = _PERIODIC.search(text)
    if periodic:
        kind = {"tuần": "weekly", "tháng": "monthly", "quý": "quarterly", "năm": "yearly"}[periodic.group(1).lower()]
        if kind == "yearly":
            kind = "none"
        day_match = _PERIODIC_DAY.search(text)
        day = int(day_match.group(1)) if day_match else None
        if kind != "none":
            # the periodic phrase's own "trước ngày 25" is not a one-off deadline
            found = [f for f in found if not (day_match and f[0] == day_match.start())]
            one_off = min(found, key=lambda f: f[0])[1] if found else None
            return one_off, kind, day
    found.sort(key=lambda f: f[0])
    deadline = next((d for _, d in found if d), None)
    if deadline is None and _CONTINUOUS.search(text):
        return None, "continuous", None
    return deadline, None, None


def _working_days(text: str, warnings: list[str]) -> int | None:
    """N of "trong N ngày làm việc kể từ ngày nhận được văn bản"; None if the text says no such thing.

    Counted from receipt (or the issue or signing date): the issue date stands for it. A count from another
    event ("kể từ ngày kết thúc đợt kiểm tra") has no date here: the reviewer is warned instead.
    """
    m = _WORKING_DAYS.search(text)
    if m is None:
        return None
    start = (m.group(2) or "").lower()
    if start and not start.startswith(_FROM_RECEIPT):
        warning = f"{m.group(1)} working days counted from another event: “{_norm(m.group(0))}”"
        if warning not in warnings:
            warnings.append(warning)
        return None
    n = int(m.group(1))
    return n if n > 0 else None


# ------------------------------------------------------------------------------------------- agencies


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip(" ,;:.-–—/*")


def _drop_person(name: str) -> str:
    """ "Giám đốc Sở Tư pháp" -> "Sở Tư pháp"; "Trưởng phòng Tư pháp" -> "Phòng Tư pháp"."""
    m = re.match(r"^(?:Trưởng|Phó Trưởng)\s+(phòng|ban)\s+(.+)$", name)
    if m:
        return f"{m.group(1).capitalize()} {m.group(2)}"
    m = _PERSON_RE.match(name)
    if m and _HEAD_RE.match(name, m.end()):
        return name[m.end() :]
    return name


def _starts_agency(text: str) -> bool:
    return bool(_HEAD_RE.match(text))


def _split_agencies(phrase: str) -> list[str]:
    """Split "Đài Phát thanh và Truyền hình, Báo Tây Ninh" in two, keep "Các sở, ban, ngành" whole."""
    phrase = _norm(phrase)
    if not phrase:
        return []
    # "các Sở: Tư pháp, Tài chính" names several departments at once
    phrase = _drop_person(phrase)
    m = re.match(r"^(?:[Cc]ác\s+)(Sở|Phòng|Ban|phòng|sở)\s*:\s*(.+)$", phrase)
    if m:
        kind = m.group(1).capitalize()
        return [f"{kind} {_norm(p)}" for p in re.split(r"[,;]", m.group(2)) if _norm(p)]
    parts: list[str] = []
    for chunk in re.split(r"\s*;\s*", phrase):
        pieces = re.split(r"(,\s*|\s+và\s+|\s+với\s+)", chunk)
        current = pieces[0]
        for sep, piece in zip(pieces[1::2], pieces[2::2], strict=False):
            piece = piece.strip()
            if (
                piece
                and _starts_agency(piece)
                and not re.match(r"^(?:đơn vị|cơ quan|Đơn vị|Cơ quan)(?![\wÀ-ỹ])", piece)
                # "Văn phòng HĐND và UBND" is one office
                and not (sep.strip() == "và" and current.startswith("Văn phòng") and current.endswith("HĐND"))
            ):
                parts.append(current)
                current = piece
            else:
                current += sep + piece
        parts.append(current)
    names: list[str] = []
    for part in parts:
        name = _norm(_drop_person(_norm(part)))
        if name and len(name) > 1 and name not in names:
            names.append(name)
    return names


_DEPARTMENTS = re.compile(rf"^(?:(?:{_PERSON_HEADS})\s+)?[Cc]ác\s+(?:Sở|sở|Phòng|phòng|Ban|ban)\s*:\s*")


def _agency_phrase(text: str) -> str:
    """The agency names that open `text`, up to the verb or punctuation that ends them."""
    listing = _DEPARTMENTS.match(text)
    if listing:  # "Giám đốc các Sở: Tư pháp, Tài chính chủ trì": the colon belongs to the name
        return listing.group(0) + _agency_phrase(text[listing.end() :])
    stop = _STOP_RE.search(text)
    end = stop.start() if stop else len(text)
    previous = ""
    for word in _WORD.finditer(text, 0, end):
        # "Sở Tư pháp": a lowercase syllable after a capital one is part of the name; after a lowercase one
        # ("Sở Y tế rà soát") it starts the verb unless it is a word names use
        value = word.group(0)
        if value[0].islower() and previous[:1].islower() and value not in _NAME_WORDS:
            end = word.start()
            break
        previous = value
    words = text[:end].split()
    if len(words) > _MAX_AGENCY_WORDS:
        return ""
    return text[:end]


_OPEN_CUE = re.compile(r"(?:Đề nghị|đề nghị|Giao|giao|Yêu cầu|yêu cầu)(?:\s+cho)?\s+")
_LEAD_FIELD = re.compile(r"^(?:[-+•]\s*)?(?:Cơ quan|Đơn vị|Bộ phận)?\s*(?:chủ trì|Chủ trì|thực hiện)\s*:\s*(.+)$")
_COORD_FIELD = re.compile(r"^(?:[-+•]\s*)?(?:Cơ quan|Đơn vị|Bộ phận)?\s*(?:phối hợp|Phối hợp)\s*:\s*(.+)$")
_TIME_FIELD = re.compile(r"^(?:[-+•]\s*)?(?:Thời gian|Thời hạn)(?:\s+(?:thực hiện|hoàn thành))?\s*:\s*(.+)$")
_COORD_CUE = re.compile(
    r"(?:[Pp]hối hợp(?:\s+chặt chẽ)?(?:,\s*hỗ trợ)?(?:\s+với)?|với sự phối hợp của|cùng với|hỗ trợ)\s+(?=\S)"
)
_MONITOR = re.compile(r"theo dõi,?\s+đôn đốc|đôn đốc,?\s+theo dõi", re.IGNORECASE)
_REPORT_TO = re.compile(
    r"báo cáo[^.;]{0,80}?\s(?:về|cho|lên|gửi)\s+("
    + r"(?:UBND|Ủy ban|Uỷ ban|Chủ tịch|Sở|Văn phòng|Ban|Công an|Bộ)[^.;,()]{0,60})"
)


#: "các nội dung sau", "Tổ chức thực hiện": what is asked or a heading, not who
_NOT_AGENCY = re.compile(
    r"^(?:(?:[Cc]ác|[Cc]ơ quan|[Đđ]ơn vị)\s+(?:nội dung|nhiệm vụ|giải pháp|biện pháp)"
    r"|Tổ chức thực hiện|Tổ chức triển khai)"
)
_WORD = re.compile(r"[^\W\d_]+")


def _opening_agencies(text: str) -> list[str]:
    text = text.lstrip(" -+•*")
    cue = _OPEN_CUE.match(text)
    if cue:
        text = text[cue.end() :]
    if not _starts_agency(text) or _NOT_AGENCY.match(text):
        return []
    return _split_agencies(_agency_phrase(text))


def _read_agencies(text: str) -> tuple[list[str], list[str]]:
    """(lead, coordinate) that one item's text names."""
    lead: list[str] = []
    coordinate: list[str] = []
    lead.extend(_opening_agencies(text))
    for m in _OPEN_CUE.finditer(text):
        if m.start() == 0:
            continue
        rest = text[m.end() :]
        if _starts_agency(rest) and not rest.startswith(("các nội dung", "các nhiệm vụ")):
            lead.extend(_split_agencies(_agency_phrase(rest)))
    # a later clause "...; Sở Tài chính chủ trì ..." names another lead
    for m in re.finditer(r"[.;]\s+", text):
        clause = text[m.end() :]
        stop = _STOP_RE.search(clause)
        if stop and clause[stop.start() :].startswith("chủ trì") and _starts_agency(clause):
            lead.extend(_split_agencies(clause[: stop.start()]))
    for m in _COORD_CUE.finditer(text):
        rest = text[m.end() :]
        if _starts_agency(rest):
            coordinate.extend(_split_agencies(_agency_phrase(rest)))
    lead = _unique(lead)
    coordinate = [c for c in _unique(coordinate) if c not in lead]
    return lead, coordinate


def _unique(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return out


def _cased(upper: str) -> str:
    """ "ỦY BAN NHÂN DÂN THÀNH PHỐ TAM ĐIỆP" -> "Ủy ban nhân dân thành phố Tam Điệp"."""
    text = re.sub(r"\s+", " ", upper).strip()
    if text != text.upper():
        return text
    low = text.lower()
    for locality in sorted(_LOCALITY, key=len, reverse=True):
        m = re.search(rf"(?<![\wÀ-ỹ]){locality}\s+(.+)$", low)
        if m and m.start() > 0:
            head = _sentence(low[: m.start()].strip())
            place = " ".join(w.capitalize() for w in m.group(1).split())
            return f"{head} {locality} {place}"
        if m and m.start() == 0:
            place = " ".join(w.capitalize() for w in m.group(1).split())
            return f"{locality.capitalize()} {place}"
    return _sentence(low)


def _sentence(low: str) -> str:
    for wrong, right in _WORD_FIX.items():
        low = low.replace(wrong, right.lower())
    low = low.replace("uỷ", "ủy")
    if low.startswith("ubnd"):
        return "UBND" + low[4:]
    return low[:1].upper() + low[1:]


# ----------------------------------------------------------------------------------------------- items

_LABEL = re.compile(
    r"^(?:(?P<roman>[IVX]{1,5})\s*[.)/]\s+"
    r"|(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\s*(?:[.)]|(?=\s+[A-ZĐÀ-Ỹ]))\s*"
    r"|(?P<letter>[a-zđ])\s*\)\s*"
    r"|(?P<dash>[-–—+•])\s*)"
)
_CLOSING = re.compile(
    r"^(?:Nơi nhận|Nhận được|Trong quá trình (?:thực hiện|triển khai)|Chỉ thị này có hiệu lực|Kế hoạch này|"
    r"(?:UBND|Ủy ban nhân dân|Chủ tịch)[^.]{0,60}(?:yêu cầu|đề nghị)[^.]{0,120}"
    r"(?:nghiêm túc|khẩn trương|triển khai thực hiện|thực hiện)[^.]{0,40}\.?/?\.?$)"
)
_SIGN_START = re.compile(r"^(?:Nơi nhận|TM\s*\.|KT\s*\.|TL\s*\.|TUQ\s*\.|Q\s*\.\s*[A-ZĐ])")
_INTRO_CUE = re.compile(
    r"(?:yêu cầu|đề nghị|giao)\s+(.+?)\s+(?:thực hiện|triển khai|tập trung|quán triệt|khẩn trương|nghiêm túc|chỉ đạo)"
)


class _Item:
    __slots__ = ("children", "kind", "label", "line", "paragraphs")

    def __init__(self, kind: str, label: str, text: str, line: int) -> None:
        self.kind = kind
        self.label = label
        self.paragraphs = [text] if text else []
        self.children: list[_Item] = []
        self.line = line

    @property
    def text(self) -> str:
        return " ".join(self.paragraphs).strip()


def _match_label(line: str) -> tuple[str, str, str] | None:
    m = _LABEL.match(line)
    if not m:
        return None
    rest = line[m.end() :].strip()
    if m.group("roman"):
        return "roman", m.group("roman"), rest
    if m.group("num"):
        if not rest or int(m.group("num").split(".")[0]) == 0:
            return ("num", m.group("num"), rest) if not rest and line.rstrip().endswith(".") else None
        return ("sub" if "." in m.group("num") else "num"), m.group("num"), rest
    if m.group("letter"):
        return "letter", m.group("letter"), rest
    if not rest:
        return None
    return "dash", "-", rest


_ROMAN_LINE = re.compile(r"^[IVX]{1,5}\s*[.)/]\s")


def _paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """Join wrapped lines and page breaks into paragraphs; a labelled line always starts a new one."""
    paragraphs: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    blank = False
    for index, line in enumerate(lines):
        if not line:
            blank = True
            continue
        starts_new = bool(_LABEL.match(line)) and _match_label(line) is not None
        heading = bool(current) and (current[-1].isupper() or _ROMAN_LINE.match(current[0]) is not None)
        continues = (
            current
            and not starts_new
            and not heading
            and (not blank or line[:1].islower() or current[-1].endswith((",", "-")))
        )
        if continues and not (blank and current[-1].endswith((".", ":", "./.", ";")) and not line[:1].islower()):
            current.append(line)
        else:
            if current:
                paragraphs.append((start, " ".join(current)))
            current, start = [line], index
        blank = False
    if current:
        paragraphs.append((start, " ".join(current)))
    return paragraphs


# ---------------------------------------------------------------------------------------------- parser


def parse_directive(text: str) -> dict[str, Any]:
    """Read a directive's text into the JSON shape of tests/fixtures/directives/*.json."""
    lines = clean(text or "").split("\n")
    warnings: list[str] = []
    header = _read_header(lines, warnings)
    dates = _Dates(int(header["issued_on"][:4]) if header["issued_on"] else None, warnings)

    paragraphs = _paragraphs(lines[header["body_start"] :])
    top_kind, items, preamble, closing = _outline(paragraphs)

    addressees = header["addressees"]
    intro = preamble[-1] if preamble else ""
    if not addressees and intro:
        m = _INTRO_CUE.search(intro)
        if m:
            addressees = _split_agencies(m.group(1))

    tasks = [_task(item, position, addressees, dates) for position, item in enumerate(items, start=1)]
    preamble_text = " ".join(preamble)
    deadline = _directive_deadline(preamble_text, dates)
    deadline_working_days = None if deadline else _working_days(preamble_text, warnings)
    monitor = report_to = None
    for task in tasks:
        if task["monitors"] and monitor is None:
            monitor = task["lead"][0] if task["lead"] else None
            report_to = task["report_to"]
    for paragraph in closing:
        if monitor is None and _MONITOR.search(paragraph):
            lead, _ = _read_agencies(paragraph)
            monitor = lead[0] if lead else None
            m = _REPORT_TO.search(paragraph)
            report_to = _norm(_agency_phrase(m.group(1))) if m else None

    if not tasks:
        warnings.append("no tasks found: this does not look like a directive")
    warnings.extend(_label_warnings(tasks, top_kind))
    for task in tasks:
        if not task["text"] and not task["subtasks"]:
            warnings.append(f"task {task['label']} has no text")

    return {
        "ref": header["ref"],
        "number": header["number"],
        "symbol": header["symbol"],
        "doc_type": header["doc_type"],
        "issuer": header["issuer"],
        "place": header["place"],
        "issued_on": header["issued_on"],
        "subject": header["subject"],
        "addressees": addressees,
        "signer": _read_signer(lines),
        "legal_basis": _legal_basis(preamble_text),
        "deadline": deadline,
        "deadline_working_days": deadline_working_days,
        "monitor": monitor,
        "report_to": report_to,
        "targets": _targets(preamble_text, dates),
        "progress": _progress(preamble_text, dates),
        "tasks": tasks,
        "warnings": warnings,
    }


_NUMBER_RE = re.compile(
    r"^Số\s*[:.]?\s*(\d{1,6})?\s*(?:/\s*)?((?:\d{4}\s*/\s*)?[A-ZĐ][A-ZĐ0-9&\-–]*(?:/[A-ZĐ0-9\-–]+)?)", re.IGNORECASE
)
_PLACE_DATE = re.compile(r"^(?:(.{2,40}?)\s*,\s*)?ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_BODY_START = re.compile(r"^(?:Thực hiện|Căn cứ|Để|Theo|Trong|Hiện nay|Qua|Nhằm|Vừa qua|Thời gian)(?![\wÀ-ỹ])")
_NATIONAL = re.compile(r"CỘNG\s+HÒA|CỘNG\s+HOÀ|Độc\s+lập|ĐỘC\s+LẬP", re.IGNORECASE)


def _read_header(lines: list[str], warnings: list[str]) -> dict[str, Any]:
    header: dict[str, Any] = dict.fromkeys(("ref", "number", "symbol", "issuer", "place", "issued_on", "subject"))
    header["doc_type"] = None
    header["addressees"] = []
    issuer_lines: list[str] = []
    body_start = 0
    subject_open = False
    addressee_open = False
    subject: list[str] = []
    limit = min(len(lines), 80)
    for index in range(limit):
        line = lines[index]
        if not line:
            subject_open = False
            continue
        if _LABEL.match(line) and _match_label(line) and _match_label(line)[0] in ("num", "roman") and index > 0:  # type: ignore[index]
            break
        if addressee_open:
            bullet = line.startswith(("-", "+", "•", "–"))
            if bullet or (len(line) < 120 and line.endswith((";", ".", ",")) and not _BODY_START.match(line)):
                name = _norm(line.lstrip("-+•– "))
                if name:
                    header["addressees"].append(name)
                body_start = index + 1
                if line.rstrip().endswith(".") and not line.startswith(("-", "+", "•", "–")):
                    addressee_open = False
                continue
            addressee_open = False
        if _NATIONAL.search(line):
            body_start = index + 1
            continue
        m = _NUMBER_RE.match(line)
        if m and header["symbol"] is None and (m.group(1) or "/" in line or "-" in m.group(2)):
            header["number"] = m.group(1)
            header["symbol"] = re.sub(r"\s+", "", m.group(2)).replace("–", "-")
            header["ref"] = f"{m.group(1)}/{header['symbol']}" if m.group(1) else header["symbol"]
            body_start = index + 1
            continue
        m = _PLACE_DATE.match(line)
        if m and header["issued_on"] is None:
            header["place"] = _norm(m.group(1)) if m.group(1) else None
            try:
                header["issued_on"] = date(int(m.group(4)), int(m.group(3)), int(m.group(2))).isoformat()
            except ValueError:
                warnings.append(f"date {int(m.group(2))}/{int(m.group(3))}/{m.group(4)} does not exist")
            body_start = index + 1
            continue
        vv = re.match(r"^(?:V/v|V/V|v/v|Về việc)\s*:?\s*(.*)$", line)
        if vv:
            subject = [vv.group(1)]
            subject_open = True
            header["doc_type"] = header["doc_type"] or "cong_van"
            body_start = index + 1
            continue
        if subject_open and not _PLACE_DATE.match(line) and not line.startswith("Kính gửi"):
            subject.append(line)
            body_start = index + 1
            continue
        kg = re.match(r"^Kính\s+gửi\s*:?\s*(.*)$", line)
        if kg:
            rest = kg.group(1).strip()
            if rest:
                header["addressees"].extend(_norm(a) for a in re.split(r";", rest) if _norm(a))
            addressee_open = True
            body_start = index + 1
            continue
        upper = line.upper() == line and any(c.isalpha() for c in line)
        type_match = next((v for k, v in _DOC_TYPES.items() if re.sub(r"\s+", " ", line).strip(" .") == k), None)
        if type_match:
            header["doc_type"] = type_match
            subject_open = True  # the lines under "CHỈ THỊ" are its title
            subject = []
            body_start = index + 1
            continue
        if upper and header["symbol"] is None and header["issued_on"] is None and not subject:
            issuer_lines.append(line)
            body_start = index + 1
            continue
        if (header["symbol"] or header["issued_on"]) and body_start and index > body_start + 2:
            break
    header["subject"] = _norm(" ".join(subject)) or None
    if header["subject"] and header["doc_type"] not in (None, "cong_van"):
        header["subject"] = (
            header["subject"][:1].upper() + header["subject"][1:].lower()
            if header["subject"].isupper()
            else header["subject"]
        )
    header["issuer"] = _issuer(issuer_lines)
    if header["symbol"] and header["doc_type"] in (None, "cong_van"):
        kind = re.match(r"^(?:\d{4}/)?([A-ZĐ]{2})-", header["symbol"])
        if kind and kind.group(1) in _SYMBOL_TYPES:
            header["doc_type"] = _SYMBOL_TYPES[kind.group(1)]
    header["doc_type"] = header["doc_type"] or ("cong_van" if header["symbol"] else None)
    header["body_start"] = body_start
    return header


def _issuer(lines: list[str]) -> str | None:
    lines = [line.strip(" -_*") for line in lines if line.strip(" -_*")]
    if not lines:
        return None
    first = lines[0]
    if len(lines) >= 2:
        second = lines[1]
        if re.match(r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|THỊ XÃ|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN)\b", second):
            return _cased(f"{first} {second}")
        return _cased(second)
    return _cased(first)


#: sections of a kế hoạch that explain rather than assign: their numbered items are not tasks
_NOT_TASK_SECTION = re.compile(
    r"^(?:MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|CĂN CỨ|TÌNH HÌNH|KẾT QUẢ|ĐÁNH GIÁ)", re.IGNORECASE
)


def _outline(paragraphs: list[tuple[int, str]]) -> tuple[str | None, list[_Item], list[str], list[str]]:
    """Group paragraphs into top-level items with their sub-items; (top kind, items, preamble, closing)."""
    preamble: list[str] = []
    closing: list[str] = []
    labelled = [(i, _match_label(p)) for i, (_, p) in enumerate(paragraphs)]
    kinds_in_order: list[str] = []
    for _, found in labelled:
        if found and found[0] not in kinds_in_order:
            kinds_in_order.append(found[0])
    # the tasks are the numbered items; sections (I., II.) are headings, dashes only when nothing else
    top_kind = next((k for k in ("num", "letter", "dash") if k in kinds_in_order), None)
    if top_kind == "dash" and "num" not in kinds_in_order:
        top_kind = "dash"
    items: list[_Item] = []
    current: _Item | None = None
    sub: _Item | None = None
    ended = skipping = False
    seen_task = False
    for index, (line_no, paragraph) in enumerate(paragraphs):
        found = labelled[index][1]
        if ended or _SIGN_START.match(paragraph):
            ended = True
            closing.append(paragraph)
            continue
        if found and found[0] == "roman":
            current = sub = None
            skipping = bool(_NOT_TASK_SECTION.match(found[2]))
            continue
        if skipping:
            continue
        if found and found[0] == top_kind:
            if top_kind == "dash" and not seen_task and not _looks_like_task(found[2], preamble):
                preamble.append(paragraph)
                continue
            current = _Item(found[0], found[1], found[2], line_no)
            items.append(current)
            sub = None
            seen_task = True
            continue
        if current is None:
            # after the first task, text outside any task (a section's closing words) is not preamble
            (closing if seen_task else preamble).append(paragraph)
            continue
        if found and found[0] != "roman":
            sub = _Item(found[0], found[1], found[2], line_no)
            current.children.append(sub)
            continue
        if current.text.endswith(("/.", "./.")) or _CLOSING.match(paragraph):
            ended = True
            closing.append(paragraph)
            continue
        (sub or current).paragraphs.append(paragraph)
    return top_kind, items, preamble, closing


def _looks_like_task(text: str, preamble: list[str]) -> bool:
    # a dashed list right after "Kính gửi" or inside the preamble is not the task list
    return bool(preamble) and preamble[-1].rstrip().endswith(":")


def _task(item: _Item, position: int, addressees: list[str], dates: _Dates) -> dict[str, Any]:
    text = _norm(item.text) if item.text else ""
    lead, coordinate = _read_agencies(text)
    deadline, recurrence, recurrence_day = _deadline(text, dates)
    # A date the text writes wins over a count of working days in the same task.
    working_days = None if deadline else _working_days(text, dates.warnings)
    subtasks: list[dict[str, Any]] = []
    for child in item.children:
        child_text = _norm(child.text)
        field = _LEAD_FIELD.match(child_text)
        if field:
            lead.extend(a for a in _split_agencies(field.group(1)) if a not in lead)
            continue
        field = _COORD_FIELD.match(child_text)
        if field:
            coordinate.extend(a for a in _split_agencies(field.group(1)) if a not in coordinate)
            continue
        field = _TIME_FIELD.match(child_text)
        if field:
            deadline, recurrence, recurrence_day = _deadline(field.group(1), dates, field=True)
            working_days = None if deadline else _working_days(field.group(1), dates.warnings)
            continue
        sub_lead, sub_coordinate = _read_agencies(child_text)
        sub_deadline, sub_recurrence, sub_day = _deadline(child_text, dates)
        subtasks.append(
            {
                "label": child.label,
                "text": child_text,
                "lead": sub_lead,
                "coordinate": sub_coordinate,
                "deadline": sub_deadline,
                "deadline_working_days": None if sub_deadline else _working_days(child_text, dates.warnings),
                "recurrence": sub_recurrence,
                "recurrence_day": sub_day,
            }
        )
    for subtask in subtasks:
        lead.extend(a for a in subtask["lead"] if a not in lead)
    for subtask in subtasks:
        coordinate.extend(a for a in subtask["coordinate"] if a not in coordinate and a not in lead)
    if deadline is None and working_days is None:
        sub_deadlines = sorted(s["deadline"] for s in subtasks if s["deadline"])
        deadline = sub_deadlines[-1] if sub_deadlines else None
        if deadline is None:
            # the longest count of its sub-items, as the latest date above
            working_days = max((s["deadline_working_days"] or 0 for s in subtasks), default=0) or None
    if recurrence is None:
        recurrence = next((s["recurrence"] for s in subtasks if s["recurrence"]), None)
        recurrence_day = next((s["recurrence_day"] for s in subtasks if s["recurrence"]), None)
    lead_is_addressees = not lead
    if lead_is_addressees:
        lead = list(addressees)
    whole = " ".join([text] + [s["text"] for s in subtasks])
    monitors = bool(_MONITOR.search(whole))
    report = _REPORT_TO.search(whole) if monitors else None
    return {
        "label": item.label,
        "position": position,
        "text": text,
        "lead": lead,
        "coordinate": [c for c in coordinate if c not in lead],
        "lead_is_addressees": lead_is_addressees,
        "deadline": deadline,
        "deadline_working_days": working_days,
        "recurrence": recurrence,
        "recurrence_day": recurrence_day,
        "monitors": monitors,
        "report_to": _norm(_agency_phrase(report.group(1))) if report else None,
        "subtasks": subtasks,
    }


def _label_warnings(tasks: list[dict[str, Any]], kind: str | None) -> list[str]:
    if kind != "num":
        return []
    numbers = [int(t["label"]) for t in tasks if t["label"].isdigit()]
    warnings: list[str] = []
    if numbers:
        present = set(numbers)
        for n in range(1, max(numbers) + 1):
            if n not in present:
                warnings.append(f"task {n} is missing from the numbering")
    for before, after in itertools.pairwise(numbers):
        if after < before:
            warnings.append(f"task {before} comes before task {after}")
        elif after == before:
            warnings.append(f"task {after} is numbered twice")
    return warnings


def _directive_deadline(preamble: str, dates: _Dates) -> str | None:
    deadline, _, _ = _deadline(preamble, dates)
    return deadline


_LEGAL = re.compile(
    r"(Nghị quyết|Nghị định|Quyết định|Chỉ thị|Kế hoạch|Công văn|Thông tư|Luật|Văn bản|Thông báo|Công điện)\s+số\s+"
    r"(\d{1,6}/[\w\-/Đđ]{2,40})(\s+ngày\s+(?:\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(\s+của\s+[^,;.()]{3,80})?"
)
_ISSUER_END = re.compile(
    r"\s+(?:về|phê duyệt|ban hành|quy định|hướng dẫn|triển khai|thực hiện|V/v|việc|đối với|trong|tại|giao|yêu cầu)"
    r"(?![\wÀ-ỹ])"
)


def _legal_basis(text: str) -> list[str]:
    found: list[str] = []
    for m in _LEGAL.finditer(text):
        cited = f"{m.group(1)} số {m.group(2)}{m.group(3) or ''}"
        if m.group(4):
            by = m.group(4)
            end = _ISSUER_END.search(by)
            cited += by[: end.start()] if end else by
        cited = _norm(cited)
        if cited not in found:
            found.append(cited)
    return found


_CLAUSES = re.compile(r"(?<=[.;])\s+")
_QUANTITY = re.compile(
    r"(?<![\d.,/])(\d{1,3}(?:\.\d{3})+|\d+)\s+([a-zà-ỹđ]+(?:\s[a-zà-ỹđ]+)?)(?:\s*/\s*(\d+)\s*(ngày|tuần|tháng|năm))?"
)
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)\s*%")
_PER = {"ngày": "day", "tuần": "week", "tháng": "month", "năm": "year"}


def _targets(preamble: str, dates: _Dates) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []
    for clause in _CLAUSES.split(preamble):
        if re.search(r"[Tt]ính đến|đến nay|đã (?:tổ chức )?thu nhận", clause):
            continue
        deadline, _, _ = _deadline(clause, dates)
        quota = re.search(r"chỉ tiêu\s+", clause)
        if quota:
            q = _QUANTITY.match(clause, quota.end())
            if q:
                target: dict[str, Any] = {
                    "text": _norm(q.group(0)),
                    "quantity": parse_number(q.group(1)),
                    "unit": q.group(2),
                }
                if q.group(4):
                    target["per"] = _PER[q.group(4)]
                if deadline:
                    target["deadline"] = deadline
                targets.append(target)
                continue
        percent = re.search(r"(?:mục tiêu|đạt|phấn đấu)\s+(?=\d{1,3}(?:[.,]\d{1,2})?\s*%)", clause)
        if percent:
            p = _PERCENT.match(clause, percent.end())
            if p:
                text = _norm(re.split(r"[;]|\.(?:\s|$)", clause[percent.end() :])[0])
                target = {"text": text, "percent": parse_number(p.group(1).replace(".", ","))}
                if deadline:
                    target["deadline"] = deadline
                targets.append(target)
                continue
        aim = re.search(r"phấn đấu\s+(.+?)\s+(?:trước|đến|chậm nhất)\s+(?:ngày\s+)?\d", clause)
        if aim and deadline:
            targets.append({"text": _norm(aim.group(1)), "deadline": deadline})
    return targets


_PROGRESS = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)\s*/\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\d/])")
_AS_OF = re.compile(rf"[Tt]ính\s+(?:đến|tới)\s+(?:hết\s+)?ngày\s+(?:{_DATE_WORDS}|{_DATE})")


def _progress(preamble: str, dates: _Dates) -> list[dict[str, Any]]:
    progress: list[dict[str, Any]] = []
    for clause in re.split(r"(?<=\.)\s+", preamble):
        as_of = _AS_OF.search(clause)
        if not as_of:
            continue
        entry: dict[str, Any] = {"as_of": dates.from_match(as_of)}
        rest = clause[as_of.end() :]
        figures = _PROGRESS.search(rest)
        if figures:
            entry["value"] = parse_number(figures.group(1))
            entry["of"] = parse_number(figures.group(2))
        else:
            count = re.search(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d{2,})\s+[a-zà-ỹđA-Z]", rest)
            if count:
                entry["value"] = parse_number(count.group(1))
        percent = re.search(r"đạt\s+(?:tỷ lệ\s+)?(\d{1,3}(?:[.,]\d{1,2})?)\s*%", rest)
        if percent:
            entry["percent"] = parse_number(percent.group(1).replace(".", ","))
        if len(entry) > 1:
            progress.append(entry)
    return progress


def _read_signer(lines: list[str]) -> dict[str, Any]:
    signer: dict[str, Any] = {"name": None, "title": None, "authority": None}
    title_index = None
    for index in range(len(lines) - 1, max(-1, len(lines) - 60), -1):
        m = _TITLE_RE.search(lines[index])
        if m and len(lines[index]) < 60:
            title_index = index
            signer["title"] = _TITLES.get(re.sub(r"\s+", " ", m.group(0)).strip(), _sentence(m.group(0).lower()))
            break
    if title_index is None:
        return signer
    authorities: list[str] = []
    for index in range(max(0, title_index - 6), title_index):
        m = _AUTHORITY_RE.match(lines[index].strip())
        if m:
            authorities.append(
                f"{m.group(1)}. {_TITLES.get(m.group(2).strip(), _sentence(m.group(2).strip().lower()))}"
            )
    if signer["title"].startswith("Phó ") and not any(a.startswith("KT.") for a in authorities):
        # a deputy signs for the head: OCR often loses the "KT." and keeps the head's title on the line above
        head = signer["title"][4:]
        above = next((lines[i] for i in range(title_index - 1, max(-1, title_index - 4), -1) if lines[i]), "")
        if above.upper().endswith(head.upper()):
            authorities.append(f"KT. {head}")
    signer["authority"] = ", ".join(authorities) or None
    for line in lines[title_index + 1 :]:
        candidate = line.strip(" *_")
        if re.fullmatch(r"[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4}", candidate) and not any(
            ch.isdigit() for ch in candidate
        ):
            if candidate.isupper():
                if len(candidate.split()) < 2 or _TITLE_RE.search(candidate):
                    continue
                candidate = " ".join(w.capitalize() for w in candidate.split())
            signer["name"] = candidate
    return signer
