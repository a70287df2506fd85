"""The assistant the portal talks to: ask, stream, read passages back, suggest questions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel

from guidance import llm as chat
from guidance.answer import Support, extractive_answer, measure_support, refusal
from guidance.config import MAX_QUESTION_CHARS, Settings
from guidance.retrieval import AnalysedQuery, GuidelineRetriever, Hit, Searcher, question_lang
from guidance.store import Passage, StoredIndex, load_index
from guidance.tokenizer import contains_cjk, get_analyser
from guidance.types import Answer, Citation, DocumentInfo, QuestionError

_SECTION_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*[\s、.．]*")
_CLAUSE_END = re.compile(r"(?<=[。？！?!；;])|(?<=\.)\s+")


def _clauses(text: str) -> list[str]:
    """The whole question first, then each of its sentences when it has more than one."""
    parts = [p.strip() for p in _CLAUSE_END.split(text) if p and p.strip()]
    return [text] + (parts if len(parts) > 1 else [])


def check_question(question: str) -> str:
    text = (question or "").strip()
    if not text:
        # Nothing to tell the language by: say it in both.
        raise QuestionError("请输入问题。Please enter a question.")
    zh = contains_cjk(text)
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"问题太长了（{len(text)} 个字符），请控制在 {MAX_QUESTION_CHARS} 个字符以内。"
            if zh
            else f"The question is too long ({len(text)} characters); keep it under {MAX_QUESTION_CHARS}."
        )
    return text


class Assistant:
    def __init__(self, store: StoredIndex, *, llm: BaseChatModel | None = None, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.store = store
        self.analyser = get_analyser()
        self.searcher = Searcher(store, self.analyser, self.settings)
        self.llm = llm
        self.retriever = GuidelineRetriever(searcher=self.searcher, k=4)

    # -- asking -------------------------------------------------------------------------------------------
    def _retrieve(
        self, question: str, k: int, history: list[tuple[str, str]] | None, context: str | None
    ) -> tuple[AnalysedQuery, list[Hit], Support]:
        text = check_question(question)
        best: tuple[AnalysedQuery, list[Hit], Support] | None = None
        # A question of several sentences is answered by the one the guidelines cover best, so an off-topic
        # or injected sentence beside a real question neither drowns it nor changes the answer.
        for part in _clauses(text):
            query = self.searcher.analyse(part, context=context, history=history)
            hits = self.searcher.search(query, max(k, 1))
            found = (query, hits, measure_support(self.analyser, self.store, query, hits))
            if best is None or found[2].best > best[2].best:
                best = found
        return best

    def _secrets(self) -> list[str]:
        s = self.settings
        names = [getattr(self.llm, "model_name", None), getattr(self.llm, "openai_api_base", None)]
        key = getattr(self.llm, "openai_api_key", None)
        key_text = key.get_secret_value() if hasattr(key, "get_secret_value") else key
        values = [s.llm_api_key, s.llm_base_url, s.llm_model, key_text, *names]
        # Very short values ("x", "gpt") would flag ordinary words; they are not worth protecting.
        return [v for v in values if isinstance(v, str) and len(v) >= 4]

    def _extractive(self, query: AnalysedQuery, hits: list[Hit], support: Support) -> Answer:
        return extractive_answer(self.analyser, self.store, query, hits, support, self.settings)

    def _llm_answer(self, query: AnalysedQuery, hits: list[Hit], reply: str, support: Support) -> Answer:
        citations = [hit.passage.citation(hit.score) for hit in hits]
        return Answer(reply, True, citations, query.lang, "llm", None, round(support.best, 4))

    def ask(
        self,
        question: str,
        k: int = 4,
        history: list[tuple[str, str]] | None = None,
        context: str | None = None,
    ) -> Answer:
        query, hits, support = self._retrieve(question, k, history, context)
        if support.best < self.settings.min_support:
            return refusal(query.lang, support.best)
        if self.llm is None:
            return self._extractive(query, hits, support)
        try:
            reply = chat.generate(self.llm, question.strip(), query.lang, hits, self._secrets())
        except chat.LLMFallback as err:
            return _with_fallback(self._extractive(query, hits, support), str(err))
        return self._llm_answer(query, hits, reply, support)

    def stream(
        self,
        question: str,
        k: int = 4,
        history: list[tuple[str, str]] | None = None,
        context: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text chunks, then the final Answer (whose text is authoritative: if the model's answer was
        rejected after streaming, the final Answer is the extractive one and says why)."""
        query, hits, support = self._retrieve(question, k, history, context)
        answer: Answer | None = None
        if support.best < self.settings.min_support:
            answer = refusal(query.lang, support.best)
        elif self.llm is None:
            answer = self._extractive(query, hits, support)
        if answer is not None:
            yield answer.text
            yield answer
            return
        pieces: list[str] = []
        try:
            for piece in chat.stream(self.llm, question.strip(), query.lang, hits, self._secrets()):
                pieces.append(piece)
                yield piece
            reply = chat.check_answer("".join(pieces), hits, self._secrets())
        except chat.LLMFallback as err:
            fallback = _with_fallback(self._extractive(query, hits, support), str(err))
            yield fallback
            return
        yield self._llm_answer(query, hits, reply, support)

    # -- reading ------------------------------------------------------------------------------------------
    def passage(self, chunk_id: str) -> Citation | None:
        index = self.store.by_chunk_id.get(chunk_id)
        return None if index is None else self.store.passages[index].citation(0.0)

    def documents(self) -> list[DocumentInfo]:
        found: dict[tuple[str, str], DocumentInfo] = {}
        for p in self.store.passages:
            key = (p.doc_id, p.lang)
            info = found.get(key) or DocumentInfo(p.doc_id, p.title, p.lang, p.effective, [])
            if not info.sections or info.sections[-1] != p.section:
                info.sections.append(p.section)
            found[key] = info
        return [found[key] for key in sorted(found)]

    def document(self, doc_id: str, lang: str) -> list[Citation]:
        """Every passage of one document in reading order, for a reader page; [] when there is none."""
        return [p.citation(0.0) for p in self.store.passages if p.doc_id == doc_id and p.lang == lang]

    def sources(self, topic: str, lang: str, k: int = 2) -> list[Citation]:
        """Passages worth citing for `topic` (a few keywords): only those that cover it as well as an answer must
        (Settings.min_support; a weak match on one common word is no source), each in `lang` where its document
        has that language's version of the same numbered section."""
        query = self.searcher.analyse(topic)
        hits = self.searcher.search(query, k * 3)
        support = measure_support(self.analyser, self.store, query, hits)
        cited = [hit for hit, cover in zip(hits, support.per_hit, strict=True) if cover >= self.settings.min_support]
        found: dict[str, Citation] = {}
        for hit in cited:
            citation = self._in_language(hit.passage, lang).citation(hit.score)
            found.setdefault(citation.chunk_id, citation)
        return list(found.values())[:k]

    def _in_language(self, passage: Passage, lang: str) -> Passage:
        number = _SECTION_NUMBER.match(passage.section)
        if passage.lang == lang or not number or not number.group(0).strip():
            return passage
        key = number.group(0).strip(" 、.．")
        return next((p for p in self.store.passages if p.doc_id == passage.doc_id and p.lang == lang
                     and (m := _SECTION_NUMBER.match(p.section)) and m.group(0).strip(" 、.．") == key), passage)

    def suggest(self, context: str, n: int = 3) -> list[str]:
        """Questions worth asking while filling the form section `context`, made from the headings of the
        passages that match it best (so they follow the corpus, not a list kept in code)."""
        if not context or not context.strip() or n <= 0:
            return []
        query = self.searcher.analyse(context)
        topics: list[str] = []
        for hit in self.searcher.search(query, n * 5):
            if hit.passage.lang != query.lang:
                continue
            topic = _SECTION_NUMBER.sub("", hit.passage.section).strip()
            if topic and topic not in topics:
                topics.append(topic)
            if len(topics) == n:
                break
        if query.lang == "zh":
            return [f"关于“{topic}”，指引有哪些要求？" for topic in topics]
        return [f"What do the guidelines say about {topic[:1].lower() + topic[1:]}?" for topic in topics]


def _with_fallback(answer: Answer, reason: str) -> Answer:
    return Answer(
        answer.text, answer.grounded, answer.citations, answer.lang, "extractive", reason, answer.support
    )


def load(index_dir: Path | str, *, llm: BaseChatModel | None = None, settings: Settings | None = None) -> Assistant:
    """Load a built index (no corpus re-tokenising; about the cost of reading its files and jieba's start)."""
    return Assistant(load_index(index_dir), llm=llm, settings=settings)


__all__ = ["Assistant", "check_question", "load", "question_lang"]
