"""The data the guidance library hands to its callers, and the errors it raises.

The portal imports these names; keep them stable and plain (dataclasses, no behaviour that needs an index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]
AnswerMode = Literal["extractive", "llm"]


class GuidanceError(Exception):
    """Base class of the errors this library raises on purpose."""


class IngestError(GuidanceError):
    """A source file could not be read or has the wrong shape; the message names the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexNotFoundError(GuidanceError, FileNotFoundError):
    """No usable index at the given directory (never built, or built by an incompatible version)."""


class QuestionError(GuidanceError, ValueError):
    """The question cannot be asked as it stands (empty or too long); the message is in its language."""


@dataclass(frozen=True)
class Citation:
    """One retrieved passage, with everything a reader page needs to show and highlight it."""

    doc_id: str
    title: str
    section: str  # the heading of the cited section, e.g. "4.2 转移联单"
    section_path: list[str]  # headings from the document title down to the section
    text: str  # the passage as shown to users (source note removed)
    score: float
    source_note: str  # the 依据/Source line of the section, "" when the section has none
    page: int | None
    lang: str
    chunk_id: str


@dataclass(frozen=True)
class Answer:
    text: str
    grounded: bool
    citations: list[Citation]
    lang: str
    mode: AnswerMode = "extractive"
    # Why a configured chat model was not used for this answer (time-out, invented number, ...); None when
    # the model answered or no model is configured.
    fallback_reason: str | None = None
    support: float = 0.0  # how well the best passage covers the question, 0..1 (what refusal is decided on)


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    lang: str
    effective: str | None
    sections: list[str]  # section headings in document order


@dataclass(frozen=True)
class IndexStats:
    index_dir: Path
    documents: int
    sections: int
    chunks: int
    vocabulary: int
    corpus_hash: str  # hash of the source files (names and bytes)
    build_key: str  # corpus_hash plus tokeniser resources and index settings: what the index depends on
    seconds: float = field(default=0.0, compare=False)
