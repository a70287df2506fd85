import re

from portal.extensions import db
from portal.reports.models import AnnualReport, ReviewComment
from tests.conftest import login


def report(report_id):
    found = db.session.get(AnnualReport, report_id)
    db.session.refresh(found)
    return found


def test_a_draft_keeps_what_was_typed_even_when_it_does_not_validate(supplier):
    report_id = supplier.new_report()
    supplier.save(report_id, "energy", {"electricity": "约10万", "electricity__unit": "MWh"})
    page = supplier.client.get(f"/reports/{report_id}/sections/energy").get_data(as_text=True)
    assert 'value="约10万"' in page and 'id="electricity-issues"' in page
    assert '<option value="MWh" selected>' in page


def test_submission_is_blocked_until_errors_are_fixed_and_warnings_explained(supplier, outbox):
    report_id = supplier.new_report()
    supplier.client.post(f"/reports/{report_id}/submit")
    assert report(report_id).status == "draft"
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    assert report(report_id).status == "submitted"
    assert report(report_id).versions[0].number == 1


def test_the_full_review_cycle_with_comments_beside_fields_and_versions(supplier, reviewer, outbox):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")

    queue = reviewer.get("/review/reports").get_data(as_text=True)
    assert f"/reports/{report_id}/review" in queue
    returned = reviewer.post(f"/reports/{report_id}/decision", data={
        "decision": "return", "note": "请核对用电量", "comment__energy.electricity": "与电费单不一致"})
    assert returned.status_code == 302 and report(report_id).status == "returned"
    # The submission reached the agency's reviewer; the return, the supplier's admin.
    assert [m[0] for m in outbox()] == ["reviewer-admin@example.com", supplier.admin.email]

    page = supplier.client.get(f"/reports/{report_id}/sections/energy").get_data(as_text=True)
    assert "与电费单不一致" in page
    supplier.save(report_id, "energy", {"electricity": "1,204,500", "electricity__unit": "kWh"})
    supplier.client.post(f"/reports/{report_id}/submit")
    assert [v.number for v in report(report_id).versions] == [1, 2]

    review_page = reviewer.get(f"/reports/{report_id}/review").get_data(as_text=True)
    assert "1,234,500" in review_page and "1,204,500" in review_page  # what changed since version 1
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    assert report(report_id).status == "accepted"
    locked = supplier.save(report_id, "energy", {"electricity": "1", "electricity__unit": "kWh"})
    assert locked.status_code == 409
    assert report(report_id).data["energy"]["electricity"]["v"] == "1,204,500"


def test_returning_needs_a_comment_or_a_note(supplier, reviewer):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "return"})
    assert report(report_id).status == "submitted"
    assert db.session.scalar(db.select(db.func.count()).select_from(ReviewComment)) == 0


def test_a_correction_of_an_accepted_report_gives_a_new_version_with_its_reason(supplier, reviewer):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    reviewer.post(f"/reports/{report_id}/decision", data={"decision": "accept"})
    supplier.client.post(f"/reports/{report_id}/correct", data={"reason": ""})
    assert report(report_id).status == "accepted"
    supplier.client.post(f"/reports/{report_id}/correct", data={"reason": "电费单漏计12月"})
    assert report(report_id).status == "draft"
    supplier.client.post(f"/reports/{report_id}/submit")
    latest = report(report_id).versions[-1]
    assert (latest.number, latest.correction_reason) == (2, "电费单漏计12月")


def test_the_agency_never_sees_drafts_and_other_suppliers_see_nothing(app, make, supplier, reviewer):
    report_id = supplier.new_report()
    assert reviewer.get(f"/reports/{report_id}").status_code == 404
    other = app.test_client()
    login(other, make.user(make.org("supplier")))
    assert other.get(f"/reports/{report_id}").status_code == 404
    supplier.fill_minimum(report_id)
    supplier.client.post(f"/reports/{report_id}/submit")
    assert reviewer.get(f"/reports/{report_id}").status_code == 200
    assert other.get(f"/reports/{report_id}/sections/energy").status_code == 404


def test_a_stale_save_is_refused_and_the_typed_values_stay_in_the_form(app, make, supplier):
    report_id = supplier.new_report()
    colleague = app.test_client()
    login(colleague, make.user(supplier.org, role="staff"))
    stale = report(report_id).version_id
    supplier.save(report_id, "energy", {"electricity": "111", "electricity__unit": "kWh"})
    response = colleague.post(f"/reports/{report_id}/sections/energy",
                              data={"electricity": "222", "electricity__unit": "kWh", "version": stale})
    assert response.status_code == 409
    assert 'value="222"' in response.get_data(as_text=True)
    assert report(report_id).data["energy"]["electricity"]["v"] == "111"


def test_autosave_answers_json_with_the_new_version(supplier):
    report_id = supplier.new_report()
    version = report(report_id).version_id
    response = supplier.client.post(f"/reports/{report_id}/sections/energy",
                                    data={"electricity": "5", "electricity__unit": "kWh", "version": version},
                                    headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["version"] == version + 1
    # Written as the page writes the time it was saved ("2026年12月6日 10:07"), not a second, shorter form.
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", response.get_json()["saved_at"])


def test_starting_from_last_year_copies_values_and_carries_storage_forward(supplier):
    last = supplier.new_report(2023)
    supplier.save(last, "hazardous_waste", {"lines-0-code": "900-041-49", "lines-0-name": "废包装桶",
                                            "lines-0-stored_end": "2.5", "lines-0-stored_end__unit": "t"})
    supplier.save(last, "energy", {"electricity": "900000", "electricity__unit": "kWh"})
    this_year = supplier.new_report(2024, from_last_year="y")
    data = report(this_year).data
    assert data["energy"]["electricity"]["v"] == "900000"
    assert data["hazardous_waste"]["lines"][0]["stored_start"] == {"v": "2.5", "u": "t"}
    assert report(this_year).copied_from_id == last


def test_the_derived_emissions_show_their_formula_and_factor(supplier):
    report_id = supplier.new_report(2022)
    supplier.fill_minimum(report_id)
    page = supplier.client.get(f"/reports/{report_id}").get_data(as_text=True)
    # 1,234,500 kWh = 1,234.5 MWh × 0.5366 tCO2/MWh (2022 national average) = 662.433 tCO2, in the reader's units
    assert "1,234,500 千瓦时 = 1,234.5 兆瓦时; 1,234.5 兆瓦时 × 0.5366 tCO₂/兆瓦时 = 662.433 tCO₂" in page
    supplier.save(report_id, "energy", {"electricity": "1,234,500", "electricity__unit": "kWh",
                                        "electricity_renewable": "34.5", "electricity_renewable__unit": "MWh"})
    page = supplier.client.get(f"/reports/{report_id}").get_data(as_text=True)
    # (1,234.5 − 34.5) MWh × 0.5366 = 643.92 tCO2
    assert ("1,234,500 千瓦时 − 34.5 兆瓦时 （可再生） = 1,200 兆瓦时; "
            "1,200 兆瓦时 × 0.5366 tCO₂/兆瓦时 = 643.92 tCO₂") in page


def test_the_queue_filters_by_district_and_days_waiting(app, make, reviewer):
    from datetime import timedelta

    from portal.database import utcnow
    from tests.portal.reports.conftest import Supplier

    bao_an, futian = Supplier(app, make, district="440306"), Supplier(app, make, district="440304")
    ids = []
    for supplier in (bao_an, futian):
        report_id = supplier.new_report()
        supplier.fill_minimum(report_id)
        supplier.client.post(f"/reports/{report_id}/submit")
        ids.append(report_id)
    old = report(ids[0])
    old.submitted_at = utcnow() - timedelta(days=10)
    db.session.commit()
    only_futian = reviewer.get("/review/reports?district=440304").get_data(as_text=True)
    assert f"/reports/{ids[1]}/review" in only_futian and f"/reports/{ids[0]}/review" not in only_futian
    waiting = reviewer.get("/review/reports?min_days=7").get_data(as_text=True)
    assert re.search(rf"/reports/{ids[0]}/review", waiting) and f"/reports/{ids[1]}/review" not in waiting


def test_a_number_beyond_any_factory_is_an_error_beside_the_field_and_every_page_still_opens(supplier):
    report_id = supplier.new_report()
    supplier.fill_minimum(report_id)
    for typed in ("1e999", "100000000000000000000000000", "-1e15"):
        supplier.save(report_id, "energy", {"electricity": "1,234,500", "electricity__unit": "kWh",
                                            "diesel": typed, "diesel__unit": "t"})
        section = supplier.client.get(f"/reports/{report_id}/sections/energy").get_data(as_text=True)
        assert f'value="{typed}"' in section and "10¹⁵" in section  # kept as typed, the error beside it
        assert supplier.client.get(f"/reports/{report_id}").status_code == 200


def test_a_report_for_a_year_that_has_not_begun_is_refused_beside_the_year(supplier):
    from portal.local_time import today

    refused = supplier.client.post("/reports", data={"site_id": supplier.site.id, "year": today().year + 1})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"请填写 {today().year} 年或更早的年份" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(AnnualReport)) == 0


def test_a_field_with_only_a_warning_is_not_drawn_as_valid(supplier):
    report_id = supplier.new_report()
    supplier.save(report_id, "hazardous_waste", {"lines-0-code": "900-041-49", "lines-0-name": "废包装桶"})
    page = supplier.client.get(f"/reports/{report_id}/sections/hazardous_waste").get_data(as_text=True)
    code_input = re.search(r'<input[^>]*name="lines-0-code"[^>]*>', page).group(0)
    assert 'aria-invalid="false"' not in code_input  # Pico draws that with a green tick; a warning is no tick
    assert 'aria-describedby=' in code_input  # the warning itself is read with the field
