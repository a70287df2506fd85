"""Settings of the guidance library, read from the environment with safe defaults.

Retrieval and refusal constants live here (not scattered through the modules) because they are calibrated
together on the evaluation set: change one, re-run `python -m guidance eval`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_CORPUS_DIR = PACKAGE_DIR / "corpus"
DICTIONARY_FILE = PACKAGE_DIR / "dictionary.txt"
SYNONYMS_FILE = PACKAGE_DIR / "synonyms.txt"
STOPWORDS_FILE = PACKAGE_DIR / "stopwords.txt"

# Bump when the on-disk layout or the meaning of stored fields changes: old indexes are then rebuilt.
INDEX_FORMAT_VERSION = 1
MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class Settings:
    # Chunking, in characters. Corpus sections are 150-600 Chinese characters, so most stay one chunk; an
    # English section says the same in about three times as many characters.
    chunk_size: int = 900
    chunk_size_en: int = 2700
    chunk_overlap: int = 0
    # Retrieval.
    bm25_k1: float = 2.0  # sections are long and repeat their topic words: let term frequency count
    bm25_b: float = 0.75
    bigram_weight: float = 0.3  # the character-pair channel, relative to the word channel
    same_language_boost: float = 0.15  # a passage in the question's language wins when scores are close
    context_weight: float = 0.25  # the form-section hint biases, the question decides
    followup_max_chars: int = 12  # a question this short is read together with the previous one
    history_weight: float = 0.6
    # Refusal: the weighted share of the question's words that the best passage covers (answer.py).
    # Calibrated on tests/guidance/eval (Nov 2026: 103 answerable, 12 unanswerable questions): 0.48 sits
    # in the gap between the highest-scoring off-topic question (0.47) and most answerable ones.
    min_support: float = 0.48
    # Extractive answers.
    max_answer_sentences: int = 4
    min_answer_sentences: int = 2
    answer_passages: int = 3
    # Optional chat model (an OpenAI-compatible endpoint); unset means extractive answers only.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_timeout: float = 20.0

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        timeout = env.get("GUIDANCE_LLM_TIMEOUT")
        support = env.get("GUIDANCE_MIN_SUPPORT")
        return cls(
            llm_base_url=env.get("GUIDANCE_LLM_BASE_URL") or None,
            llm_model=env.get("GUIDANCE_LLM_MODEL") or None,
            llm_api_key=env.get("GUIDANCE_LLM_API_KEY") or None,
            llm_timeout=float(timeout) if timeout else cls.llm_timeout,
            min_support=float(support) if support else cls.min_support,
        )


def cache_root(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "greenchain-guidance"
