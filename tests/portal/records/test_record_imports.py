"""Importing credit ratings and penalty records from CSV and Excel: the import report, idempotency, unmatched
codes kept until their organisation registers."""

import io
from datetime import date, datetime
from pathlib import Path

from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.records import imports, reading
from portal.records.models import CreditRating, PenaltyRecord, RecordImport
from tests.conftest import credit_code, login

RATINGS_HEADER = ["credit_code", "year", "level", "score", "issuer"]
PENALTIES_HEADER = ["credit_code", "decided_on", "decision_number", "violation", "penalty", "status", "major"]


def as_csv(*rows) -> bytes:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows).encode()


def as_xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_by_row(parsed) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    with force_locale("en"):
        for problem in parsed.problems:
            found.setdefault(problem.row, []).append((problem.column, str(problem.message)))
    return found


def message(problem) -> str:
    with force_locale("en"):
        return str(problem.message)


def admin_client(app, make):
    client = app.test_client()
    login(client, make.user(None, locale="en"))
    return client


def upload(client, content: bytes, name="records.csv"):
    response = client.post("/records/imports", data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def test_bad_rating_rows_are_listed_by_row_and_column_and_the_good_ones_read(app, make):
    org = make.org("supplier")
    unregistered = credit_code()
    parsed = reading.read(as_csv(
        RATINGS_HEADER,
        [org.credit_code, 2024, "红牌", 55, "深圳市生态环境局"],
        [unregistered, 2024, "blue", "", ""],
        [org.credit_code, 2023, "purple", 80, ""],
        [org.credit_code, 2022, "red", 82, ""],
        ["91440300MA5G00002X", 2024, "green", "", ""],
        [org.credit_code, 2024, "red", 55, ""],
        [org.credit_code, "last year", "green", "", ""],
    ))
    assert parsed.kind == "ratings"
    rows = problems_by_row(parsed)
    assert [row.number for row in parsed.rows] == [2, 3]
    assert parsed.rows[0].values == {"credit_code": org.credit_code, "year": 2024, "level": "red",
                                     "score": 55, "issuer": "深圳市生态环境局"}
    assert rows[4] == [("C", "“purple” is not a level: use green, blue, yellow or red (绿牌, 蓝牌, 黄牌, 红牌).")]
    assert rows[5][0][0] == "C" and "82 falls in the blue band (75 – < 90 points)" in rows[5][0][1] \
        and "level given is red" in rows[5][0][1]
    assert rows[6][0][0] == "A" and "character" in rows[6][0][1]
    assert rows[7] == [("B", "Row 2 already holds this record; only that row is read.")]
    assert rows[8][0][0] == "B" and "not a rating year" in rows[8][0][1]
    assert parsed.invalid_rows == {4, 5, 6, 7, 8}

    report = imports.build_report(parsed)
    assert report.counts() == {"rows": 7, "invalid": 5, "matched": 1, "unmatched": 1, "created": 2, "updated": 0,
                               "unchanged": 0}


def test_bad_penalty_rows_and_the_major_column_as_the_source_gives_it(make):
    org = make.org("supplier")
    parsed = reading.read(as_csv(
        ["统一社会信用代码", "处罚日期", "决定书文号", "违法行为", "处罚内容", "整改状态", "是否重大"],
        [org.credit_code, "2025/3/2", "深环罚〔2025〕1号", "超标排放", "罚款人民币200万元", "未整改", ""],
        [org.credit_code, "2025-02-30", "深环罚〔2025〕2号", "超标排放", "罚款", "未整改", "是"],
        [org.credit_code, "2025-01-05", "深环罚〔2025〕1号", "超标排放", "罚款", "未整改", "否"],
        [org.credit_code, "2025-01-06", "深环罚〔2025〕3号", "", "罚款", "pending", "maybe"],
        [org.credit_code, "2025-01-07", "深环罚〔2025〕4号", "未按规定监测", "警告", "已整改", "是"],
    ))
    assert parsed.kind == "penalties"
    rows = problems_by_row(parsed)
    assert [row.number for row in parsed.rows] == [2, 6]
    # A fine of two million is not made "major": only the source's column says so.
    assert parsed.rows[0].values["major"] is None and parsed.rows[0].values["decided_on"] == date(2025, 3, 2)
    assert parsed.rows[1].values["major"] is True and parsed.rows[1].values["status"] == "rectified"
    assert rows[3] == [("B", "“2025-02-30” is not a date: write it as YYYY-MM-DD, for example 2025-03-31.")]
    assert rows[4] == [("C", "Row 2 already holds this record; only that row is read.")]
    assert [column for column, _message in rows[5]] == ["D", "F", "G"]


def test_a_file_without_the_required_columns_imports_nothing(make):
    parsed = reading.read(as_csv(["credit_code", "level"], ["91440300MA5G000020", "red"]))
    assert parsed.blocked and parsed.rows == []
    assert "“year” (年度) is missing" in message(parsed.problems[0])
    assert reading.read(as_csv(["name", "value"], ["a", "b"])).kind is None
    assert reading.read(b"%PDF-1.4 not a list").blocked


def test_an_excel_file_is_read_with_its_dates_numbers_and_problems(make):
    org = make.org("supplier")
    parsed = reading.read(as_xlsx(
        PENALTIES_HEADER,
        [org.credit_code, datetime(2025, 4, 1), "X-1", "未批先建", "罚款", "open", "yes"],
        [org.credit_code, "soon", "X-2", "未批先建", "罚款", "open", "no"],
        [org.credit_code, datetime(2025, 4, 3), "=A1", "未批先建", "罚款", "open", ""],
    ))
    rows = problems_by_row(parsed)
    assert [row.number for row in parsed.rows] == [2]
    assert parsed.rows[0].values["decided_on"] == date(2025, 4, 1) and parsed.rows[0].values["major"] is True
    assert rows[3][0][0] == "B" and rows[4][0] == ("C", "Formulas are not imported. Copy the cells and paste "
                                                        "them as values.")
    ratings = reading.read(as_xlsx(RATINGS_HEADER, [org.credit_code, 2024, "green", 95.5, None],
                                   [org.credit_code, 2023, "green", 74, None]))
    assert ratings.rows[0].values["score"] == 95.5
    assert "yellow band" in message(ratings.problems[0]) and ratings.problems[0].row == 3


def test_the_admin_sees_the_report_before_importing_and_the_same_file_twice_changes_nothing(app, make):
    org = make.org("supplier")
    client = admin_client(app, make)
    content = as_csv(RATINGS_HEADER, [org.credit_code, 2024, "yellow", 70, "深圳市生态环境局"],
                     [org.credit_code, 2023, "amber", "", ""])
    report_url = upload(client, content)
    page = client.get(report_url).get_data(as_text=True)
    assert "“amber” is not a level" in page and "Import the 1 valid rows" in page
    assert db.session.scalar(select(func.count()).select_from(CreditRating)) == 0  # nothing before confirming
    client.post(report_url)
    assert db.session.scalar(select(func.count()).select_from(CreditRating)) == 1
    again = upload(client, content)
    assert "Records already as in the file" in client.get(again).get_data(as_text=True)
    client.post(again)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CreditRating)) == 1
    assert db.session.scalars(select(RecordImport.summary).order_by(RecordImport.id)).all()[-1] == {
        "rows": 2, "invalid": 1, "matched": 1, "unmatched": 0, "created": 0, "updated": 0, "unchanged": 1}
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "records.rating_updated")).all()
    assert client.post(again).status_code == 302  # applying twice is refused with a message
    assert db.session.scalar(select(func.count()).select_from(CreditRating)) == 1


def test_a_changed_row_updates_its_record_and_is_audited(app, make):
    org = make.org("supplier")
    client = admin_client(app, make)
    client.post(upload(client, as_csv(PENALTIES_HEADER, [org.credit_code, "2025-01-02", "A-1", "v", "p", "open", ""])))
    changed = upload(client, as_csv(PENALTIES_HEADER, [org.credit_code, "2025-01-02", "A-1", "v", "p", "rectified",
                                                       "yes"]))
    page = client.get(changed).get_data(as_text=True)
    assert "Records the import would change" in page and "open → rectified" in page
    client.post(changed)
    record = db.session.scalars(select(PenaltyRecord)).one()
    assert (record.status, record.major) == ("rectified", True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "records.penalty_updated")).one()
    assert event.organisation_id == org.id
    assert event.summary["changes"] == {"status": ["open", "rectified"], "major": [None, True]}


def test_unmatched_rows_are_kept_and_the_organisation_registering_later_sees_them(app, make):
    code = credit_code()
    client = admin_client(app, make)
    report_url = upload(client, as_csv(RATINGS_HEADER, [code, 2024, "red", 50, "深圳市生态环境局"]))
    page = client.get(report_url).get_data(as_text=True)
    assert "Unmatched credit codes" in page and code in page
    client.post(report_url)
    assert db.session.scalars(select(CreditRating.credit_code)).all() == [code]

    later = make.org("supplier", credit_code=code)
    supplier = app.test_client()
    login(supplier, make.user(later, locale="en"))
    page = supplier.get(f"/organisations/{later.id}/records").get_data(as_text=True)
    assert "2024" in page and "red" in page and "深圳市生态环境局" in page


def test_the_demo_files_load_with_the_cli_and_keep_their_unmatched_and_invalid_rows_out(app, make):
    runner = app.test_cli_runner()
    data = Path("portal/records/data")
    first = runner.invoke(args=["records", "import", str(data / "demo-credit-ratings.csv")])
    assert first.exit_code == 0, first.output
    assert "row 7, column C" in first.output and "created 5" in first.output and "invalid 1" in first.output
    second = runner.invoke(args=["records", "import", str(data / "demo-credit-ratings.csv")])
    assert "created 0" in second.output and "unchanged 5" in second.output
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(CreditRating)) == 5
    assert db.session.scalar(select(func.count()).select_from(PenaltyRecord)) == 4
    assert runner.invoke(args=["records", "import", "README.md"]).exit_code != 0
