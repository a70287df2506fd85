"""Retrieval speed: our query path vs bare bm25s vs rank_bm25, on the bundled corpus and synthetic corpora.

Run: python tests/bench/bench_retrieval.py   (prints one JSON object; not collected by pytest)
Targets: p95 <= 5 ms on the bundled corpus, <= 20 ms at 100,000 chunks, >= 10x faster than rank_bm25 at 100k.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import guidance  # noqa: E402
from guidance.config import BUNDLED_CORPUS_DIR, Settings  # noqa: E402
from guidance.evaluate import read_questions  # noqa: E402
from guidance.retrieval import GuidelineRetriever, Searcher, search_tokens  # noqa: E402
from guidance.store import Passage, StoredIndex, load_index, write_index  # noqa: E402
from guidance.tokenizer import get_analyser  # noqa: E402

SEED = 20261125
RANK_BM25_QUERIES_AT_100K = 20


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 3), "p95_ms": round(p95, 3), "queries": len(ordered)}


def timed(fn: Callable[[Any], Any], queries: list[Any], repeat: int = 3) -> dict[str, float]:
    for query in queries[:5]:
        fn(query)  # warm caches (jieba, numpy) so the first query does not count its set-up
    samples = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            fn(query)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def bench_index(store: StoredIndex, questions: list[str], rank_bm25_tokens: list[list[str]] | None,
                rank_bm25_queries: int | None) -> dict[str, Any]:
    analyser = get_analyser()
    searcher = Searcher(store, analyser, Settings())
    result: dict[str, Any] = {}
    result["ours_query"] = timed(lambda q: searcher.search(searcher.analyse(q), 10), questions)
    retriever = GuidelineRetriever(searcher=searcher, k=10)
    result["ours_langchain_invoke"] = timed(retriever.invoke, questions)
    query_tokens = [search_tokens(analyser.analyse(q), store.knows) for q in questions]
    known = [[t for t in tokens if t in store.bm25.vocab_dict] or ["≈危险废物"] for tokens in query_tokens]
    result["bm25s_query"] = timed(
        lambda tokens: store.bm25.retrieve([tokens], k=10, show_progress=False, n_threads=1), known
    )
    if rank_bm25_tokens is not None:
        started = time.perf_counter()
        okapi = BM25Okapi(rank_bm25_tokens)
        result["rank_bm25_build_s"] = round(time.perf_counter() - started, 3)
        limited = known[:rank_bm25_queries] if rank_bm25_queries else known
        result["rank_bm25_query"] = timed(lambda tokens: np.argsort(-okapi.get_scores(tokens))[:10], limited, 1)
        result["speedup_vs_rank_bm25_p50"] = round(
            result["rank_bm25_query"]["p50_ms"] / max(result["ours_query"]["p50_ms"], 1e-6), 1
        )
    return result


def document_terms(bm25: bm25s.BM25, n_docs: int) -> list[list[str]]:
    """Each indexed passage's terms, read back from a saved term matrix (no re-tokenising)."""
    inverse = {i: t for t, i in bm25.vocab_dict.items()}
    scores = bm25.scores
    terms: list[list[str]] = [[] for _ in range(n_docs)]
    for term in range(len(scores["indptr"]) - 1):
        for doc in scores["indices"][scores["indptr"][term] : scores["indptr"][term + 1]]:
            terms[int(doc)].append(inverse[term])
    return terms


def sample(vocabulary: Counter[str], lengths: list[int], n: int, seed: int) -> list[list[str]]:
    """n documents drawn from a vocabulary with its own term frequencies and document lengths."""
    rng = random.Random(seed)
    words = sorted(vocabulary)
    weights = [vocabulary[w] for w in words]
    return [rng.choices(words, weights, k=lengths[i % len(lengths)]) for i in range(n)]


def synthetic(store: StoredIndex, n: int, directory: Path) -> tuple[float, list[list[str]]]:
    """n chunks generated deterministically from the bundled corpus's word and character-pair statistics."""
    words = document_terms(store.bm25, len(store.passages))
    pairs = document_terms(store.bigram_bm25, len(store.passages))
    chunks = sample(Counter(t for doc in words for t in doc), [len(d) for d in words], n, SEED)
    bigrams = sample(Counter(t for doc in pairs for t in doc), [len(d) for d in pairs], n, SEED + 1)
    passages = [
        Passage(f"synthetic.zh.{i}.1", "synthetic", "合成文档", "zh", None, f"{i} 节", [f"{i} 节"],
                "".join(tokens[:40]), "", None, "synthetic.md")
        for i, tokens in enumerate(chunks)
    ]
    started = time.perf_counter()
    manifest = {**store.manifest, "counts": {"documents": 1, "sections": n, "passages": n}}
    write_index(directory, passages, chunks, bigrams, manifest, k1=Settings().bm25_k1, b=Settings().bm25_b)
    return time.perf_counter() - started, chunks


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="guidance-bench-"))
    question_files = sorted((ROOT / "tests" / "guidance" / "eval").glob("*.jsonl"))
    questions = [q.question for q in read_questions(question_files)] or ["危险废物转移联单要保存多久？"]
    get_analyser()  # jieba start-up is a one-off cost, not part of building or querying

    report: dict[str, Any] = {"questions": len(questions)}
    started = time.perf_counter()
    stats = guidance.build_index([BUNDLED_CORPUS_DIR], work / "bundled")
    bundled: dict[str, Any] = {"chunks": stats.chunks, "build_s": round(time.perf_counter() - started, 3)}
    started = time.perf_counter()
    store = load_index(work / "bundled")
    bundled["load_s"] = round(time.perf_counter() - started, 4)
    bundled.update(bench_index(store, questions, document_terms(store.bm25, len(store.passages)), None))
    # The whole answer path (retrieval, support check, sentence selection), for the portal's latency budget.
    assistant = guidance.Assistant(store)
    bundled["ours_ask_extractive"] = timed(assistant.ask, questions)
    report["bundled"] = bundled

    for n in (10_000, 100_000):
        directory = work / f"synthetic-{n}"
        directory.mkdir()
        build_s, chunks = synthetic(store, n, directory)
        entry: dict[str, Any] = {"chunks": n, "build_s": round(build_s, 3)}
        started = time.perf_counter()
        loaded = load_index(directory)
        entry["load_s"] = round(time.perf_counter() - started, 3)
        limit = RANK_BM25_QUERIES_AT_100K if n >= 100_000 else None
        entry.update(bench_index(loaded, questions, chunks, limit))
        report[f"synthetic_{n}"] = entry

    report["targets_met"] = {
        "bundled_p95_le_5ms": report["bundled"]["ours_query"]["p95_ms"] <= 5,
        "100k_p95_le_20ms": report["synthetic_100000"]["ours_query"]["p95_ms"] <= 20,
        "100k_ge_10x_rank_bm25": report["synthetic_100000"]["speedup_vs_rank_bm25_p50"] >= 10,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
