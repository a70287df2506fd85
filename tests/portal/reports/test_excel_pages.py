import io
import re

from openpyxl import load_workbook

from portal.extensions import db
from portal.reports.models import AnnualReport


def report(report_id):
    found = db.session.get(AnnualReport, report_id)
    db.session.refresh(found)
    return found


def fill_energy(template: bytes, kwh) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["energy"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "electricity")
    row[2].value = kwh
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(supplier, report_id, content, name="年报.xlsx"):
    response = supplier.client.post(f"/reports/{report_id}/import", data={"file": (io.BytesIO(content), name)},
                                    content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def test_download_fill_upload_preview_and_import(supplier):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    template = supplier.client.get(f"/reports/{report_id}/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    preview_url = upload(supplier, report_id, fill_energy(template.data, 987654))
    preview = supplier.client.get(preview_url).get_data(as_text=True)
    # before and after, each grouped and with its unit
    assert "<td>1,234,500 千瓦时</td><td>987,654 千瓦时</td>" in preview
    assert report(report_id).data["energy"]["electricity"]["v"] == "1,234,500"  # nothing changed yet
    supplier.client.post(preview_url)
    assert report(report_id).data["energy"]["electricity"]["v"] == "987654"


def test_a_file_with_problems_is_listed_by_sheet_row_and_column_and_changes_nothing(supplier):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    template = supplier.client.get(f"/reports/{report_id}/template.xlsx").data
    preview_url = upload(supplier, report_id, fill_energy(template, "=SUM(C2:C3)"))
    preview = supplier.client.get(preview_url).get_data(as_text=True)
    assert "form-errors" in preview and re.search(r">energy<.*?>\d+<.*?>C<", preview, re.S)
    assert "导入草稿" not in preview
    supplier.client.post(preview_url)
    assert report(report_id).data["energy"]["electricity"]["v"] == "1,234,500"


def test_a_corrupted_upload_gets_a_clear_message(supplier):
    report_id = supplier.new_report()
    preview_url = upload(supplier, report_id, b"PK\x03\x04 this is not a workbook")
    preview = supplier.client.get(preview_url).get_data(as_text=True)
    assert "form-errors" in preview


def test_an_import_over_later_edits_asks_for_a_fresh_upload(supplier):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    template = supplier.client.get(f"/reports/{report_id}/template.xlsx").data
    preview_url = upload(supplier, report_id, fill_energy(template, 5))
    supplier.save(report_id, "energy", {"electricity": "42", "electricity__unit": "kWh"})
    supplier.client.post(preview_url)
    assert report(report_id).data["energy"]["electricity"]["v"] == "42"


def test_an_accepted_report_exports_with_formula_looking_text_neutralised(supplier, reviewer):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.save(report_id, "production", {"output_value": "1200", "output_value__unit": "10k_yuan",
                                            "staff": "80", "staff__unit": "person", "operating_days": "300",
                                            "operating_days__unit": "day", "main_products": "=HYPERLINK(\"x\")"})
    assert supplier.client.get(f"/reports/{report_id}/export.xlsx").status_code == 404  # not accepted yet
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    for client in (supplier.client, reviewer):
        exported = client.get(f"/reports/{report_id}/export.xlsx")
        assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data))["production"]
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"x\")" in cells and not any(c.startswith("=") for c in cells)


def changes_section(preview: str) -> str:
    start = preview.find('id="changes-heading"')
    return preview[start:preview.index("</section>", start)] if start >= 0 else ""


def test_a_cell_with_a_problem_is_not_listed_as_cleared_in_the_preview(supplier):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    template = supplier.client.get(f"/reports/{report_id}/template.xlsx").data
    preview = supplier.client.get(upload(supplier, report_id, fill_energy(template, "两百万"))).get_data(as_text=True)
    assert re.search(r">energy<.*?>\d+<.*?>C<", preview, re.S)  # the problem, where it is
    assert "用电量" not in changes_section(preview)  # not "1,234,500 千瓦时 → —": the cell is not imported


def test_a_file_that_cannot_be_read_does_not_claim_to_match_the_draft(supplier):
    report_id = supplier.new_report()
    preview = supplier.client.get(upload(supplier, report_id, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
                                         name="模板.pdf")).get_data(as_text=True)
    assert "不是 Excel 工作簿" in preview
    assert "文件中的数值与草稿相同" not in preview and not changes_section(preview)


def test_the_export_says_when_the_report_was_accepted_to_the_minute(supplier, reviewer):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    title = load_workbook(io.BytesIO(supplier.client.get(f"/reports/{report_id}/export.xlsx").data)).worksheets[0]
    accepted = next(row[1].value for row in title.iter_rows() if row[0].value == "已通过")
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", accepted), accepted
