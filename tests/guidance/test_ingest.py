from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from guidance_files import FIXTURE_CORPUS, write_docx, write_html, write_pdf

import guidance
from guidance.config import Settings
from guidance.ingest import split_document
from guidance.sources import read_source


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_building_twice_gives_byte_identical_files(tmp_path: Path):
    first = guidance.build_index([FIXTURE_CORPUS], tmp_path / "one")
    second = guidance.build_index([FIXTURE_CORPUS], tmp_path / "two")
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert first.corpus_hash == second.corpus_hash and first.build_key == second.build_key
    assert "manifest.json" in _files(tmp_path / "one")


def test_rebuilding_in_place_keeps_the_same_bytes(tmp_path: Path):
    guidance.build_index([FIXTURE_CORPUS], tmp_path / "index")
    before = _files(tmp_path / "index")
    guidance.build_index([FIXTURE_CORPUS], tmp_path / "index")
    assert _files(tmp_path / "index") == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["index"]


def test_corrupt_file_raises_naming_it_and_the_old_index_keeps_serving(tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    index_dir = tmp_path / "index"
    guidance.build_index([corpus], index_dir)
    before = _files(index_dir)
    (corpus / "zz-broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(guidance.IngestError, match=r"zz-broken\.pdf"):
        guidance.build_index([corpus], index_dir)
    assert _files(index_dir) == before
    answer = guidance.load(index_dir).ask("危废联单要保存几年？")
    assert answer.grounded and answer.citations
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index.new")] == []


def test_progress_is_reported_up_to_the_total(tmp_path: Path):
    calls: list[tuple[int, int, str]] = []
    guidance.build_index([FIXTURE_CORPUS], tmp_path / "index", progress=lambda *c: calls.append(c))
    assert calls[-1][0] == calls[-1][1] and calls[-1][2] == "done"
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert any("hazardous-waste.zh.md" in c[2] for c in calls)


def test_duplicate_document_ids_are_rejected(tmp_path: Path):
    shutil.copy(FIXTURE_CORPUS / "carbon.zh.md", tmp_path / "carbon.zh.md")
    shutil.copy(FIXTURE_CORPUS / "carbon.zh.md", tmp_path / "carbon-copy.zh.md")
    with pytest.raises(guidance.IngestError, match=r"carbon(-copy)?\.zh\.md"):
        guidance.build_index([tmp_path], tmp_path / "index")


def test_missing_path_raises_ingest_error(tmp_path: Path):
    with pytest.raises(guidance.IngestError, match="nowhere"):
        guidance.build_index([tmp_path / "nowhere"], tmp_path / "index")


def test_mixed_formats_are_indexed_and_cited_with_pages(tmp_path: Path):
    sources = tmp_path / "sources"
    sources.mkdir()
    write_pdf(sources / "forklifts.en.pdf", [["Forklift Exhaust", "1 Limits", "Diesel forklifts need a soot filter."]])
    write_docx(sources / "wastewater.docx")
    write_html(sources / "noise.html")
    stats = guidance.build_index([sources], tmp_path / "index")
    assert stats.documents == 3
    assistant = guidance.load(tmp_path / "index")
    answer = assistant.ask("Do diesel forklifts need a soot filter?")
    assert answer.grounded
    assert answer.citations[0].doc_id == "forklifts" and answer.citations[0].page == 1
    assert {d.doc_id for d in assistant.documents()} == {"forklifts", "wastewater", "noise"}


def test_long_sections_become_several_chunks_that_end_at_sentence_ends(tmp_path: Path):
    sentence = "供应商应当按照排污许可证的要求开展自行监测并保存原始记录。"
    body = "".join(f"第{i}条，{sentence}" for i in range(40))
    doc_path = tmp_path / "long.zh.md"
    front = "---\ndoc_id: long\ntitle: 长文\nlang: zh\neffective: 2026-01-01\n---\n\n# 长文\n\n"
    doc_path.write_text(f"{front}## 1 监测\n\n{body}\n\n依据：测试\n", encoding="utf-8")
    passages = split_document(read_source(doc_path, doc_path.name), Settings(chunk_size=200))
    assert len(passages) > 3
    assert {p.section for p in passages} == {"1 监测"}
    assert all(p.text.endswith("。") for p in passages)
    assert all(p.source_note == "依据：测试" for p in passages)
    assert "".join(p.text for p in passages) == body
    assert len({p.chunk_id for p in passages}) == len(passages)


def test_index_built_with_other_tokeniser_resources_must_be_rebuilt(tmp_path: Path):
    import json

    guidance.build_index([FIXTURE_CORPUS], tmp_path / "index")
    manifest_path = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["resources_hash"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(guidance.IndexNotFoundError, match="rebuild"):
        guidance.load(tmp_path / "index")


def test_build_key_follows_the_corpus_content(tmp_path: Path):
    from guidance.ingest import build_key_for

    shutil.copytree(FIXTURE_CORPUS, tmp_path / "corpus")
    before = build_key_for([tmp_path / "corpus"])
    assert build_key_for([tmp_path / "corpus"]) == before
    note = tmp_path / "corpus" / "carbon.zh.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    assert build_key_for([tmp_path / "corpus"]) != before


def test_index_files_from_two_builds_are_not_mixed(tmp_path: Path):
    import json

    guidance.build_index([FIXTURE_CORPUS], tmp_path / "index")
    manifest_path = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["counts"]["passages"] += 1  # as if the manifest came from another build than the passages
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(guidance.IndexNotFoundError):
        guidance.load(tmp_path / "index")
