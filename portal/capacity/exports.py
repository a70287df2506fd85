"""Files about a training: the attendee list as Excel (for the sign-in sheet) and an iCalendar event."""

from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from portal import local_time
from portal.capacity.catalogue import MODE_LABELS
from portal.capacity.models import Training
from portal.database import utcnow
from portal.reports.excel_template import HEADER_FILL, HEADER_FONT, bilingual, put_cell, workbook_bytes

PRESENT, ABSENT = _l("yes"), _l("no")
COLUMNS = (_l("No."), _l("Supplier"), _l("Credit code"), _l("Attendee"), _l("Registered by"), _l("Registered at"),
           _l("Present"))


def attendee_workbook(training: Training) -> bytes:
    """One line per attendee of every active registration; every text cell neutralised against formulas."""
    wb = Workbook()
    ws = wb.active
    ws.title = bilingual(str, _l("Attendees"), " ")[:31]
    put_cell(ws, 1, 1, training.title, font=HEADER_FONT)
    where = training.place or training.online_link or ""
    when = bilingual(str, _l("%(starts)s – %(ends)s Shenzhen time", starts=local_time.text(training.starts_at),
                             ends=local_time.text(training.ends_at)), " / ")
    put_cell(ws, 2, 1, f"{when} · {bilingual(str, MODE_LABELS[training.mode], ' ')} · {where}")
    for column, title in enumerate(COLUMNS, start=1):
        put_cell(ws, 4, column, bilingual(str, title), font=HEADER_FONT, fill=HEADER_FILL)
    row, number = 5, 0
    for registration in training.active_registrations:
        organisation = registration.organisation
        for name in registration.attendees:
            number += 1
            present = "" if registration.attended is None else bilingual(
                str, PRESENT if name in registration.attended else ABSENT, " ")
            values = (number, organisation.name_zh, organisation.credit_code, name,
                      registration.registered_by.name if registration.registered_by else "",
                      local_time.text(registration.updated_at), present)
            for column, value in enumerate(values, start=1):
                put_cell(ws, row, column, value, text=column == 3)
            row += 1
    for letter, width in zip("ABCDEFG", (6, 36, 22, 20, 16, 22, 10), strict=True):
        ws.column_dimensions[letter].width = width
    return workbook_bytes(wb)


def _ics_text(value: str) -> str:
    # RFC 5545 §3.3.11: backslash, semicolon and comma are escaped, line breaks written as \n.
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n"))


def _ics_time(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next line after a space."""
    parts, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            parts.append(current)
            current = " "
        current += char
    return [*parts, current]


def calendar_file(training: Training, link: str, *, with_meeting_link: bool) -> bytes:
    where = training.place if training.mode == "in_person" else (training.online_link if with_meeting_link else "")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//greenchain portal//trainings//ZH", "BEGIN:VEVENT",
             f"UID:training-{training.id}@greenchain.local", f"DTSTAMP:{_ics_time(utcnow())}",
             # RFC 5545 §3.8.7.4: calendars replace the event they hold when the sequence grows (each change).
             f"SEQUENCE:{training.version_id - 1}",
             f"DTSTART:{_ics_time(training.starts_at)}", f"DTEND:{_ics_time(training.ends_at)}",
             f"SUMMARY:{_ics_text(training.title)}", f"LOCATION:{_ics_text(where or '')}",
             f"DESCRIPTION:{_ics_text((training.description or '') + chr(10) + link)}", f"URL:{link}",
             f"STATUS:{'CANCELLED' if training.status == 'cancelled' else 'CONFIRMED'}", "END:VEVENT",
             "END:VCALENDAR"]
    return ("\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n").encode()
