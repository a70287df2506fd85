"""The public platform's machine-readable forms: an Atom 1.0 feed of the notices and one CSV of everything
published. Both are built from portal.public.published only; the XML is written by ElementTree (which escapes
every text) and every CSV cell passes the spreadsheet-formula neutraliser."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import local_time
from portal.chains.links import chain_buyers
from portal.extensions import db
from portal.funding.models import FundingApplication
from portal.funding.objections import OUTCOME_LABELS
from portal.i18n import current_locale
from portal.locale_format import day, number
from portal.orgs.models import Organisation
from portal.plans.catalogue import MEASURE_LABELS
from portal.public import published
from portal.records.models import CreditRating, PenaltyRecord
from portal.records.reading import LEVEL_LABELS, STATUS_LABELS
from portal.reports.excel_template import neutralise
from portal.templating import status_label

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)  # process-wide: done once, when the module is imported
# Characters XML 1.0 does not allow in a document (C0 controls but tab, newline and return; surrogates; U+FFFE/F):
# one typed into a plan title would make the whole feed unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FEED_ENTRIES = 50
CSV_HEADER = ("类别 kind", "统一社会信用代码 credit_code", "企业名称 organisation", "日期 date", "事项 item",
              "内容 detail", "状态 status", "金额（元） amount_yuan")


def _text(value) -> str:
    return "" if value is None else str(value)


def xml_text(value) -> str:
    return XML_ILLEGAL.sub("", _text(value))


def notice_title(application: FundingApplication) -> str:
    return f"{application.reference} · {application.organisation.display_name(current_locale())} · " \
           f"{application.plan.title}"


def notice_summary(application: FundingApplication) -> str:
    return _("Funding of %(amount)s yuan proposed under “%(programme)s”. Public notice from %(start)s to %(end)s; "
             "objections in writing with a real name during that period.",
             amount=number(application.approved_amount), programme=application.programme.name,
             start=_day(application.notice_starts_on), end=_day(application.notice_ends_on))


def _day(value) -> str:
    return day(value) or "—"


def notices_feed(applications: Iterable[FundingApplication], *, feed_url: str, page_url: str,
                 link_for: Callable[[FundingApplication], str]) -> bytes:
    """An Atom 1.0 document (RFC 4287): one entry per notice, newest first. Characters XML cannot carry are left
    out of every text and attribute."""

    def add(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}",
                                {k: xml_text(v) for k, v in attrs.items() if v is not None})
        if text is not None:
            element.text = xml_text(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": current_locale()})
    add(feed, "title", _("Public notices of funding support"))
    add(feed, "id", feed_url)
    add(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    add(feed, "link", rel="alternate", href=page_url, type="text/html")
    author = add(feed, "author")
    add(author, "name", _("Green Supply Chain Portal"))
    entries = list(applications)
    newest = max((a.updated_at for a in entries), default=datetime.now(UTC))
    add(feed, "updated", newest.astimezone(UTC).isoformat())
    for application in entries:
        url = link_for(application)
        entry = add(feed, "entry")
        add(entry, "title", notice_title(application))
        add(entry, "id", url)
        add(entry, "link", rel="alternate", href=url, type="text/html")
        add(entry, "updated", application.updated_at.astimezone(UTC).isoformat())
        add(entry, "summary", notice_summary(application))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _published_rows() -> Iterator[tuple]:
    suppliers = db.session.scalars(published.suppliers(None)).all()
    by_code = {org.credit_code: org for org in suppliers}
    codes = list(by_code)
    by_id = {org.id: org for org in suppliers}
    for org in suppliers:
        yield ("supplier", org.credit_code, org.name_zh, "", org.name_en, org.industry_code, "", "")
    for supplier_id, buyer, tier in chain_buyers():
        if (org := by_id.get(supplier_id)) is not None:
            yield ("chain_buyer", org.credit_code, org.name_zh, "", buyer.name_zh, _("tier %(tier)s", tier=tier), "",
                   "")
    for rating in db.session.scalars(select(CreditRating).where(CreditRating.credit_code.in_(codes))
                                     .order_by(CreditRating.credit_code, CreditRating.year)):
        yield ("credit_rating", rating.credit_code, by_code[rating.credit_code].name_zh, rating.year,
               _text(LEVEL_LABELS[rating.level]), rating.issuer, _text(rating.score), "")
    penalties = db.session.scalars(select(PenaltyRecord).where(PenaltyRecord.credit_code.in_(codes))
                                   .options(selectinload(PenaltyRecord.explanations))
                                   .order_by(PenaltyRecord.credit_code, PenaltyRecord.decided_on))
    for penalty in penalties:
        name = by_code[penalty.credit_code].name_zh
        status = _("marked rectified") if penalty.rectified_at else _text(STATUS_LABELS[penalty.status])
        yield ("penalty", penalty.credit_code, name, penalty.decided_on, penalty.decision_number,
               f"{penalty.violation} / {penalty.penalty}", status, "")
        for explanation in published.public_explanations(penalty):
            yield ("penalty_explanation", penalty.credit_code, name, local_time.local_day(explanation.created_at),
                   penalty.decision_number, explanation.text, status, "")
    for plan in published.completed_plans():
        if (org := by_id.get(plan.organisation_id)) is not None:
            yield ("upgrade_project", org.credit_code, org.name_zh, "", plan.title,
                   "; ".join(_text(MEASURE_LABELS.get(m.kind, m.kind)) for m in plan.measures),
                   status_label(plan.status), plan.investment)
    funded = db.session.scalars(published.applications()).all()
    summaries = published.objection_summaries([application.id for application in funded])
    for application in funded:
        org = application.organisation
        yield ("funding", org.credit_code, org.name_zh, application.notice_starts_on, application.reference,
               f"{application.programme.name} / {application.plan.title}", published.public_status(application),
               application.approved_amount)
        for objection in summaries[application.id].resolved:
            yield ("objection_resolution", org.credit_code, org.name_zh, local_time.local_day(objection.resolved_at),
                   application.reference, objection.resolution, _text(OUTCOME_LABELS[objection.status]), "")
    for tip in published.accepted_tips():
        org = tip.organisation or Organisation(credit_code="", name_zh="")
        yield ("tip", org.credit_code, org.name_zh, local_time.local_day(tip.decided_at), "", tip.published_text, "",
               "")


def published_csv() -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese text; formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in _published_rows():
        writer.writerow([neutralise(_text(cell)) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
