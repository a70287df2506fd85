"""Building the index: read sources, split sections into passages, tokenise, write, swap in atomically."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter

from guidance.config import INDEX_FORMAT_VERSION, Settings
from guidance.sources import SourceDocument, collect_files, read_source
from guidance.store import Passage, write_index
from guidance.tokenizer import get_analyser, resources_hash
from guidance.types import IndexStats, IngestError

Progress = Callable[[int, int, str], None]

# Paragraphs first, then sentence ends, never inside a sentence: a passage read alone must make sense.
# No "" fallback on purpose: an over-long sentence stays whole rather than being cut mid-sentence.
SENTENCE_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; "]


def _file_hashes(files: list[tuple[Path, str]]) -> list[tuple[str, str]]:
    hashes = []
    for path, name in files:
        try:
            hashes.append((name, hashlib.sha256(path.read_bytes()).hexdigest()))
        except OSError as err:
            raise IngestError(path, f"cannot be read ({err.strerror or err})") from err
    return hashes


def _corpus_hash(file_hashes: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, sha in file_hashes:
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()


def _build_key(corpus_hash: str, settings: Settings) -> str:
    parts = [
        f"format={INDEX_FORMAT_VERSION}",
        f"corpus={corpus_hash}",
        f"resources={resources_hash()}",
        f"chunk={settings.chunk_size}/{settings.chunk_size_en}/{settings.chunk_overlap}",
        f"bm25={settings.bm25_k1}/{settings.bm25_b}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def build_key_for(paths: Iterable[Path | str], settings: Settings | None = None) -> str:
    """What an index of `paths` would be keyed by, without building it (used to name cache directories)."""
    return _build_key(_corpus_hash(_file_hashes(collect_files(paths))), settings or Settings())


def split_document(document: SourceDocument, settings: Settings) -> list[Passage]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_size_en if document.lang == "en" else settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        separators=SENTENCE_SEPARATORS,
        keep_separator="end",
    )
    passages = []
    for section_no, section in enumerate(document.sections, start=1):
        chunks = splitter.split_text(section.text) if section.text else [""]
        for chunk_no, chunk in enumerate(chunks, start=1):
            passages.append(
                Passage(
                    chunk_id=f"{document.doc_id}.{document.lang}.{section_no}.{chunk_no}",
                    doc_id=document.doc_id,
                    title=document.title,
                    lang=document.lang,
                    effective=document.effective,
                    section=section.path[-1] if section.path else document.title,
                    section_path=list(section.path),
                    text=chunk,
                    source_note=section.source_note,
                    page=section.page,
                    file=document.file,
                )
            )
    return passages


@contextmanager
def _build_lock(index_dir: Path):
    """One build at a time per index directory; readers never take it."""
    lock_path = index_dir.parent / f".{index_dir.name}.lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap_in(new_dir: Path, index_dir: Path) -> None:
    """Replace index_dir by new_dir. The old index is moved aside (not deleted) until the new one is in place,
    so a failure here leaves a loadable index behind."""
    if not index_dir.exists():
        os.replace(new_dir, index_dir)
        return
    old_dir = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.old-", dir=index_dir.parent))
    old_dir.rmdir()
    os.replace(index_dir, old_dir)
    try:
        os.replace(new_dir, index_dir)
    except OSError:
        os.replace(old_dir, index_dir)
        raise
    shutil.rmtree(old_dir, ignore_errors=True)


def build_index(
    paths: Iterable[Path | str] | Path | str,
    index_dir: Path | str,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> IndexStats:
    """Index guideline files (or directories of them) into `index_dir`.

    Raises IngestError naming the first bad file; the index already at `index_dir`, if any, is untouched.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    if isinstance(paths, str | Path):
        paths = [paths]
    index_dir = Path(index_dir).resolve()
    report = progress or (lambda done, total, message: None)

    files = collect_files(paths)
    if not files:
        raise IngestError(", ".join(str(p) for p in paths), "no guideline files (.md .pdf .docx .html) found")
    total = len(files) + 2
    file_hashes = _file_hashes(files)
    corpus_hash = _corpus_hash(file_hashes)

    documents: list[SourceDocument] = []
    seen: dict[tuple[str, str], str] = {}
    for done, (path, name) in enumerate(files):
        report(done, total, f"reading {name}")
        document = read_source(path, name)
        key = (document.doc_id, document.lang)
        if key in seen:
            raise IngestError(path, f"doc_id {document.doc_id!r} ({document.lang}) is also used by {seen[key]}")
        seen[key] = name
        documents.append(document)

    report(len(files), total, "tokenising passages")
    passages = [p for document in documents for p in split_document(document, settings)]
    analyser = get_analyser()
    passage_tokens = [analyser.tokens(p.index_text()) for p in passages]
    passage_bigrams = [analyser.bigrams(p.index_text()) for p in passages]

    report(len(files) + 1, total, "writing index")
    manifest: dict[str, Any] = {
        "format": INDEX_FORMAT_VERSION,
        "corpus_hash": corpus_hash,
        "resources_hash": resources_hash(),
        "build_key": _build_key(corpus_hash, settings),
        "settings": {
            "chunk_size": settings.chunk_size,
            "chunk_size_en": settings.chunk_size_en,
            "chunk_overlap": settings.chunk_overlap,
            "bm25_k1": settings.bm25_k1,
            "bm25_b": settings.bm25_b,
        },
        "files": [
            {"name": name, "sha256": sha, "doc_id": doc.doc_id, "lang": doc.lang}
            for (name, sha), doc in zip(file_hashes, documents, strict=True)
        ],
        "counts": {
            "documents": len(documents),
            "sections": sum(len(d.sections) for d in documents),
            "passages": len(passages),
        },
    }
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir):
        work_dir = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.new-", dir=index_dir.parent))
        work_dir.chmod(0o755)  # mkdtemp makes it private; the web server may run as another user
        try:
            vocabulary = write_index(
                work_dir,
                passages,
                passage_tokens,
                passage_bigrams,
                manifest,
                k1=settings.bm25_k1,
                b=settings.bm25_b,
            )
            _swap_in(work_dir, index_dir)
        except BaseException:
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
    report(total, total, "done")
    return IndexStats(
        index_dir=index_dir,
        documents=len(documents),
        sections=manifest["counts"]["sections"],
        chunks=len(passages),
        vocabulary=vocabulary,
        corpus_hash=corpus_hash,
        build_key=manifest["build_key"],
        seconds=round(time.perf_counter() - started, 3),
    )
