"""Inviting from a file: every row gets a result before anything is sent; valid rows go in one step."""

import io
import re
from datetime import timedelta

from openpyxl import Workbook, load_workbook

from portal.auth.tokens import new_token
from portal.chains import invitations
from portal.chains.models import ChainInvitation
from portal.database import utcnow
from portal.extensions import db
from tests.conftest import credit_code, login
from tests.portal.chains.helpers import link


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, content, name="list.xlsx"):
    return client.post("/supply-chain/invitations/bulk", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _signed(page):
    return re.search(r'name="rows" value="([^"]+)"', page).group(1)


def _count():
    return db.session.scalar(db.select(db.func.count()).select_from(ChainInvitation))


def test_file_with_bad_rows_lists_a_result_per_row_and_sends_only_the_good_ones(client, make, outbox):
    buyer = make.org("buyer")
    existing, linked = make.org("supplier"), make.org("supplier")
    make.user(existing)
    link(buyer, linked)
    login(client, make.user(buyer))
    good = credit_code()
    rows = [["统一社会信用代码\ncredit_code", "电子邮箱\nemail"],
            [good, "a@example.com"],
            ["91440300MA5G00000", "b@example.com"],  # 17 characters
            [good, "c@example.com"],  # duplicate of row 2
            [credit_code(), "not an e-mail"],
            [existing.credit_code, "d@example.com"],
            [linked.credit_code, "e@example.com"],
            ["=HYPERLINK(\"http://x\")", "@SUM(1)"],
            [None, None]]
    response = _upload(client, _xlsx(rows))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 of 7 rows can be invited" in page or "7 行中有 2 行可以邀请" in page
    assert _count() == 0  # nothing before confirming
    done = client.post("/supply-chain/invitations/bulk/apply", data={"buyer_id": buyer.id, "rows": _signed(page)})
    assert done.status_code == 303 and client.get(done.headers["Location"]).status_code == 200
    assert _count() == 2
    codes = {i.credit_code: i for i in db.session.scalars(db.select(ChainInvitation))}
    assert codes[good].invitee_organisation_id is None
    assert codes[existing.credit_code].invitee_organisation_id == existing.id
    # The result table downloads with formula-looking text neutralised.
    result = client.post("/supply-chain/invitations/bulk/results.xlsx", data={
        "number": ["8"], "credit_code": ['=HYPERLINK("http://x")'], "email": ["@SUM(1)"], "outcome": ["invalid_code"]})
    sheet = load_workbook(io.BytesIO(result.data)).active
    assert sheet.cell(row=2, column=2).value.startswith("'=")
    assert sheet.cell(row=2, column=3).value.startswith("'@")


def test_csv_in_gb18030_is_read(client, make):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    content = f"统一社会信用代码,电子邮箱\n{credit_code()},x@example.com\n".encode("gb18030")
    response = _upload(client, content, "list.csv")
    assert response.status_code == 200 and "x@example.com" in response.get_data(as_text=True)


def test_wrong_file_type_empty_file_and_no_headings_are_refused(client, make):
    login(client, make.user(make.org("buyer")))
    pdf = _upload(client, b"%PDF-1.4\n\x00\x01\x02binary", "list.pdf")
    assert pdf.status_code == 422
    empty = _upload(client, b"", "list.csv")
    assert empty.status_code == 422
    garbage = _upload(client, "一些文字\n没有表头\n".encode(), "list.csv")
    assert garbage.status_code == 422
    assert _count() == 0


def test_template_downloads_with_both_headings(client, make):
    login(client, make.user(make.org("buyer")))
    response = client.get("/supply-chain/invitations/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert "credit_code" in sheet.cell(row=1, column=1).value and "email" in sheet.cell(row=1, column=2).value


def test_supplier_staff_and_tier2_cannot_bulk_invite(client, make):
    buyer, tier1, supplier = make.org("buyer"), make.org("supplier"), make.org("supplier")
    link(buyer, tier1)
    link(buyer, supplier, tier=2, parent=tier1)
    login(client, make.user(supplier))
    assert client.get("/supply-chain/invitations/bulk").status_code == 403
    assert client.post("/supply-chain/invitations/bulk/apply", data={"buyer_id": buyer.id}).status_code == 403
    client.post("/logout")
    login(client, make.user(buyer, role="staff"))
    assert client.get("/supply-chain/invitations/bulk").status_code == 403


def _header_and(*rows):
    return [["credit_code", "email"], *rows]


def test_a_csv_cell_over_the_csv_limit_is_a_file_problem_not_a_server_error(client, make):
    login(client, make.user(make.org("buyer")))
    content = f'credit_code,email\n{credit_code()},"{"x" * 140_000}"\n'.encode()
    response = _upload(client, content, "list.csv")
    assert response.status_code == 422
    assert "CSV" in response.get_data(as_text=True)
    assert _count() == 0


def test_sending_invites_only_the_rows_the_check_found_valid(client, app, make):
    buyer, other_buyer = make.org("buyer"), make.org("buyer")
    login(client, make.user(buyer))
    page = _upload(client, _xlsx(_header_and([credit_code(), "a@example.com"], ["bad", "b@example.com"])))
    signed = _signed(page.get_data(as_text=True))
    # Rows posted by hand, without the signed check, send nothing.
    forged = client.post("/supply-chain/invitations/bulk/apply", data={
        "buyer_id": buyer.id, "number": ["2", "3"], "credit_code": [credit_code(), credit_code()],
        "email": ["x@example.com", "y@example.com"]})
    assert forged.status_code == 302 and _count() == 0
    # A check made for another organisation's chain is refused too.
    other = app.test_client()
    login(other, make.user(other_buyer))
    assert other.post("/supply-chain/invitations/bulk/apply",
                      data={"buyer_id": other_buyer.id, "rows": signed}).status_code == 302
    assert _count() == 0
    done = client.post("/supply-chain/invitations/bulk/apply", data={"buyer_id": buyer.id, "rows": signed})
    assert done.status_code == 303 and _count() == 1


def _figures(response):
    """(sent, not sent) as the result page states them."""
    assert response.status_code == 200
    figures = re.search(r'id="bulk-figures">([^<]*)', response.get_data(as_text=True)).group(1)
    return tuple(int(n) for n in re.findall(r"\d+", figures))


def test_sending_redirects_to_a_result_page_that_reloads_without_sending_again(client, app, make, outbox):
    buyer, asked, joined = make.org("buyer"), make.org("supplier"), make.org("supplier")
    make.user(asked)
    login(client, make.user(buyer))
    new_code = credit_code()
    page = _upload(client, _xlsx(_header_and([new_code, "a@example.com"], [asked.credit_code, "b@example.com"],
                                             [joined.credit_code, "c@example.com"])))
    link(buyer, joined)  # between the check and sending: that row is no longer sent
    sent = client.post("/supply-chain/invitations/bulk/apply",
                       data={"buyer_id": buyer.id, "rows": _signed(page.get_data(as_text=True))})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/supply-chain/invitations/bulk/sent")
    assert _count() == 2
    mails = len(outbox())
    for _reload in range(2):
        shown = client.get(sent.headers["Location"])
        assert _figures(shown) == (2, 1)
        text = shown.get_data(as_text=True)
        assert all(code in text for code in (new_code, asked.credit_code, joined.credit_code))
    assert _count() == 2 and len(outbox()) == mails
    # Only the organisation that sent the file sees its result, even with that user's session data.
    other_buyer = make.org("buyer")
    other = app.test_client()
    login(other, make.user(other_buyer))
    assert other.get("/supply-chain/invitations/bulk/sent").status_code == 302
    with client.session_transaction() as theirs:
        batch = dict(theirs["chains_bulk_sent"])
    as_theirs = {**batch, "org": other_buyer.id, "buyer": other_buyer.id, "not_sent": [], "not_sent_count": 0}
    for forged in (batch, as_theirs):
        with other.session_transaction() as mine:
            mine["chains_bulk_sent"] = forged
        shown = other.get("/supply-chain/invitations/bulk/sent")
        assert new_code not in shown.get_data(as_text=True)
    assert _figures(shown) == (0, 0)


def test_sending_is_limited_per_organisation(client, app, make):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    for _ in range(5):
        client.post("/supply-chain/invitations/bulk/apply", data={"buyer_id": buyer.id, "rows": "x"})
    other = app.test_client()
    login(other, make.user(buyer))
    assert other.post("/supply-chain/invitations/bulk/apply",
                      data={"buyer_id": buyer.id, "rows": "x"}).status_code == 429


def test_the_results_workbook_keeps_the_detail_and_odd_row_numbers_are_no_error(client, make):
    login(client, make.user(make.org("buyer")))
    result = client.post("/supply-chain/invitations/bulk/results.xlsx", data={
        "number": ["²", "9" * 5000], "credit_code": ["X", "Y"], "email": ["a@example.com", "b@example.com"],
        "outcome": ["invalid_code", "asked"], "detail": ["17 个字符", "某公司"]})
    assert result.status_code == 200
    sheet = load_workbook(io.BytesIO(result.data)).active
    assert [sheet.cell(row=row, column=5).value for row in (2, 3)] == ["17 个字符", "某公司"]


def test_checking_a_file_reads_the_database_a_fixed_number_of_times(client, make, queries_of):
    buyer = make.org("buyer")
    login(client, make.user(buyer))

    def statements_for(count):
        rows = [[credit_code(), f"r{n}@example.com"] for n in range(count)]
        response, ran = queries_of(client, "/supply-chain/invitations/bulk", method="POST",
                                   data={"file": (io.BytesIO(_xlsx(_header_and(*rows))), "list.xlsx")},
                                   content_type="multipart/form-data")
        assert response.status_code == 200
        return ran

    assert statements_for(30) == statements_for(3)


def _send_file(client, buyer, *rows):
    page = _upload(client, _xlsx(_header_and(*rows))).get_data(as_text=True)
    sent = client.post("/supply-chain/invitations/bulk/apply", data={"buyer_id": buyer.id, "rows": _signed(page)})
    assert sent.status_code == 303
    return client.get(sent.headers["Location"]).get_data(as_text=True)


def _shown_rows(page):
    """(row number, credit code, result text) of every row of the result table."""
    return [(number, code, re.sub(r"\s+", " ", result).strip()) for number, code, result in re.findall(
        r'<td>(\d*)</td><td class="mono">([^<]*)</td><td>[^<]*</td>\s*<td>(.*?)</td>', page, re.S)]


def _expired_invitation(buyer, code):
    invitation = ChainInvitation(buyer_organisation_id=buyer.id, inviting_organisation_id=buyer.id, tier=1,
                                 credit_code=code, email="old@example.com", token_hash=new_token()[1],
                                 created_at=utcnow() - timedelta(days=40), expires_at=utcnow() - timedelta(days=10))
    db.session.add(invitation)
    db.session.commit()
    return invitation


def test_the_result_page_lists_every_row_by_its_number_in_file_order_with_the_company_name(client, make, outbox):
    name = "深圳市已注册电子有限公司"
    buyer, existing, joined = make.org("buyer"), make.org("supplier", name_zh=name), make.org("supplier")
    make.user(existing)
    login(client, make.user(buyer))
    new_code, renewed_code, last_code = credit_code(), credit_code(), credit_code()
    renewed = _expired_invitation(buyer, renewed_code)  # renewed by the file: the oldest id, sent as row 4
    page = _upload(client, _xlsx(_header_and([new_code, "a@example.com"], [existing.credit_code, "b@example.com"],
                                             [renewed_code, "c@example.com"], [joined.credit_code, "d@example.com"],
                                             [last_code, "e@example.com"]))).get_data(as_text=True)
    link(buyer, joined)  # between the check and sending: row 5 is not sent
    sent = client.post("/supply-chain/invitations/bulk/apply", data={"buyer_id": buyer.id, "rows": _signed(page)})
    shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    rows = _shown_rows(shown)
    assert [(number, code) for number, code, _result in rows] == [
        ("2", new_code), ("3", existing.credit_code), ("4", renewed_code), ("5", joined.credit_code), ("6", last_code)]
    assert rows[1][2].endswith(f": {name}") and name not in rows[0][2] + rows[2][2]
    assert db.session.get(ChainInvitation, renewed.id).sent_row == 4
    # The table downloads as .xlsx with the same row numbers.
    fields = {name: re.findall(rf'name="{name}" value="([^"]*)"', shown)
              for name in ("number", "credit_code", "email", "outcome", "detail")}
    workbook = client.post("/supply-chain/invitations/bulk/results.xlsx", data=fields)
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert [[sheet.cell(row=row, column=column).value for column in (1, 2)] for row in range(2, 7)] == [
        [2, new_code], [3, existing.credit_code], [4, renewed_code], [5, joined.credit_code], [6, last_code]]
    assert sheet.cell(row=3, column=5).value == name


def test_two_files_sent_at_the_same_instant_by_one_organisation_each_show_only_their_own_rows(
        client, app, make, outbox, monkeypatch):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    colleague = app.test_client()
    login(colleague, make.user(buyer))
    instant = utcnow()
    monkeypatch.setattr(invitations, "utcnow", lambda: instant)
    mine, theirs = credit_code(), credit_code()
    _send_file(client, buyer, [mine, "mine@example.com"])
    _send_file(colleague, buyer, [theirs, "theirs@example.com"])
    assert [code for _n, code, _r in _shown_rows(client.get("/supply-chain/invitations/bulk/sent").get_data(
        as_text=True))] == [mine]
    assert [code for _n, code, _r in _shown_rows(colleague.get("/supply-chain/invitations/bulk/sent").get_data(
        as_text=True))] == [theirs]


def test_a_row_renewed_by_a_later_file_moves_to_that_files_result_page(client, app, make, outbox):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    colleague = app.test_client()
    login(colleague, make.user(buyer))
    moved, kept = credit_code(), credit_code()
    _send_file(client, buyer, [kept, "kept@example.com"], [moved, "moved@example.com"])
    invitation = db.session.scalars(db.select(ChainInvitation).filter_by(credit_code=moved)).one()
    invitation.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    later = _send_file(colleague, buyer, ["", ""], [moved, "again@example.com"])
    assert [(n, code) for n, code, _r in _shown_rows(later)] == [("3", moved)]
    first = client.get("/supply-chain/invitations/bulk/sent").get_data(as_text=True)
    assert [(n, code) for n, code, _r in _shown_rows(first)] == [("2", kept)]


def test_the_result_page_counts_and_lists_the_rows_the_check_refused(client, make, outbox):
    buyer = make.org("buyer")
    login(client, make.user(buyer))
    good = credit_code()
    shown = _send_file(client, buyer, [good, "a@example.com"], ["bad", "b@example.com"], [good, "c@example.com"])
    assert _figures(client.get("/supply-chain/invitations/bulk/sent")) == (1, 2)
    rows = _shown_rows(shown)
    assert [(number, code) for number, code, _result in rows] == [("2", good), ("3", "BAD"), ("4", good)]
    assert rows[0][2].startswith('<span class="badge badge-ok">已发送邀请</span>')  # not the check's “OK”
    assert "统一社会信用代码无效" in rows[1][2] and "重复" in rows[2][2]
