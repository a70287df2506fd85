from __future__ import annotations

from guidance.config import DICTIONARY_FILE, SYNONYMS_FILE
from guidance.tokenizer import SYNONYM_PREFIX, get_analyser


def _data_lines(path):
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]


def test_domain_terms_are_kept_whole():
    tokens = get_analyser().tokens("请问危险废物转移联单和排污许可证的执行报告怎么填，统一社会信用代码在哪里？")
    for term in ("危险废物转移联单", "排污许可证", "执行报告", "统一社会信用代码"):
        assert term in tokens
    # The nested domain term is found too, so "危险废物" questions match manifest passages.
    assert "危险废物" in tokens


def test_stop_words_and_punctuation_are_dropped():
    tokens = get_analyser().tokens("的，。？！ what is the")
    assert tokens == []


def test_synonyms_match_in_both_directions():
    analyser = get_analyser()

    def groups(text):
        return {t for t in analyser.tokens(text) if t.startswith(SYNONYM_PREFIX)}

    assert groups("危废") & groups("危险废物")
    assert groups("危险废物") & groups("危废")
    assert groups("VOCs 治理") & groups("挥发性有机物治理")
    assert groups("COD") & groups("化学需氧量")
    assert groups("排污证") & groups("排污许可证")


def test_english_and_chinese_synonyms_meet():
    analyser = get_analyser()
    zh = set(analyser.tokens("危险废物的排放因子和排污许可证"))
    en = set(analyser.tokens("hazardous wastes, emission factors and discharge permits"))
    shared = {t for t in zh & en if t.startswith(SYNONYM_PREFIX)}
    assert len(shared) == 3


def test_english_is_lowercased_and_stemmed():
    tokens = get_analyser().tokens("Reporting REPORTS reported")
    assert tokens == ["report", "report", "report"]


def test_codes_are_kept_whole_as_well_as_in_parts():
    tokens = get_analyser().tokens("代码 900-041-49 和 NH3-N")
    assert "900-041-49" in tokens and "nh3-n" in tokens and "041" in tokens


def test_full_width_characters_are_folded():
    assert get_analyser().tokens("ＣＯＤ　９００") == get_analyser().tokens("COD 900")


def test_resource_files_meet_their_minimum_size():
    assert len(_data_lines(DICTIONARY_FILE)) >= 60
    groups = _data_lines(SYNONYMS_FILE)
    assert len(groups) >= 30
    assert all(len(line.split("|")) >= 2 for line in groups)
