from __future__ import annotations

import pytest
from langchain_core.documents import Document

import guidance


def test_retriever_invoke_returns_documents_with_citation_metadata(assistant: guidance.Assistant):
    docs = assistant.retriever.invoke("危险废物转移联单要保存多久")
    assert docs and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert top.metadata["chunk_id"] == "hazardous-waste.zh.4.1"
    assert top.metadata["section"] == "3.2 联单的保存"
    assert top.metadata["section_path"] == ["3 危险废物转移联单", "3.2 联单的保存"]
    assert top.metadata["source_note"].startswith("依据：")
    assert top.metadata["score"] > 0 and top.metadata["rank"] == 1
    assert "依据" not in top.page_content
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_retriever_is_a_langchain_runnable(assistant: guidance.Assistant):
    results = assistant.retriever.batch(["排污许可证编号有几位", "emission factor"])
    assert results[0][0].metadata["doc_id"] == "discharge-permit"
    assert results[1][0].metadata["doc_id"] == "carbon"


def test_question_language_is_preferred_when_both_versions_match(assistant: guidance.Assistant):
    zh = assistant.retriever.invoke("危险废物转移联单保存几年")
    en = assistant.retriever.invoke("How many years is the hazardous waste transfer manifest kept?")
    assert zh[0].metadata["lang"] == "zh"
    assert en[0].metadata["lang"] == "en"


def test_english_question_finds_a_document_only_written_in_chinese(assistant: guidance.Assistant):
    docs = assistant.retriever.invoke("What is the penalty for not submitting the execution report?")
    assert docs[0].metadata["chunk_id"] == "discharge-permit.zh.4.1"


def test_chinese_question_finds_a_document_only_written_in_english(assistant: guidance.Assistant):
    docs = assistant.retriever.invoke("红牌企业的污水处理费是多少")
    assert docs[0].metadata["doc_id"] == "credit-rating"


def test_context_biases_but_does_not_replace_the_question(assistant: guidance.Assistant):
    plain = assistant.searcher.search(assistant.searcher.analyse("有效期多长"), 5)
    biased = assistant.searcher.search(assistant.searcher.analyse("有效期多长", context="危险废物"), 5)
    assert plain and biased
    assert biased[0].passage.doc_id == "hazardous-waste"
    # A context alone never makes an unrelated passage appear.
    assert assistant.searcher.search(assistant.searcher.analyse("最低工资", context="危险废物"), 5) == []


def test_short_follow_up_is_read_with_the_previous_question(assistant: guidance.Assistant):
    history = [("危废转移联单要保存几年？", "产生单位应当保存转移联单 5 年。[1]")]
    follow_up = assistant.ask("英文版呢？", history=history)
    assert follow_up.grounded
    assert follow_up.citations[0].doc_id == "hazardous-waste"
    alone = assistant.ask("英文版呢？")
    assert not alone.grounded


@pytest.mark.parametrize("question", ["什么是绿色供应链？", "排污许可证到期怎么办", "What is ISO 14001?",
                                      "其它废物怎么申报？", "Is there a deadline?"])
def test_a_short_question_that_stands_on_its_own_is_not_read_with_the_previous_one(
        assistant: guidance.Assistant, question: str):
    history = [("危险废物转移联单怎么填？", "产生单位应当保存转移联单 5 年。[1]")]
    assert assistant.searcher.analyse(question, history=history).text == question


@pytest.mark.parametrize("question", ["英文版呢？", "那深圳的规定", "这个要保存多久", "它要保存多久",
                                      "And the receiver?", "Where is it kept?"])
def test_a_short_question_worded_as_a_follow_up_is_read_with_the_previous_one(
        assistant: guidance.Assistant, question: str):
    history = [("危险废物转移联单怎么填？", "产生单位应当保存转移联单 5 年。[1]")]
    assert assistant.searcher.analyse(question, history=history).text == f"{question} 危险废物转移联单怎么填？"


def test_short_english_follow_up_is_read_with_the_previous_question(assistant: guidance.Assistant):
    history = [("How long must the generator keep a hazardous waste manifest?", "5 years [1]")]
    answer = assistant.ask("And the receiver?", history=history)
    assert answer.grounded and answer.citations[0].doc_id == "hazardous-waste"
    long_question = "What is the penalty for not submitting the execution report on time?"
    assert assistant.searcher.analyse(long_question, history=history).text == long_question


def test_sources_cite_only_passages_that_cover_the_topic_in_the_readers_language(assistant: guidance.Assistant):
    zh = assistant.sources("转移联单 保存 年限", "zh")
    assert [(c.doc_id, c.lang, c.section) for c in zh][:1] == [("hazardous-waste", "zh", "3.2 联单的保存")]
    en = assistant.sources("转移联单 保存 年限", "en")  # the same numbered section, in English
    assert [(c.doc_id, c.lang, c.section) for c in en][:1] == [("hazardous-waste", "en", "3.2 Keeping manifests")]
    only_zh = assistant.sources("废物代码的结构", "en")  # the English version has no section 2.1
    assert only_zh and only_zh[0].lang == "zh" and only_zh[0].section == "2.1 废物代码的结构"
    assert assistant.sources("最低工资 劳动合同", "zh") == []  # nothing covers it: no source, not a weak guess
