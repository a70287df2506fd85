"""A supplier asks the assistant, follows a citation into the guideline; an admin rebuilds the index."""


from langchain_core.language_models.fake_chat_models import FakeListChatModel
from playwright.sync_api import expect

from portal.assistant import engine
from tests.browser.test_smoke import sign_in


def test_supplier_asks_and_follows_a_citation_to_the_highlighted_passage(page, live_server, demo, axe, shot):
    sign_in(page, live_server, "supplier@demo.local", demo)
    page.get_by_role("link", name="指引助手").click()
    assert axe(page) == []
    page.get_by_label("您的问题").fill("电镀污泥该交给什么单位处理")
    page.get_by_role("button", name="提问", exact=True).click()
    answer = page.locator(".message .answer").last
    expect(answer).to_contain_text("HW17")
    shot(page, "assistant-answer")
    assert axe(page) == []
    page.locator(".citations a").first.click()
    cited = page.locator(".passage.highlighted")
    expect(cited).to_contain_text("HW17")
    cited.screenshot(path=str(shot.folder / "guideline-reader-cited.png"))
    assert axe(page) == []
    shot(page, "guideline-reader")


def test_answer_streams_into_the_page_when_a_chat_model_is_configured(page, app, live_server, demo, shot):
    app.config["GUIDANCE_CHAT_MODEL"] = FakeListChatModel(
        responses=["排污许可证的有效期为5年，应在到期前60日提出延续申请。[1]"], sleep=0.02)
    engine.forget()
    try:
        sign_in(page, live_server, "supplier@demo.local", demo)
        page.goto(f"{live_server}/assistant")
        page.get_by_label("您的问题").fill("排污许可证有效期多久")
        page.get_by_role("button", name="提问", exact=True).click()
        expect(page.locator("#live-answer")).to_contain_text("有效期")
        expect(page.locator(".message .answer").last).to_contain_text("语言模型")
        shot(page, "assistant-streamed")
    finally:
        app.config.pop("GUIDANCE_CHAT_MODEL", None)
        engine.forget()


def test_admin_uploads_a_document_and_watches_the_rebuild(page, app, live_server, demo, axe, shot, tmp_path):
    import guidance

    sign_in(page, live_server, "admin@demo.local", demo)
    page.goto(f"{live_server}/admin/guidelines")
    assert axe(page) == []
    doc = tmp_path / "pilot-note.zh.md"
    doc.write_text("---\ndoc_id: pilot-note\ntitle: 试点说明\nlang: zh\neffective: 2026-11-01\n---\n\n"
                   "# 试点说明\n\n## 1 范围\n\n试点说明适用于演示供应商，编号 PN-2026-3。\n\n依据：本平台试点说明\n",
                   encoding="utf-8")
    page.locator("#file").set_input_files(str(doc))
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("文档已上传")
    try:
        page.get_by_role("button", name="立即重建索引").click()
        expect(page.get_by_role("progressbar")).to_be_visible()
        expect(page.locator("#build-status")).to_contain_text("已完成", timeout=20000)
        assert axe(page) == []
        shot(page, "index-rebuilt")
    finally:
        guidance.build_index([guidance.config.BUNDLED_CORPUS_DIR], app.config["GUIDANCE_INDEX_DIR"])
