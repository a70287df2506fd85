"""Inviting many suppliers from one Excel or CSV file: read it (the credit-record reader's CSV/Excel grid),
check every row, show the result per row before anything is stored, then invite all valid rows at once."""

from __future__ import annotations

import heapq
import secrets
import unicodedata
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.chains import invitations
from portal.chains.invitations import RowResult
from portal.chains.models import ChainInvitation
from portal.extensions import db
from portal.records.reading import read_grid
from portal.reports.excel import Problem
from portal.reports.excel_template import HEADER_FILL, HEADER_FONT, put_cell, workbook_bytes

MAX_ROWS = 1000
KEPT_NOT_SENT = 10
PREVIEW_HOURS = 2  # how long a checked file may be sent
HEADINGS = {"credit_code": ("credit_code", "统一社会信用代码", "信用代码", "credit code"),
            "email": ("email", "e-mail", "电子邮箱", "邮箱", "联系邮箱")}


@dataclass
class BulkPreview:
    rows: list[RowResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the file as a whole: nothing can be read

    @property
    def valid(self) -> list[RowResult]:
        return [row for row in self.rows if row.ok]


def _column_of(text: object) -> str | None:
    parts = {unicodedata.normalize("NFKC", part).strip().casefold() for part in str(text or "").splitlines()}
    return next((key for key, words in HEADINGS.items() if parts & {w.casefold() for w in words}), None)


def read_rows(content: bytes) -> tuple[list[tuple[int, str, str]], list[Problem]]:
    """(row number, credit code, e-mail) of every non-empty row below the heading row."""
    problems: list[Problem] = []
    grid = read_grid(content, problems)
    if grid is None:
        return [], problems
    header_at = next((n for n, row in enumerate(grid[:5]) if {_column_of(v) for v, _t in row} >= set(HEADINGS)),
                     None)
    if header_at is None:
        return [], [Problem("", None, None, _l("No row names the columns “credit_code” (统一社会信用代码) and "
                                               "“email” (电子邮箱). Start from the template."))]
    at = {}
    for index, (value, _type) in enumerate(grid[header_at]):
        key = _column_of(value)
        if key and key not in at:
            at[key] = index
    rows = []
    for number, row in enumerate(grid[header_at + 1:], start=header_at + 2):
        cells = {key: row[index][0] if index < len(row) else None for key, index in at.items()}
        code, email = (("" if cells[k] is None else str(cells[k])).strip() for k in ("credit_code", "email"))
        if not code and not email:
            continue
        if len(rows) == MAX_ROWS:
            problems.append(Problem("", None, None, _l("The file has more than %(max)d rows. Split it into several "
                                                        "files.", max=MAX_ROWS)))
            return [], problems
        rows.append((number, code[:60], email[:300]))
    if not rows:
        problems.append(Problem("", None, None, _l("The file has no rows to invite below the headings.")))
    return rows, problems


def preview(inviting, buyer, content: bytes) -> BulkPreview:
    rows, problems = read_rows(content)
    result = BulkPreview(problems=problems)
    seen: set[str] = set()
    known = invitations.known_for(buyer, [code for _number, code, _email in rows])
    for number, code, email in rows:
        result.rows.append(invitations.check_row(inviting, buyer, code, email, number=number, seen=seen,
                                                 known=known))
    return result


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="chains.bulk")


def _compact(row: RowResult) -> list:
    return [row.number, row.credit_code, row.email[:100], row.outcome, row.detail[:100]]


@dataclass
class SignedFile:
    """A checked file as sending needs it: the valid rows, and the rows the check refused (the first
    KEPT_NOT_SENT of them and their number), which the result page lists among those not sent."""

    rows: list[tuple[int, str, str]]
    refused: list[RowResult]
    refused_count: int


def sign(inviting, buyer, preview_: BulkPreview) -> str:
    """The rows the preview found valid, signed: sending can only invite those, into that chain, by that sender."""
    refused = [row for row in preview_.rows if not row.ok]
    return _signer().dumps({"org": inviting.id, "buyer": buyer.id,
                            "rows": [[r.number, r.credit_code, r.email] for r in preview_.valid][:MAX_ROWS],
                            "refused": [_compact(row) for row in refused[:KEPT_NOT_SENT]],
                            "refused_count": len(refused)})


def signed_rows(token: str, inviting, buyer) -> SignedFile | None:
    """The file signed by `sign`; None when the token is not one, too old, or for another chain."""
    try:
        data = _signer().loads(token or "", max_age=PREVIEW_HOURS * 3600)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("org") != inviting.id or data.get("buyer") != buyer.id:
        return None
    rows = [(int(number or 0), str(code), str(email)) for number, code, email in data.get("rows", [])][:MAX_ROWS]
    refused = [RowResult(*row) for row in data.get("refused", []) if row[3] in invitations.OUTCOMES]
    return SignedFile(rows, refused, int(data.get("refused_count") or 0))


def apply(inviting, buyer, rows: list[tuple[int, str, str]], *, actor) -> tuple[str, list[RowResult]]:
    """Invites every valid row (checked again: something may have changed since the preview). Returns the id the
    file's invitations are stored with (each with its row number) and the result of every row."""
    rows = rows[:MAX_ROWS]
    batch = secrets.token_hex(16)
    seen: set[str] = set()
    known = invitations.known_for(buyer, [code for _number, code, _email in rows])
    return batch, [invitations.invite(inviting, buyer, code, email, actor=actor, number=number, seen=seen,
                                      known=known, batch=batch) for number, code, email in rows]


def sent_batch(inviting, buyer, batch: str, results: list[RowResult], file: SignedFile) -> dict:
    """What the result page needs to show a sent file again (kept in the session, a cookie of a few KB): the sent
    invitations are read back from the database by the file's id; the rows not sent (refused by the check, or
    failing when sending because something changed since) exist nowhere else, so their number is kept and the
    first KEPT_NOT_SENT of them."""
    not_sent = sorted([*file.refused, *(row for row in results if not row.ok)], key=lambda row: row.number or 0)
    failed = sum(1 for row in results if not row.ok)
    return {"org": inviting.id, "buyer": buyer.id, "batch": batch, "not_sent_count": file.refused_count + failed,
            "not_sent": [_compact(row) for row in not_sent[:KEPT_NOT_SENT]]}


def batch_results(inviting, buyer, batch: dict) -> list[RowResult]:
    """The rows of a file sent by `inviting` into `buyer`'s chain, in file order: its invitations (a row re-invited
    by a later file has moved to that file) and the rows not sent. The detail of a company already on the platform
    is its name, as the preview showed it."""
    sent = db.session.scalars(select(ChainInvitation).options(selectinload(ChainInvitation.invitee)).where(
        ChainInvitation.sent_batch == str(batch.get("batch") or ""),
        ChainInvitation.inviting_organisation_id == inviting.id, ChainInvitation.buyer_organisation_id == buyer.id)
        .order_by(ChainInvitation.sent_row))
    sent_rows = [RowResult(inv.sent_row, inv.credit_code, inv.email, "asked" if inv.invitee else "invited",
                           inv.invitee.name_zh if inv.invitee else "") for inv in sent]
    not_sent = [RowResult(*row) for row in batch.get("not_sent", [])]
    return list(heapq.merge(sent_rows, not_sent, key=lambda row: row.number or 0))


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "invitations"
    for column, title in enumerate(("统一社会信用代码\ncredit_code", "电子邮箱\nemail"), start=1):
        put_cell(ws, 1, column, title, font=HEADER_FONT, fill=HEADER_FILL)
        ws.column_dimensions["AB"[column - 1]].width = 32
    for row in range(2, 202):
        put_cell(ws, row, 1, None, text=True)
    return workbook_bytes(wb)


def results_bytes(rows: list[RowResult], labels) -> bytes:
    """The per-row results as a workbook (every text cell neutralised by put_cell)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "results"
    for column, title in enumerate(labels, start=1):
        put_cell(ws, 1, column, str(title), font=HEADER_FONT, fill=HEADER_FILL)
    for index, row in enumerate(rows, start=2):
        for column, value in enumerate((row.number, row.credit_code, row.email, str(row.label), row.detail),
                                       start=1):
            put_cell(ws, index, column, value, text=column in (2, 3))
    return workbook_bytes(wb)
