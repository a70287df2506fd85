"""The index on disk: a manifest, the passages as JSON, and the bm25s term matrix.

Written once by ingest.build_index and read by load_index. Every file is produced deterministically (sorted
vocabulary, sorted JSON keys, no timestamps) so the same corpus gives byte-identical files.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from guidance.config import INDEX_FORMAT_VERSION
from guidance.tokenizer import resources_hash
from guidance.types import Citation, IndexNotFoundError

MANIFEST_FILE = "manifest.json"
PASSAGES_FILE = "passages.json"
BM25_DIR = "bm25"
BIGRAM_DIR = "bm25-bigrams"


@dataclass(frozen=True)
class Passage:
    """One indexed chunk: a whole short section, or one part of a long one."""

    chunk_id: str
    doc_id: str
    title: str
    lang: str
    effective: str | None
    section: str
    section_path: list[str]
    text: str
    source_note: str
    page: int | None
    file: str

    def citation(self, score: float) -> Citation:
        return Citation(
            doc_id=self.doc_id,
            title=self.title,
            section=self.section,
            section_path=list(self.section_path),
            text=self.text,
            score=round(float(score), 4),
            source_note=self.source_note,
            page=self.page,
            lang=self.lang,
            chunk_id=self.chunk_id,
        )

    def index_text(self) -> str:
        """What BM25 sees: headings and the source note are searchable though the answer never quotes them.
        The section's own heading is written twice: it names the topic better than any sentence does."""
        return "\n".join([self.title, *self.section_path, *self.section_path[-1:], self.text, self.source_note])


def dump_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _save_bm25(directory: Path, documents: list[list[str]], k1: float, b: float) -> int:
    # bm25s builds its vocabulary from a set, whose order changes between runs (string hashing is
    # randomised): give it a sorted vocabulary so the saved files are the same every time.
    vocabulary = sorted({token for tokens in documents for token in tokens})
    vocab_ids = {token: i for i, token in enumerate(vocabulary)}
    corpus_ids = [[vocab_ids[token] for token in tokens] for tokens in documents]
    bm25 = bm25s.BM25(k1=k1, b=b)
    bm25.index((corpus_ids, vocab_ids), create_empty_token=False, show_progress=False)
    bm25.save(str(directory), show_progress=False)
    return len(vocabulary)


def write_index(
    directory: Path,
    passages: list[Passage],
    passage_tokens: list[list[str]],
    passage_bigrams: list[list[str]],
    manifest: dict[str, Any],
    *,
    k1: float,
    b: float,
) -> int:
    """Write a complete index into an empty directory; returns the (word) vocabulary size."""
    vocabulary = _save_bm25(directory / BM25_DIR, passage_tokens, k1, b)
    _save_bm25(directory / BIGRAM_DIR, passage_bigrams, k1, b)
    (directory / PASSAGES_FILE).write_bytes(dump_json([asdict(p) for p in passages]))
    (directory / MANIFEST_FILE).write_bytes(dump_json(manifest))
    return vocabulary


class StoredIndex:
    """A loaded index: scores BM25 terms, and knows each term's document frequency for support checks."""

    def __init__(
        self,
        directory: Path,
        manifest: dict[str, Any],
        passages: list[Passage],
        bm25: bm25s.BM25,
        bigram_bm25: bm25s.BM25,
    ):
        self.directory = directory
        self.manifest = manifest
        self.passages = passages
        self.bm25 = bm25
        self.bigram_bm25 = bigram_bm25
        self.by_chunk_id = {p.chunk_id: i for i, p in enumerate(passages)}
        indptr = bm25.scores["indptr"]
        self._doc_freq = np.diff(indptr)
        n = max(len(passages), 1)
        self._n = n
        # Lucene's IDF, the one bm25s scores with; a term the corpus lacks gets the rarest term's weight.
        self.unseen_idf = math.log(1 + (n - 0.5) / 1.5)

    def term_id(self, token: str) -> int | None:
        return self.bm25.vocab_dict.get(token)

    def knows(self, token: str) -> bool:
        return token in self.bm25.vocab_dict

    def idf(self, token: str) -> float:
        term = self.term_id(token)
        if term is None:
            return self.unseen_idf
        df = float(self._doc_freq[term])
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def scores(self, tokens: list[str]) -> np.ndarray:
        return _scores(self.bm25, tokens, len(self.passages))

    def bigram_scores(self, bigrams: list[str]) -> np.ndarray:
        return _scores(self.bigram_bm25, bigrams, len(self.passages))

    def passage_terms(self, index: int, tokens: set[str]) -> set[str]:
        """Which of `tokens` occur in passage `index` (read from the term matrix, no re-tokenising)."""
        data = self.bm25.scores
        present = set()
        for token in tokens:
            term = self.term_id(token)
            if term is None:
                continue
            docs = data["indices"][data["indptr"][term] : data["indptr"][term + 1]]
            if np.any(docs == index):
                present.add(token)
        return present


def _scores(bm25: bm25s.BM25, tokens: list[str], n: int) -> np.ndarray:
    vocab = bm25.vocab_dict
    ids = [vocab[t] for t in tokens if t in vocab]
    if not ids:
        return np.zeros(n, dtype=np.float32)
    return bm25.get_scores_from_ids(ids)


def load_index(directory: Path | str, *, attempts: int = 3) -> StoredIndex:
    """Load the index at `directory`.

    A rebuild swaps directories with two renames; a load that falls between them, or reads files from
    both sides of a swap, is retried after a moment instead of failing or mixing two indexes.
    """
    directory = Path(directory)
    for attempt in range(attempts):
        try:
            store = _load_once(directory)
        except IndexNotFoundError:
            raise
        except (FileNotFoundError, _TornRead):
            if attempt == attempts - 1:
                raise IndexNotFoundError(f"no guidance index at {directory} (build one with build_index)") from None
            time.sleep(0.05 * (attempt + 1))
            continue
        return store
    raise AssertionError("unreachable")


class _TornRead(Exception):
    """The files read belong to different builds."""


def _load_once(directory: Path) -> StoredIndex:
    manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    if manifest.get("format") != INDEX_FORMAT_VERSION:
        raise IndexNotFoundError(f"the index at {directory} has an old format: rebuild it")
    if manifest.get("resources_hash") != resources_hash():
        raise IndexNotFoundError(
            f"the index at {directory} was built with other tokeniser resources (dictionary, synonyms or "
            "stop words changed): rebuild it"
        )
    records = json.loads((directory / PASSAGES_FILE).read_text(encoding="utf-8"))
    passages = [Passage(**record) for record in records]
    bm25 = bm25s.BM25.load(str(directory / BM25_DIR), load_corpus=False, mmap=False)
    bigram_bm25 = bm25s.BM25.load(str(directory / BIGRAM_DIR), load_corpus=False, mmap=False)
    expected = manifest.get("counts", {}).get("passages")
    if not (expected == len(passages) == bm25.scores["num_docs"] == bigram_bm25.scores["num_docs"]):
        raise _TornRead(directory)
    return StoredIndex(directory, manifest, passages, bm25, bigram_bm25)
