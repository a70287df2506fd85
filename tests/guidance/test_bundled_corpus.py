"""The bundled corpus must meet the project's retrieval and refusal targets on every question file."""

from __future__ import annotations

from pathlib import Path

import pytest

import guidance
from guidance.config import BUNDLED_CORPUS_DIR
from guidance.evaluate import evaluate, read_questions

EVAL_DIR = Path(__file__).parent / "eval"
TARGETS = {"recall_at_3": 0.95, "mrr": 0.85, "refusal_accuracy": 0.9}


def test_bundled_corpus_meets_eval_targets(tmp_path: Path):
    documents = [p for p in BUNDLED_CORPUS_DIR.glob("*.md") if p.name != "README.md"]
    question_files = sorted(EVAL_DIR.glob("*.jsonl"))
    if not documents:
        pytest.skip("guidance/corpus/ has no documents yet")
    if not question_files:
        pytest.skip("tests/guidance/eval/ has no question files yet")
    guidance.build_index([BUNDLED_CORPUS_DIR], tmp_path / "index")
    report = evaluate(guidance.load(tmp_path / "index"), read_questions(question_files), k=3)
    measured = report.as_dict()
    summary = {name: measured[name] for name in TARGETS} | {"false_refusals": report.false_refusals}
    assert all(measured[name] >= target for name, target in TARGETS.items()), (summary, report.misses)
