"""What the technical agency reads: the review page of a resubmission, the change lists, the queue."""

import re

from portal.extensions import db
from portal.reports.models import AnnualReport

WASTEWATER = {"volume": "5000", "volume__unit": "m3", "destination": "municipal"}


def resubmitted(supplier, reviewer, comments, energy=None, wastewater=None):
    """A report returned with `comments` (field path -> text) and submitted again with the changes given."""
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.save(report_id, "energy", {"electricity": "1200000", "electricity__unit": "kWh"})
    supplier.save(report_id, "wastewater", WASTEWATER)
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={
        "decision": "return", "note": "请逐项核对", **{f"comment__{path}": text for path, text in comments.items()}})
    if energy:
        supplier.save(report_id, "energy", energy)
    if wastewater:
        supplier.save(report_id, "wastewater", wastewater)
    supplier.client.post(f"/reports/{report_id}/submit")
    found = db.session.get(AnnualReport, report_id)
    db.session.refresh(found)
    assert [v.number for v in found.versions] == [1, 2] and found.status == "submitted"
    return report_id


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_review_of_a_resubmission_shows_the_comments_of_the_return_beside_each_field(supplier, reviewer):
    report_id = resubmitted(supplier, reviewer, {
        "energy.electricity": "用电量与电费账单不符", "energy": "请附十二个月电费单",
        "energy.diesel": "柴油用量漏填"}, energy={"electricity": "1350000", "electricity__unit": "kWh"})
    page = reviewer.get(f"/reports/{report_id}/review").get_data(as_text=True)
    assert "对第 1 版的意见" in page and "请逐项核对" in page  # the column, and the note of the return
    row = re.search(r"<tr><td>能源 › 用电量</td>.*?</tr>", page, re.S).group(0)
    assert "用电量与电费账单不符" in row and "1,350,000 千瓦时" in row
    assert 'name="comment__energy.electricity" rows="1"></textarea>' in row  # a new comment starts empty
    # A comment on the whole section, and on a field left empty, stay in the section's table.
    energy = page[page.index(">能源</h2>"):page.index(">水资源</h2>")]
    assert "请附十二个月电费单" in energy and "柴油用量漏填" in energy


def test_changes_show_choice_labels_and_each_side_with_its_unit(supplier, reviewer):
    report_id = resubmitted(supplier, reviewer, {"wastewater.destination": "排放去向有误"},
                            energy={"electricity": "1350000", "electricity__unit": "kWh"},
                            wastewater={**WASTEWATER, "destination": "direct"})
    review = text_of(reviewer.get(f"/reports/{report_id}/review").get_data(as_text=True))
    assert "废水 › 排放去向: 市政污水处理厂 → 直接排入水体" in review
    assert "能源 › 用电量: 1,200,000 千瓦时 → 1,350,000 千瓦时" in review
    assert "municipal" not in review
    detail = reviewer.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "<td>1,200,000 千瓦时</td><td>1,350,000 千瓦时</td>" in detail
    assert "<td>市政污水处理厂</td><td>直接排入水体</td>" in detail
    reviewer.post("/language", data={"locale": "en", "next": "/dashboard"})
    english = text_of(reviewer.get(f"/reports/{report_id}/review").get_data(as_text=True))
    assert "Municipal wastewater plant → Direct to a water body" in english
    assert "1,200,000 kWh → 1,350,000 kWh" in english


def test_the_queue_counts_days_only_for_reports_waiting_and_names_filters_it_cannot_read(supplier, reviewer):
    from datetime import timedelta

    from portal.database import utcnow

    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    report = db.session.get(AnnualReport, report_id)
    report.submitted_at = utcnow() - timedelta(days=400)
    db.session.commit()
    waiting = reviewer.get("/review/reports").get_data(as_text=True)
    assert re.search(r"<td>400</td></tr>", waiting)
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    accepted = reviewer.get("/review/reports?status=accepted").get_data(as_text=True)
    assert f"/reports/{report_id}/review" in accepted
    assert "<td>400</td>" not in accepted and "<td>—</td></tr>" in accepted
    for query, value in (("min_days=abc", "abc"), ("status=bogus", "bogus"), ("min_days=%C2%B2", "²"),
                         ("min_days=99999999999", "99999999999")):
        page = reviewer.get(f"/review/reports?{query}")
        assert page.status_code == 200
        assert f"“{value}”" in page.get_data(as_text=True) and "未能识别" in page.get_data(as_text=True)
    assert "未能识别" not in reviewer.get("/review/reports?status=accepted&min_days=3").get_data(as_text=True)


def test_the_excel_heading_shows_only_with_something_under_it(supplier, reviewer):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    assert 'id="excel-heading"' in supplier.client.get(f"/reports/{report_id}").get_data(as_text=True)
    supplier.client.post(f"/reports/{report_id}/submit")
    assert 'id="excel-heading"' not in supplier.client.get(f"/reports/{report_id}").get_data(as_text=True)
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    accepted = supplier.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'id="excel-heading"' in accepted and f"/reports/{report_id}/export.xlsx" in accepted


def test_a_comment_on_a_table_line_is_not_shown_beside_another_line_after_lines_were_removed(app):
    from types import SimpleNamespace

    from portal.reports.services import review_rows

    def hw(*names):
        return {"hazardous_waste": {"lines": [{"code": {"v": code}, "name": {"v": name}} for code, name in names]}}

    returned = hw(("900-041-49", "废包装桶"), ("900-214-08", "废矿物油"))
    comment = SimpleNamespace(text="废矿物油的代码请核对", field_path="hazardous_waste.lines.1.code")
    earlier = {"hazardous_waste.lines.1.code": [comment]}
    with app.test_request_context():
        # Line 1 (the oil) was removed: line 0 is another waste now; the comment goes to the section's own row.
        _rows, beside, unplaced = review_rows(hw(("900-214-08", "废矿物油")), earlier, returned)
        assert beside == {} and unplaced == {"hazardous_waste": [comment]}
        # The same lines as when it was returned: the comment stays beside its line.
        rows, beside, unplaced = review_rows(returned, earlier, returned)
        assert beside == earlier and unplaced == {}
        assert ("hazardous_waste.lines.1.code", ("900-214-08", None)) in rows["hazardous_waste"]
