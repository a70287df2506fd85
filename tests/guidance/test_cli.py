from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from guidance_files import FIXTURE_CORPUS, FIXTURES

from guidance.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_index_then_ask_as_json(tmp_path: Path):
    code, out = run(["index", str(FIXTURE_CORPUS), "--out", str(tmp_path / "index")])
    assert code == 0 and "6 documents" in out
    code, out = run(["ask", "危废联单要保存几年？", "--index", str(tmp_path / "index"), "--json"])
    result = json.loads(out)
    assert code == 0 and result["grounded"] and result["citations"][0]["chunk_id"] == "hazardous-waste.zh.4.1"


def test_ask_prints_text_and_numbered_sources(fixture_index: Path):
    code, out = run(["ask", "排污许可证编号有几位？", "--index", str(fixture_index)])
    assert code == 0 and "[1] 排污许可证与执行报告指引 › 2 许可证编号" in out and "依据：" in out


def test_ask_jsonl_answers_each_line(fixture_index: Path):
    lines = "\n".join(
        json.dumps({"id": i, "question": q}, ensure_ascii=False)
        for i, q in (("a", "危废联单要保存几年？"), ("b", "How do I renew my passport?"), ("c", ""))
    )
    code, out = run(["ask", "--jsonl", "--index", str(fixture_index)], stdin=lines)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["grounded"] and rows[0]["citations"]
    assert rows[1]["grounded"] is False and rows[1]["citations"] == []
    assert "error" in rows[2] and code == 1


def test_eval_reports_metrics_and_fails_below_thresholds(fixture_index: Path):
    eval_file = str(FIXTURES / "eval.jsonl")
    code, out = run(["eval", eval_file, "--index", str(fixture_index), "--json"])
    report = json.loads(out)
    assert code == 0 and report["recall_at_3"] >= 0.9 and report["refusal_accuracy"] == 1.0
    code, _ = run(["eval", eval_file, "--index", str(fixture_index), "--min-mrr", "1.01"])
    assert code == 1


def test_bad_index_directory_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, _ = run(["ask", "问题", "--index", str(tmp_path / "missing")])
    assert code == 2 and "no guidance index" in capsys.readouterr().err


def test_module_runs_as_a_program_with_the_bundled_corpus_by_default(tmp_path: Path):
    corpus = ROOT / "guidance" / "corpus"
    if not any(corpus.glob("*.md")) or not [p for p in corpus.glob("*.md") if p.name != "README.md"]:
        pytest.skip("the bundled corpus has no documents yet")
    env = {"GUIDANCE_INDEX_DIR": str(tmp_path / "bundled"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "guidance", "ask", "排污许可证的有效期是几年？", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "citations" in json.loads(result.stdout)
    assert (tmp_path / "bundled" / "manifest.json").is_file()


def test_default_index_directory_is_keyed_by_the_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from guidance.cli import default_index_dir

    monkeypatch.delenv("GUIDANCE_INDEX_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = default_index_dir()
    assert directory.parent == tmp_path / "greenchain-guidance" and len(directory.name) == 16
    monkeypatch.setenv("GUIDANCE_INDEX_DIR", str(tmp_path / "pinned"))
    assert default_index_dir() == tmp_path / "pinned"


def test_settings_read_the_environment():
    from guidance import Settings

    settings = Settings.from_env({"GUIDANCE_LLM_BASE_URL": "http://llm/v1", "GUIDANCE_LLM_MODEL": "m",
                                  "GUIDANCE_LLM_API_KEY": "k", "GUIDANCE_LLM_TIMEOUT": "3.5"})
    assert (settings.llm_base_url, settings.llm_model, settings.llm_timeout) == ("http://llm/v1", "m", 3.5)
    assert "llm_api_key" not in repr(settings)  # keys never end up in logs
    assert Settings.from_env({}).llm_base_url is None
