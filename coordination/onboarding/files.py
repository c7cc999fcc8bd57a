"""Files the onboarding hands out: the Vietnamese template (.xlsx or .csv) and the list of problems (.csv)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from coordination.onboarding.checking import KIND_WORDS, LEVEL_WORDS, ROLE_WORDS, Problem, choices
from coordination.onboarding.reading import AGENCIES, AGENCY_COLUMNS, USER_COLUMNS, USERS

#: one example row per sheet, so the admin sees what each column holds
EXAMPLES = {
    AGENCIES: {
        "code": "TN-STP",
        "name_vi": "Sở Tư pháp tỉnh Tây Ninh",
        "name_en": "Tay Ninh Department of Justice",
        "short_name": "STP",
        "kind": choices(KIND_WORDS)[2],
        "level": choices(LEVEL_WORDS)[1],
        "parent": "TN-UBND",
        "aliases": "Sở Tư pháp; STP Tây Ninh",
        "groups": "Các sở, ban, ngành tỉnh",
    },
    USERS: {
        "username": "nguyenvana.stp",
        "full_name": "Nguyễn Văn An",
        "email": "nguyenvana@tayninh.gov.vn",
        "agency": "TN-STP",
        "role": choices(ROLE_WORDS)[3],
        "is_head": "không",
    },
}
COLUMNS = {AGENCIES: AGENCY_COLUMNS, USERS: USER_COLUMNS}
#: a column whose cells pick from a list in the template
LISTS = {AGENCIES: {"kind": KIND_WORDS, "level": LEVEL_WORDS}, USERS: {"role": ROLE_WORDS, "is_head": None}}
#: formula characters a spreadsheet would run (the problems file echoes the admin's values)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def template_xlsx() -> bytes:
    """The workbook to fill in: a "Cơ quan" and a "Người dùng" sheet, Vietnamese headers, an example row, lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    # Vietnamese in any interface language: the template is the province's form, and its titles are what is read back
    for kind, title in ((AGENCIES, "Cơ quan"), (USERS, "Người dùng")):
        sheet = book.create_sheet(title)
        columns = COLUMNS[kind]
        sheet.append([header for header, _others in columns.values()])
        sheet.append([EXAMPLES[kind][name] for name in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, name in enumerate(columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = 16 if name in ("code", "kind", "level", "role", "is_head") else 32
            if name not in LISTS[kind]:
                continue
            words = LISTS[kind][name]
            offered = choices(words) if words is not None else [_("có"), _("không")]
            validation = DataValidation(type="list", formula1='"' + ",".join(offered) + '"', allow_blank=True)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    """One kind's template as CSV (UTF-8 with BOM, so that Excel shows the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = COLUMNS[kind]
    writer.writerow([header for header, _others in columns.values()])
    writer.writerow([EXAMPLES[kind][name] for name in columns])
    return ("\ufeff" + out.getvalue()).encode()


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def problems_csv(problems: list[Problem]) -> bytes:
    """The problems as a file to send back to whoever filled the spreadsheet (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Trang"), _("Dòng"), _("Cột"), _("Giá trị"), _("Vấn đề")])
    for problem in problems:
        writer.writerow(
            [_cell(problem.sheet), problem.row, _cell(problem.column), _cell(problem.value), problem.message]
        )
    return ("\ufeff" + out.getvalue()).encode()
