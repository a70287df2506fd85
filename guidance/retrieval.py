"""Ranking passages for a question: BM25 over analysed terms, nudged by language, form context and history.

`Searcher` is the fast path the assistant uses; `GuidelineRetriever` wraps it as a LangChain retriever so
the same ranking can be composed into LangChain pipelines (`retriever.invoke("...")`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from guidance.config import Settings
from guidance.store import Passage, StoredIndex
from guidance.tokenizer import Analyser, Term, contains_cjk

MAX_CONTEXT_CHARS = 100
# What marks a short question as leaning on the one before ("那英文的呢？", "And the receiver?"). Length alone
# does not: most everyday Chinese questions are short ("什么是绿色供应链？") and stand on their own.
FOLLOW_UP_STARTS_ZH = ("那", "还有", "另外", "此外", "然后", "同样", "再问")
FOLLOW_UP_WORDS_ZH = ("呢", "这个", "那个", "上述", "前面", "刚才", "同上")
FOLLOW_UP_IT_ZH = re.compile(r"(?<![其])它")  # 它 ("it"), not 其它 ("other")
FOLLOW_UP_STARTS_EN = ("and ", "what about", "how about", "also ", "then ", "same ")
FOLLOW_UP_WORDS_EN = {"it", "its", "that", "this", "those", "these", "they", "them"}


def question_lang(text: str) -> str:
    return "zh" if contains_cjk(text) else "en"


@dataclass(frozen=True)
class Hit:
    index: int  # position in the index's passage list
    passage: Passage
    score: float  # BM25 score after the language, context and history adjustments


@dataclass(frozen=True)
class AnalysedQuery:
    text: str  # what was searched: the question, with the previous question appended for short follow-ups
    lang: str
    terms: list[Term]
    context_terms: list[Term]


def search_tokens(terms: list[Term], known: Callable[[str], bool] = lambda token: True) -> list[str]:
    """Query terms to score, each concept once.

    Words inside a synonym match are left to the synonym term, so "discharge permit" weighs the same
    against the English and the Chinese passage instead of favouring the one sharing the surface words.
    A word's sub-words (专项资金 inside 生态环境专项资金) are left out when the whole word is in the index:
    they would count the same mention several times and outweigh the question's other words. A word said
    twice ("要不要写，不写会怎样") is not twice as important, so each term is scored once.
    """
    groups = [t for t in terms if t.synonym]
    words = [t for t in terms if not t.synonym]
    tokens = []
    for term in terms:
        if not term.synonym:
            if any(g.start <= term.start and term.end <= g.end for g in groups):
                continue
            if any(
                w.end - w.start > term.end - term.start and w.start <= term.start and term.end <= w.end
                and known(w.token)
                for w in words
            ):
                continue
        tokens.append(term.token)
    return list(dict.fromkeys(tokens))


class Searcher:
    def __init__(self, store: StoredIndex, analyser: Analyser, settings: Settings) -> None:
        self.store = store
        self.analyser = analyser
        self.settings = settings
        langs = np.array([p.lang for p in store.passages])
        boost = 1.0 + settings.same_language_boost
        # Multiplying by a per-language vector keeps the preference out of the per-passage Python loop.
        self._lang_factor = {
            lang: np.where(langs == lang, boost, 1.0).astype(np.float32) for lang in ("zh", "en")
        }

    def analyse(
        self, question: str, *, context: str | None = None, history: list[tuple[str, str]] | None = None
    ) -> AnalysedQuery:
        text = question.strip()
        if history and self._is_follow_up(text):
            # "那英文的呢？" means nothing alone: read it together with the question it follows.
            text = f"{text} {str(history[-1][0]).strip()}"
        # A form-section name is a few words; a longer "context" is not a hint any more.
        hint = (context or "").strip()[:MAX_CONTEXT_CHARS]
        return AnalysedQuery(
            text=text,
            lang=question_lang(question),
            terms=self.analyser.analyse(text),
            context_terms=self.analyser.analyse(hint) if hint else [],
        )

    def _is_follow_up(self, text: str) -> bool:
        """Short, and worded as leaning on the previous question."""
        limit = self.settings.followup_max_chars
        if contains_cjk(text):  # a Chinese character carries about a word
            return len(text) <= limit and (text.startswith(FOLLOW_UP_STARTS_ZH) or bool(FOLLOW_UP_IT_ZH.search(text))
                                           or any(word in text for word in FOLLOW_UP_WORDS_ZH))
        words = text.casefold().rstrip("?？.!").split()  # English needs about four characters a word
        return len(words) <= limit // 3 and (" ".join(words).startswith(FOLLOW_UP_STARTS_EN)
                                             or bool(FOLLOW_UP_WORDS_EN.intersection(words)))

    def search(self, query: AnalysedQuery, k: int) -> list[Hit]:
        if not self.store.passages or k <= 0:
            return []
        word_scores = self.store.scores(search_tokens(query.terms, self.store.knows))
        bigram_scores = self.store.bigram_scores(list(dict.fromkeys(self.analyser.bigrams(query.text))))
        # Both channels scaled to their best passage, so the weight means the same on any corpus.
        scores = word_scores / max(float(word_scores.max()), 1e-9)
        if bigram_scores.any():
            scores = scores + self.settings.bigram_weight * bigram_scores / float(bigram_scores.max())
        if query.context_terms:
            # Only passages the question itself matches can be lifted: the hint never replaces the question.
            context_scores = self.store.scores(search_tokens(query.context_terms, self.store.knows))
            if context_scores.any():
                context_scores = context_scores / float(context_scores.max())
            scores = scores + self.settings.context_weight * np.where(scores > 0, context_scores, 0)
        scores = scores * self._lang_factor.get(query.lang, 1.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        # Sort by score, then by index position, so equal scores rank the same way every time.
        ranked = sorted(top.tolist(), key=lambda i: (-float(scores[i]), i))
        return [Hit(i, self.store.passages[i], float(scores[i])) for i in ranked if scores[i] > 0]


def hit_document(hit: Hit, rank: int) -> Document:
    citation = hit.passage.citation(hit.score)
    metadata: dict[str, Any] = {
        "doc_id": citation.doc_id,
        "title": citation.title,
        "section": citation.section,
        "section_path": citation.section_path,
        "source_note": citation.source_note,
        "page": citation.page,
        "lang": citation.lang,
        "chunk_id": citation.chunk_id,
        "effective": hit.passage.effective,
        "score": citation.score,
        "rank": rank,
    }
    return Document(page_content=citation.text, metadata=metadata, id=citation.chunk_id)


class GuidelineRetriever(BaseRetriever):
    """LangChain retriever over the guideline index; Documents carry the citation fields as metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 4
    context: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.searcher.search(self.searcher.analyse(query, context=self.context), self.k)
        return [hit_document(hit, rank) for rank, hit in enumerate(hits, start=1)]
