"""One way to page through a list: ?page=N, 50 rows a page."""

from dataclasses import dataclass

from flask import request
from sqlalchemy import func, select

from portal.extensions import db

PER_PAGE = 50


@dataclass
class Page:
    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(stmt, per_page: int = PER_PAGE) -> Page:
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=list(items), number=number, total=total, per_page=per_page)
