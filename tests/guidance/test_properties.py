"""Properties that must hold for any text a user or a document can contain."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guidance
from guidance.answer import split_sentences
from guidance.assistant import check_question
from guidance.tokenizer import get_analyser

mixed_text = st.text(
    alphabet=st.sampled_from(list("危险废物排污许可证的了。，！？；：、 \n\tabcXYZ019-/.,;:()[]“”１２３ＡＢ")),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(mixed_text)
def test_analyser_never_fails_and_yields_clean_tokens(text: str):
    analyser = get_analyser()
    for term in analyser.analyse(text):
        assert term.token and not any(ch.isspace() for ch in term.token)
        assert 0 <= term.start < term.end
    assert all(len(pair) == 2 for pair in analyser.bigrams(text))


@settings(max_examples=150, deadline=None)
@given(mixed_text)
def test_sentences_are_pieces_of_the_text(text: str):
    flat = text.replace("\n", " ")
    for sentence in split_sentences(text):
        assert sentence.strip() == sentence and sentence
        assert all(word in flat for word in sentence.split())


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=1200))
def test_any_question_is_either_rejected_cleanly_or_answered(question: str):
    try:
        check_question(question)
    except guidance.QuestionError as err:
        assert str(err)
        return
    assert question.strip() and len(question.strip()) <= 1000


@pytest.mark.parametrize("question", ["？？？", "the of and", "。", "1"])
def test_questions_without_content_words_are_refused(assistant: guidance.Assistant, question: str):
    answer = assistant.ask(question)
    assert not answer.grounded and answer.citations == []
