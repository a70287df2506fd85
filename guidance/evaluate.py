"""Measuring the assistant on question sets: Recall@k, MRR and refusal accuracy.

Question files are JSON lines {"id", "question", "lang", "answerable", "expected_terms"}. A passage is
relevant when it contains every expected term (case-insensitive; its section heading and source note count).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from guidance.assistant import Assistant
from guidance.tokenizer import normalise
from guidance.types import Citation

MRR_DEPTH = 10


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    lang: str
    answerable: bool
    expected_terms: list[str]
    source: str = ""  # file it came from


@dataclass
class EvalReport:
    k: int
    answerable: int = 0
    unanswerable: int = 0
    recall_at_k: float = 0.0
    mrr: float = 0.0
    refusal_accuracy: float = 0.0
    false_refusals: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)  # what went wrong, for tuning

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data[f"recall_at_{self.k}"] = data.pop("recall_at_k")
        return data


def read_questions(paths: Iterable[Path | str]) -> list[EvalQuestion]:
    questions = []
    for path in paths:
        path = Path(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                questions.append(
                    EvalQuestion(
                        id=str(row["id"]),
                        question=row["question"],
                        lang=row.get("lang") or "",
                        answerable=bool(row["answerable"]),
                        expected_terms=list(row.get("expected_terms") or []),
                        source=path.name,
                    )
                )
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{number}: not a valid question line ({err})") from err
    return questions


def is_relevant(citation: Citation, expected_terms: list[str]) -> bool:
    haystack = normalise(
        "\n".join([citation.text, citation.source_note, citation.section, *citation.section_path])
    ).lower()
    return bool(expected_terms) and all(normalise(term).lower() in haystack for term in expected_terms)


def evaluate(assistant: Assistant, questions: list[EvalQuestion], k: int = 3) -> EvalReport:
    report = EvalReport(k=k)
    recall_hits = 0
    reciprocal_ranks = 0.0
    correct_refusals = 0
    for q in questions:
        answer = assistant.ask(q.question, k=assistant.settings.answer_passages)
        if not q.answerable:
            report.unanswerable += 1
            if not answer.grounded:
                correct_refusals += 1
            else:
                report.misses.append({"id": q.id, "problem": "answered", "support": answer.support})
            continue
        report.answerable += 1
        # The retriever's own ranking (the one GuidelineRetriever returns), ten deep for MRR.
        searcher = assistant.searcher
        ranked = [hit.passage.citation(hit.score) for hit in searcher.search(searcher.analyse(q.question), MRR_DEPTH)]
        rank = next((i for i, c in enumerate(ranked, start=1) if is_relevant(c, q.expected_terms)), None)
        if rank is not None and rank <= k:
            recall_hits += 1
        reciprocal_ranks += 1.0 / rank if rank else 0.0
        if not answer.grounded:
            report.false_refusals += 1
        if rank is None or rank > k or not answer.grounded:
            report.misses.append(
                {"id": q.id, "problem": "refused" if not answer.grounded else "rank", "rank": rank,
                 "support": answer.support, "top": [c.chunk_id for c in ranked[:3]]}
            )
    if report.answerable:
        report.recall_at_k = round(recall_hits / report.answerable, 4)
        report.mrr = round(reciprocal_ranks / report.answerable, 4)
    if report.unanswerable:
        report.refusal_accuracy = round(correct_refusals / report.unanswerable, 4)
    return report
