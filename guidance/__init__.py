"""Retrieval assistant over the programme's guideline documents (a library: no Flask, no portal imports).

    stats = guidance.build_index(["guidance/corpus"], "var/guidance-index")
    assistant = guidance.load("var/guidance-index")
    answer = assistant.ask("危险废物转移联单要保存多久？")
    answer.text, answer.grounded, answer.citations
"""

from guidance.assistant import Assistant, load
from guidance.config import Settings
from guidance.ingest import build_index
from guidance.llm import make_chat_model
from guidance.retrieval import GuidelineRetriever
from guidance.types import (
    Answer,
    Citation,
    DocumentInfo,
    GuidanceError,
    IndexNotFoundError,
    IndexStats,
    IngestError,
    QuestionError,
)

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "DocumentInfo",
    "GuidanceError",
    "GuidelineRetriever",
    "IndexNotFoundError",
    "IndexStats",
    "IngestError",
    "QuestionError",
    "Settings",
    "build_index",
    "load",
    "make_chat_model",
]
