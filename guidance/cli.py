"""Command line of the guideline assistant.

  python -m guidance index PATH... --out DIR       build an index (atomically replaces DIR)
  python -m guidance ask "问题" [--index DIR] [--json]
  python -m guidance ask --jsonl [--index DIR]     {"id","question"} lines in, one JSON answer a line out
  python -m guidance eval FILE.jsonl... [--index DIR] [--k 3] [--json] [--min-recall X] ...

Without --index the bundled corpus (guidance/corpus/) is used, indexed on first use into
$GUIDANCE_INDEX_DIR or ~/.cache/greenchain-guidance/<build key>.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from guidance.assistant import Assistant, load
from guidance.config import BUNDLED_CORPUS_DIR, Settings, cache_root
from guidance.evaluate import evaluate, read_questions
from guidance.ingest import build_index, build_key_for
from guidance.llm import make_chat_model
from guidance.types import Answer, GuidanceError, IndexNotFoundError


def default_index_dir() -> Path:
    """GUIDANCE_INDEX_DIR, else a cache directory named by what the bundled index depends on, so a changed
    corpus or dictionary gets a fresh directory instead of a stale index."""
    configured = os.environ.get("GUIDANCE_INDEX_DIR")
    if configured:
        return Path(configured)
    return cache_root() / build_key_for([BUNDLED_CORPUS_DIR])[:16]


def _bundled_index(settings: Settings) -> Path:
    index_dir = default_index_dir()
    current_key = build_key_for([BUNDLED_CORPUS_DIR], settings)
    try:
        manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
        stale = manifest.get("build_key") != current_key
    except (OSError, ValueError):
        stale = True
    if stale:
        print(f"building the bundled corpus index in {index_dir} ...", file=sys.stderr)
        build_index([BUNDLED_CORPUS_DIR], index_dir, settings=settings)
    return index_dir


def open_assistant(index: str | None) -> Assistant:
    settings = Settings.from_env()
    llm = None
    if settings.llm_base_url and settings.llm_model:
        llm = make_chat_model(
            settings.llm_base_url, settings.llm_model, settings.llm_api_key or "none", settings.llm_timeout
        )
    index_dir = Path(index) if index else _bundled_index(settings)
    return load(index_dir, llm=llm, settings=settings)


def answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "answer": answer.text,
        "grounded": answer.grounded,
        "lang": answer.lang,
        "mode": answer.mode,
        "fallback_reason": answer.fallback_reason,
        "support": answer.support,
        "citations": [asdict(c) for c in answer.citations],
    }


def _print_answer(answer: Answer, out: TextIO) -> None:
    print(answer.text, file=out)
    for number, c in enumerate(answer.citations, start=1):
        where = " › ".join([c.title, *c.section_path]) + (f" (p. {c.page})" if c.page else "")
        print(f"  [{number}] {where}  <{c.chunk_id}>", file=out)
        if c.source_note:
            print(f"      {c.source_note}", file=out)


def _ask_jsonl(assistant: Assistant, k: int, stdin: TextIO, out: TextIO) -> int:
    failures = 0
    for line in stdin:
        if not line.strip():
            continue
        row: dict[str, Any] = {}
        try:
            row = json.loads(line)
            answer = assistant.ask(str(row["question"]), k=k)
            result = {"id": row.get("id"), **answer_json(answer)}
        except (ValueError, KeyError, TypeError, GuidanceError) as err:
            failures += 1
            result = {"id": row.get("id") if isinstance(row, dict) else None, "error": str(err)}
        print(json.dumps(result, ensure_ascii=False), file=out, flush=True)
    return 1 if failures else 0


def _run_eval(args: argparse.Namespace, out: TextIO) -> int:
    assistant = open_assistant(args.index)
    report = evaluate(assistant, read_questions(args.files), k=args.k)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1), file=out)
    else:
        print(
            f"questions: {report.answerable} answerable, {report.unanswerable} unanswerable\n"
            f"Recall@{report.k}: {report.recall_at_k:.3f}\n"
            f"MRR@10: {report.mrr:.3f}\n"
            f"refusal accuracy: {report.refusal_accuracy:.3f}\n"
            f"false refusals: {report.false_refusals}",
            file=out,
        )
    unmet = [
        name
        for name, value, minimum in (
            ("recall", report.recall_at_k, args.min_recall),
            ("mrr", report.mrr, args.min_mrr),
            ("refusal", report.refusal_accuracy, args.min_refusal),
        )
        if minimum is not None and value < minimum
    ]
    if unmet:
        print(f"below threshold: {', '.join(unmet)}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m guidance", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build an index from guideline files or directories")
    index.add_argument("paths", nargs="+")
    index.add_argument("--out", required=True, help="index directory (replaced atomically)")

    ask = commands.add_parser("ask", help="answer a question (or JSON lines of questions on stdin)")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--index", help="index directory (default: the bundled corpus, built on first use)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines from stdin')
    ask.add_argument("--k", type=int, default=4, help="passages to consider")
    ask.add_argument("--context", help="the form section the question comes from")

    ev = commands.add_parser("eval", help="Recall@k, MRR and refusal accuracy on question files")
    ev.add_argument("files", nargs="+")
    ev.add_argument("--index")
    ev.add_argument("--k", type=int, default=3)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--min-recall", type=float)
    ev.add_argument("--min-mrr", type=float)
    ev.add_argument("--min-refusal", type=float)
    return parser


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    try:
        if args.command == "index":
            stats = build_index(args.paths, args.out)
            print(
                f"indexed {stats.documents} documents, {stats.sections} sections, {stats.chunks} passages "
                f"into {stats.index_dir} in {stats.seconds:.2f} s (corpus {stats.corpus_hash[:12]})",
                file=out,
            )
            return 0
        if args.command == "ask":
            if args.jsonl == bool(args.question):
                print("give either a question or --jsonl", file=sys.stderr)
                return 2
            assistant = open_assistant(args.index)
            if args.jsonl:
                return _ask_jsonl(assistant, args.k, stdin, out)
            answer = assistant.ask(args.question, k=args.k, context=args.context)
            if args.json:
                print(json.dumps(answer_json(answer), ensure_ascii=False, indent=1), file=out)
            else:
                _print_answer(answer, out)
            return 0
        return _run_eval(args, out)
    except (GuidanceError, IndexNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
