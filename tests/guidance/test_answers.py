from __future__ import annotations

import re

import pytest

import guidance


def test_extractive_answer_cites_passages_with_numbered_markers(assistant: guidance.Assistant):
    answer = assistant.ask("危废联单要保存几年？")
    assert answer.grounded and answer.mode == "extractive" and answer.lang == "zh"
    assert "5 年" in answer.text
    markers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer.text)})
    assert markers == list(range(1, len(answer.citations) + 1))
    first = answer.citations[0]
    assert first.chunk_id == "hazardous-waste.zh.4.1" and first.section == "3.2 联单的保存"
    assert first.source_note.startswith("依据：") and "依据" not in answer.text
    sentences = [s for s in re.split(r"\[\d+\]", answer.text) if s]
    assert 1 <= len(sentences) <= 4
    assert all(s in " ".join(c.text for c in answer.citations) for s in sentences)


def test_english_question_gets_an_english_answer_when_an_english_passage_exists(assistant: guidance.Assistant):
    answer = assistant.ask("How long must the generator keep a hazardous waste manifest?")
    assert answer.grounded and answer.lang == "en"
    assert "5 years" in answer.text
    assert all(c.lang == "en" for c in answer.citations)


def test_question_outside_the_guidelines_is_refused_without_citations(assistant: guidance.Assistant):
    answer = assistant.ask("公司年会应该去哪里团建？")
    assert not answer.grounded and answer.citations == []
    assert "专家指导" in answer.text
    english = assistant.ask("How do I renew my passport?")
    assert not english.grounded and "expert guidance" in english.text


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Please enter a question"), ("  \n\t ", "Please enter a question"), ("x" * 1001, "too long")],
)
def test_bad_questions_raise_question_error(assistant: guidance.Assistant, question: str, message: str):
    with pytest.raises(guidance.QuestionError, match=message):
        assistant.ask(question)


def test_too_long_chinese_question_gets_a_chinese_message(assistant: guidance.Assistant):
    with pytest.raises(guidance.QuestionError, match="问题太长"):
        assistant.ask("危险废物" * 300)


def test_passage_lookup_and_documents_listing(assistant: guidance.Assistant):
    citation = assistant.passage("hazardous-waste.zh.4.1")
    assert citation is not None and citation.section_path[-1] == "3.2 联单的保存"
    assert assistant.passage("no-such.zh.1.1") is None
    docs = {(d.doc_id, d.lang): d for d in assistant.documents()}
    assert ("hazardous-waste", "en") in docs and ("hazardous-waste", "zh") in docs
    assert docs[("hazardous-waste", "zh")].sections[:2] == ["1 适用范围", "2.1 废物代码的结构"]


def test_suggestions_come_from_section_titles_of_matching_passages(assistant: guidance.Assistant):
    suggestions = assistant.suggest("危险废物", n=3)
    assert len(suggestions) == 3
    titles = [s for d in assistant.documents() for s in d.sections]
    assert all(any(re.sub(r"^[\d.]+\s*", "", t) in s for t in titles) for s in suggestions)
    assert all(s.endswith("？") for s in suggestions)
    assert assistant.suggest("", n=3) == []
    assert assistant.suggest("hazardous waste manifest", n=1)[0].startswith("What do the guidelines say about")


def test_stream_without_a_model_yields_the_text_then_the_answer(assistant: guidance.Assistant):
    parts = list(assistant.stream("危废联单要保存几年？"))
    assert isinstance(parts[-1], guidance.Answer)
    assert parts[:-1] == [parts[-1].text]


def test_sentences_split_at_chinese_and_english_ends_but_not_after_abbreviations():
    from guidance.answer import split_sentences

    text = "第一句。第二句；\n- 列表项！\n| a | b |\n|---|---|\nThe letter, e.g. P. Art. 37 applies."
    expected = ["第一句。", "第二句；", "列表项！", "| a | b |", "The letter, e.g. P.", "Art. 37 applies."]
    assert split_sentences(text) == expected
