"""Turning Chinese and English text into BM25 terms: jieba words, domain terms, synonyms, English stems.

The same analyser runs at index time and at query time, so a change here changes the index: its resources
(dictionary, synonyms, stop words) are hashed into the index's build key and a changed key forces a rebuild.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
import Stemmer

from guidance.config import DICTIONARY_FILE, STOPWORDS_FILE, SYNONYMS_FILE

# Bump when the analysis below changes in a way the resource files do not show.
ANALYSER_VERSION = 1
SYNONYM_PREFIX = "≈"  # cannot come out of jieba or the Latin word pattern, so group terms never collide

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORDISH = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
# Codes such as 900-041-49, NH3-N, GB/T, HJ 608-2017's "608-2017": jieba cuts them apart, users type them whole.
_CODE = re.compile(r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)+")
_MAX_SUBWORD = 8
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Particles that glue words together; a pair containing one says nothing about the topic.
_FUNCTION_CHARS = frozenset("的了是在和与及或吗呢么吧啊呀也都就还又这那其之")
# jieba's part-of-speech tags: numerals, measure words, adverbs, pronouns, time and place words, idioms ...
# carry how a question is phrased, not what it is about.
_FUNCTION_TAGS = frozenset(
    ["m", "q", "d", "r", "p", "c", "u", "t", "f", "l", "s", "y", "e", "o", "zg", "uz", "ul", "uj", "df", "mq"]
)
_NOUN_TAGS = frozenset(["n", "nz", "nt", "nr", "ns", "nrt", "nrfg", "ng", "j", "vn", "eng"])
DOMAIN_WORD_FREQ = 50_000


def contains_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def normalise(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation (Ｈ３ → H3, １，０００ → 1,000) to one form."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True, slots=True)
class Term:
    token: str
    start: int
    end: int
    synonym: bool = False  # a synonym-group term: stands for every member it was matched from


def _data_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def resources_hash() -> str:
    digest = hashlib.sha256(f"analyser-{ANALYSER_VERSION}".encode())
    for path in (DICTIONARY_FILE, SYNONYMS_FILE, STOPWORDS_FILE):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class Analyser:
    """Stateless after construction; share one instance (jieba's dictionary load costs ~0.7 s)."""

    def __init__(self) -> None:
        jieba.setLogLevel(logging.WARNING)
        # A private jieba.Tokenizer keeps our domain words out of the process-wide default tokenizer.
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for line in _data_lines(DICTIONARY_FILE):
            word, *rest = line.split()
            # A high default frequency makes a domain term win over a split that happens to form common
            # words ("执行报告|会", not "执行|报告会").
            freq = int(rest[0]) if rest and rest[0].isdigit() else DOMAIN_WORD_FREQ
            self._jieba.add_word(word, freq)
        self._function_words, self._other_words = self._word_classes()
        self._stemmer = Stemmer.Stemmer("english")
        self._stopwords = frozenset(w.lower() for w in _data_lines(STOPWORDS_FILE))
        self._cjk_members: list[tuple[str, str]] = []  # (member, group token)
        self._latin_members: list[tuple[str, str]] = []  # (" stem stem ", group token)
        for line in _data_lines(SYNONYMS_FILE):
            members = [normalise(m.strip()) for m in line.split("|") if m.strip()]
            group = SYNONYM_PREFIX + members[0].lower().replace(" ", "_")
            for member in members:
                if contains_cjk(member):
                    self._cjk_members.append((member, group))
                else:
                    self._latin_members.append((f" {' '.join(self._latin_stems(member))} ", group))
        # Plural and singular spellings stem alike: keep one of each.
        self._latin_members = sorted(set(self._latin_members))
        self._cjk_members = sorted(set(self._cjk_members))

    def _word_classes(self) -> tuple[frozenset[str], frozenset[str]]:
        """Words jieba's dictionary tags as function words, and as neither function words nor nouns."""
        function_words: set[str] = set()
        other_words: set[str] = set()
        path = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)
        for line in path.read_text(encoding="utf-8").splitlines():
            word, _freq, tag = [*line.split(" "), "", ""][:3]
            if not tag or tag in _NOUN_TAGS:
                continue
            (function_words if tag in _FUNCTION_TAGS else other_words).add(word)
        return frozenset(function_words), frozenset(other_words)

    def word_class(self, word: str) -> str:
        """"function", "noun", "other" (verbs, adjectives ...) or "unknown" (not in jieba's dictionary)."""
        if word in self._function_words:
            return "function"
        if word in self._other_words:
            return "other"
        return "noun" if self._is_dictionary_word(word) else "unknown"

    # -- pieces -------------------------------------------------------------------------------------------
    def _latin_stems(self, text: str) -> list[str]:
        return [self._stemmer.stemWord(w) for w in _LATIN_WORD.findall(text.lower())]

    def _is_dictionary_word(self, word: str) -> bool:
        return bool(self._jieba.FREQ.get(word))

    def _word_terms(self, word: str, start: int) -> list[Term]:
        if not _WORDISH.search(word):
            return []  # punctuation and spaces
        if contains_cjk(word):
            terms = [] if word in self._stopwords else [Term(word, start, start + len(word))]
            # jieba's own search mode only adds 2- and 3-character sub-words; domain terms nest deeper
            # (危险废物 inside 危险废物转移联单), so add every dictionary word inside a long word.
            length = len(word)
            for size in range(2, min(length, _MAX_SUBWORD + 1)):
                for offset in range(length - size + 1):
                    sub = word[offset : offset + size]
                    if sub not in self._stopwords and self._is_dictionary_word(sub):
                        terms.append(Term(sub, start + offset, start + offset + size))
            return terms
        lowered = word.lower()
        if lowered in self._stopwords:
            return []
        token = self._stemmer.stemWord(lowered) if lowered.isalpha() else lowered
        return [Term(token, start, start + len(word))]

    def _synonym_terms(self, text: str) -> list[Term]:
        found: set[tuple[str, int, int]] = set()
        for member, group in self._cjk_members:
            pos = text.find(member)
            while pos >= 0:
                found.add((group, pos, pos + len(member)))
                pos = text.find(member, pos + 1)
        found.update(self._latin_synonym_matches(text))
        # "联单" inside "转移联单" is the same mention of the same group: count it once.
        return [
            Term(group, start, end, synonym=True)
            for group, start, end in sorted(found, key=lambda m: (m[1], m[2], m[0]))
            if not any(
                other[0] == group and other[1] <= start and end <= other[2] and other != (group, start, end)
                for other in found
            )
        ]

    def _latin_synonym_matches(self, text: str) -> set[tuple[str, int, int]]:
        if not self._latin_members:
            return set()
        words = list(_LATIN_WORD.finditer(text))
        if not words:
            return set()
        stems = [self._stemmer.stemWord(m.group().lower()) for m in words]
        joined = " " + " ".join(stems) + " "
        # Character offset in `joined` -> word index, to map matches back to spans in `text`.
        word_at: dict[int, int] = {}
        offset = 1
        for index, stem in enumerate(stems):
            word_at[offset] = index
            offset += len(stem) + 1
        found = set()
        for member, group in self._latin_members:
            pos = joined.find(member)
            while pos >= 0:
                first = word_at[pos + 1]
                last = first + member.count(" ") - 2
                found.add((group, words[first].start(), words[last].end()))
                pos = joined.find(member, pos + 1)
        return found

    # -- public -------------------------------------------------------------------------------------------
    def analyse(self, text: str) -> list[Term]:
        text = normalise(text)
        terms: list[Term] = []
        # HMM off: its guessed "words" (费是, 报告会) are noise in short questions; unknown runs stay as
        # single characters, which still match and weigh little.
        for word, start, _end in self._jieba.tokenize(text, HMM=False):
            terms.extend(self._word_terms(word, start))
        for match in _CODE.finditer(text):
            terms.append(Term(match.group().lower(), match.start(), match.end()))
        terms.extend(self._synonym_terms(text))
        return terms

    def tokens(self, text: str) -> list[str]:
        return [term.token for term in self.analyse(text)]

    def bigrams(self, text: str) -> list[str]:
        """Overlapping character pairs of the Chinese text: a second view that still matches when a
        colloquial question and a guideline segment the same words differently (单独填报 / 各自填报)."""
        pairs = []
        for run in _CJK_RUN.findall(normalise(text)):
            pairs.extend(
                run[i : i + 2]
                for i in range(len(run) - 1)
                if run[i] not in _FUNCTION_CHARS and run[i + 1] not in _FUNCTION_CHARS
            )
        return [pair for pair in pairs if pair not in self._stopwords]


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build_analyser() -> Analyser:
    return Analyser()


def get_analyser() -> Analyser:
    """The process-wide analyser, built on first use (never at import time)."""
    with _lock:
        return _build_analyser()
