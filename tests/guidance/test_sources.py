from __future__ import annotations

from pathlib import Path

import pytest
from guidance_files import FIXTURE_CORPUS, write_docx, write_html, write_pdf

from guidance.sources import collect_files, read_source
from guidance.types import IngestError


def test_markdown_front_matter_sections_and_source_notes():
    doc = read_source(FIXTURE_CORPUS / "hazardous-waste.zh.md", "hazardous-waste.zh.md")
    assert (doc.doc_id, doc.lang, doc.effective) == ("hazardous-waste", "zh", "2026-01-01")
    assert doc.title == "危险废物规范化管理指引"
    manifest_keeping = next(s for s in doc.sections if s.path[-1] == "3.2 联单的保存")
    assert manifest_keeping.path == ("3 危险废物转移联单", "3.2 联单的保存")
    assert manifest_keeping.source_note.startswith("依据：《危险废物转移联单管理办法》")
    assert "依据" not in manifest_keeping.text


def test_markdown_without_required_front_matter_names_the_file(tmp_path: Path):
    bad = tmp_path / "broken.zh.md"
    bad.write_text("---\ndoc_id: broken\ntitle: 缺字段\n---\n\n# 缺字段\n\n正文。\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"broken\.zh\.md.*lang, effective"):
        read_source(bad, bad.name)


def test_pdf_sections_keep_page_numbers(tmp_path: Path):
    pdf = write_pdf(
        tmp_path / "noise-rules.en.pdf",
        [
            ["Noise Rules", "1 Scope", "These rules apply to all supplier sites.", "Source: GB 12348-2008"],
            ["2 Night limits", "The night limit is 50 dB at the boundary."],
        ],
        title="Noise Rules",
    )
    doc = read_source(pdf, pdf.name)
    assert (doc.doc_id, doc.lang, doc.title) == ("noise-rules", "en", "Noise Rules")
    by_heading = {s.path[-1]: s for s in doc.sections}
    assert by_heading["1 Scope"].page == 1
    assert by_heading["1 Scope"].source_note == "Source: GB 12348-2008"
    assert by_heading["2 Night limits"].page == 2
    assert "50 dB" in by_heading["2 Night limits"].text


def test_docx_heading_styles_give_sections(tmp_path: Path):
    doc = read_source(write_docx(tmp_path / "wastewater.docx"), "wastewater.docx")
    assert doc.title == "废水排放管理指引" and doc.lang == "zh"
    paths = [s.path for s in doc.sections]
    assert ("1 排放标准",) in paths and ("1 排放标准", "1.1 监测频次") in paths
    monitoring = doc.sections[paths.index(("1 排放标准", "1.1 监测频次"))]
    assert "总铬 | 0.5 mg/L" in monitoring.text
    assert doc.sections[0].source_note.startswith("依据：GB 21900-2008")


def test_html_headings_give_sections_and_scripts_are_ignored(tmp_path: Path):
    doc = read_source(write_html(tmp_path / "noise.html"), "noise.html")
    assert doc.title == "Noise Guideline" and doc.lang == "en"
    paths = [s.path for s in doc.sections]
    assert paths == [("1 Boundary noise",), ("2 Records", "2.1 Keeping records")]
    boundary = doc.sections[0]
    assert "Night limits are lower" in boundary.text and boundary.source_note == "Source: GB 12348-2008"
    assert "secret" not in " ".join(s.text for s in doc.sections)
    assert "Night | 50 dB" in doc.sections[1].text


@pytest.mark.parametrize("name", ["garbage.pdf", "garbage.docx"])
def test_corrupt_binary_files_raise_ingest_error_naming_them(tmp_path: Path, name: str):
    bad = tmp_path / name
    bad.write_bytes(b"this is not really a document")
    with pytest.raises(IngestError) as caught:
        read_source(bad, name)
    assert name in str(caught.value)


def test_directories_are_collected_sorted_without_readme(tmp_path: Path):
    (tmp_path / "b.en.md").write_text("x", encoding="utf-8")
    (tmp_path / "a.zh.md").write_text("x", encoding="utf-8")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert [name for _, name in collect_files([tmp_path])] == ["a.zh.md", "b.en.md"]
