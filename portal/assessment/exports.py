"""The scorecard and gap report as documents people file: a PDF (weasyprint, CJK fonts from the system) and
an Excel workbook with every question's points."""

from __future__ import annotations

from io import BytesIO

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from portal.assessment import scoring
from portal.assessment import services as assessments
from portal.assessment.models import Assessment
from portal.reports.excel_template import neutralise


def _context(assessment: Assessment, locale: str) -> dict:
    questions = assessments.questionnaire(assessment.benchmark)
    card = assessments.scorecard(assessment)
    checked = assessment.verification
    return {"assessment": assessment, "questions": questions, "card": card, "gaps": scoring.gaps(questions, card),
            "locale": locale, "bands": {b.grade: b for b in questions.grade_bands},
            "verification": checked if checked is not None and checked.status == "completed" else None}


def scorecard_pdf(assessment: Assessment, locale: str) -> bytes:
    from weasyprint import HTML  # imported here: loading its libraries is slow and only PDFs need it

    html = render_template("assessment/scorecard_print.html", **_context(assessment, locale))
    return HTML(string=html).write_pdf()


def scorecard_workbook(assessment: Assessment, locale: str, labels: dict[str, str]) -> bytes:
    data = _context(assessment, locale)
    questions, card = data["questions"], data["card"]
    zh = locale == "zh"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "scorecard"
    header = [labels["question"], labels["text"], labels["answer"], labels["points"], labels["max"], labels["lost"]]
    sheet.append([neutralise(str(labels["title"])), neutralise(f"{card.total} / 100 · {card.grade}")])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for section in questions.sections:
        for question in section.questions:
            score = card.question(question.id)
            answer = "" if score.answer is None else str(score.answer)
            sheet.append([question.id, neutralise(question.text_zh if zh else question.text_en), neutralise(answer),
                          float(score.earned), float(score.max), float(score.lost)])
    sheet.column_dimensions["B"].width = 80
    for row in sheet.iter_rows(min_row=3):
        row[1].alignment = Alignment(wrap_text=True)
    gaps_sheet = workbook.create_sheet("gaps")
    gaps_sheet.append([labels["question"], labels["lost"], labels["effort"], labels["improve"]])
    for gap in data["gaps"]:
        gaps_sheet.append([gap.question_id, float(gap.lost), gap.effort,
                           neutralise(gap.improve_zh if zh else gap.improve_en)])
    gaps_sheet.column_dimensions["D"].width = 80
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
