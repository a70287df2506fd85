"""Deciding whether the guidelines support an answer, and composing the extractive answer.

Support is the weighted share of the question's words that a retrieved passage contains (synonyms count,
rare topic words weigh most): a score in 0..1 that means the same on any corpus size, unlike a raw BM25
score. Below Settings.min_support the assistant refuses rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from guidance.config import Settings
from guidance.retrieval import AnalysedQuery, Hit
from guidance.store import StoredIndex
from guidance.tokenizer import Analyser, Term, contains_cjk
from guidance.types import Answer, Citation

_SENTENCE_BREAK = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+(?=[A-Z0-9\"'(“])")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s+")
_WORDISH = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "no.", "art.", "vs.", "approx.", "cf.")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")

REFUSAL = {
    "zh": "指引中没有找到能回答这个问题的内容，为避免误导，这里不作回答。"
    "请换个说法再问，或通过“申请专家指导”提交问题，由技术机构的专家答复。",
    "en": "The guidelines do not cover this question, so no answer is given rather than a guess. "
    "Try rephrasing it, or request expert guidance so that an expert of the technical agency can answer.",
}
OTHER_LANGUAGE_NOTE = {
    "zh": "（以下内容仅见于英文指引）",
    "en": "(The guidelines cover this only in Chinese.) ",
}


def concept_terms(question_terms: list[Term], known: Callable[[str], bool]) -> list[Term]:
    """The question's words, each meaning counted once: a compound the index knows stands for its
    sub-words; a compound it does not know is represented by the sub-words it does know."""
    words = [t for t in question_terms if not t.synonym]

    def inside(inner: Term, outer: Term) -> bool:
        return outer is not inner and outer.start <= inner.start and inner.end <= outer.end and (
            outer.end - outer.start > inner.end - inner.start
        )

    kept = []
    for term in words:
        # A sub-word counts only when it is the known part of an unknown compound (活性 in 活性炭粉).
        if any(inside(term, outer) and (known(outer.token) or not known(term.token)) for outer in words):
            continue
        if not known(term.token) and any(inside(part, term) and known(part.token) for part in words):
            continue
        kept.append(term)
    return kept


def question_weights(analyser: Analyser, store: StoredIndex, terms: list[Term]) -> dict[str, float]:
    """How much each question word matters for support: rarer in the corpus matters more, and words that
    only carry the phrasing of a question (numerals, measure words, adverbs, time words, lone characters,
    unknown verbs such as 不对劲 or 换下来) matter less than the topic words (nouns) do. The power makes a
    missing rare topic word (社保, 增值税) weigh more than several common words that happen to match."""
    weights = {}
    for term in terms:
        weight = store.idf(term.token)
        if contains_cjk(term.token):
            word_class = analyser.word_class(term.token)
            if len(term.token) == 1 or word_class == "function":
                weight *= 0.3
            elif not store.knows(term.token) and word_class != "noun":
                weight *= 0.4
        weights[term.token] = weight**1.5
    return weights


def coverage(
    question_terms: list[Term], present: set[str], weights: dict[str, float], known: Callable[[str], bool]
) -> float:
    """Share of the question's words (by weight) found in a text; a synonym match covers the words it
    spans, so "危废" is covered by a passage that says "危险废物"."""
    groups = [t for t in question_terms if t.synonym and t.token in present]
    counted: dict[str, float] = {}
    covered: dict[str, bool] = {}
    for term in concept_terms(question_terms, known):
        counted[term.token] = weights[term.token]
        hit = term.token in present or any(g.start <= term.start and term.end <= g.end for g in groups)
        covered[term.token] = covered.get(term.token, False) or hit
    total = sum(counted.values())
    if total <= 0:
        return 0.0
    return sum(w for token, w in counted.items() if covered[token]) / total


@dataclass(frozen=True)
class Support:
    best: float  # the highest coverage among the hits
    per_hit: list[float]


def has_topic(analyser: Analyser, terms: list[Term]) -> bool:
    """Whether the question names anything at all: "1" or "the of and" match passages but ask nothing."""
    for term in terms:
        token = term.token
        if term.synonym:
            return True
        if token.isdigit():
            continue
        if not contains_cjk(token):
            if len(token) >= 2:
                return True
            continue
        word_class = analyser.word_class(token)
        # One character can name a topic (电, 碳) when it is a noun; otherwise it is phrasing.
        if word_class == "noun" or (len(token) >= 2 and word_class != "function"):
            return True
    return False


def measure_support(analyser: Analyser, store: StoredIndex, query: AnalysedQuery, hits: list[Hit]) -> Support:
    if not has_topic(analyser, query.terms):
        return Support(0.0, [0.0] * len(hits))
    weights = question_weights(analyser, store, query.terms)
    tokens = {t.token for t in query.terms}
    known = store.knows
    per_hit = [coverage(query.terms, store.passage_terms(hit.index, tokens), weights, known) for hit in hits]
    return Support(max(per_hit, default=0.0), per_hit)


def split_sentences(text: str) -> list[str]:
    sentences = []
    for line in text.split("\n"):
        if _TABLE_RULE.match(line) or not _WORDISH.search(line):
            continue
        line = _BULLET.sub("", line).strip()
        pieces: list[str] = []
        for piece in (p.strip() for p in _SENTENCE_BREAK.split(line)):
            if pieces and pieces[-1].lower().endswith(_ABBREVIATIONS):
                pieces[-1] = f"{pieces[-1]} {piece}"  # "e.g. 9113..." does not end a sentence
            elif piece:
                pieces.append(piece)
        sentences.extend(p for p in pieces if _WORDISH.search(p))
    return sentences


def refusal(lang: str, support: float) -> Answer:
    return Answer(text=REFUSAL[lang], grounded=False, citations=[], lang=lang, support=round(support, 4))


@dataclass(frozen=True)
class _Sentence:
    score: float
    rank: int  # rank of its passage among the answer's candidates
    position: int  # position inside its passage
    text: str
    tokens: frozenset[str]

    @property
    def is_lead_in(self) -> bool:
        # "主要包括：" announces a list; alone it answers nothing.
        return self.text.endswith(("：", ":"))

    def repeats(self, other: _Sentence) -> bool:
        """Says nearly the same as `other` (the zh and en versions, or two sections restating a rule)."""
        if not self.tokens or not other.tokens:
            return False
        return len(self.tokens & other.tokens) / min(len(self.tokens), len(other.tokens)) >= 0.8


def _choose_sentences(scored: list[_Sentence], settings: Settings) -> list[_Sentence]:
    """The strongest sentences (at least 75% of the best score), without repeats, topped up to the minimum
    with the best passage's sentences in reading order, then put back in passage and reading order."""
    ranked = sorted((s for s in scored if not s.is_lead_in), key=lambda s: (-s.score, s.rank, s.position))
    if not ranked:
        return []
    chosen: list[_Sentence] = []

    def take(candidate: _Sentence) -> None:
        if candidate not in chosen and not any(candidate.repeats(c) for c in chosen):
            chosen.append(candidate)

    for candidate in ranked:
        if len(chosen) == settings.max_answer_sentences or candidate.score < ranked[0].score * 0.75:
            break
        take(candidate)
    top_rank = chosen[0].rank
    for candidate in sorted(ranked, key=lambda s: (s.rank != top_rank, s.rank, s.position)):
        if len(chosen) >= settings.min_answer_sentences:
            break
        take(candidate)
    return sorted(chosen, key=lambda s: (s.rank, s.position))


def extractive_answer(
    analyser: Analyser,
    store: StoredIndex,
    query: AnalysedQuery,
    hits: list[Hit],
    support: Support,
    settings: Settings,
) -> Answer:
    """The best 2-4 sentences of the top passages, in passage-rank order, each followed by its [n]."""
    # Only passages nearly as well supported as the best one: a weak passage adds off-topic sentences.
    floor = max(settings.min_support / 2, support.best * 0.7)
    candidates = [(hit, cov) for hit, cov in zip(hits, support.per_hit, strict=True) if cov >= floor]
    candidates = candidates[: settings.answer_passages]
    same_lang = [(hit, cov) for hit, cov in candidates if hit.passage.lang == query.lang]
    # Answer in the question's language whenever a passage in that language supports it well enough.
    if same_lang and max(cov for _, cov in same_lang) >= settings.min_support:
        candidates = same_lang
    weights = question_weights(analyser, store, query.terms)

    scored: list[_Sentence] = []
    for rank, (hit, passage_cov) in enumerate(candidates):
        for position, sentence in enumerate(split_sentences(hit.passage.text)):
            tokens = frozenset(analyser.tokens(sentence))
            sentence_cov = coverage(query.terms, set(tokens), weights, store.knows)
            # The passage's own support breaks ties towards sentences from the passage that fits best.
            score = sentence_cov + 0.2 * passage_cov - 0.05 * rank
            scored.append(_Sentence(score, rank, position, sentence, tokens))
    chosen = _choose_sentences(scored, settings)
    if not chosen:
        return refusal(query.lang, support.best)
    chosen = [(item.score, item.rank, item.position, item.text) for item in chosen]

    used_ranks = sorted({item[1] for item in chosen})
    number = {rank: n for n, rank in enumerate(used_ranks, start=1)}
    citations: list[Citation] = [
        candidates[rank][0].passage.citation(candidates[rank][0].score) for rank in used_ranks
    ]
    answer_lang = candidates[used_ranks[0]][0].passage.lang
    glue = "" if answer_lang == "zh" else " "
    text = glue.join(f"{sentence}[{number[rank]}]" for _, rank, _, sentence in chosen)
    if answer_lang != query.lang:
        text = OTHER_LANGUAGE_NOTE[query.lang] + text
    return Answer(
        text=text,
        grounded=True,
        citations=citations,
        lang=query.lang,
        mode="extractive",
        support=round(support.best, 4),
    )
