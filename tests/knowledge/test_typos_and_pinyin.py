"""Typos, homophones and typed pinyin still find the right service (lexical mode, real service files)."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("社保咔怎么办", "社会保障卡申领"),
        ("shebaoka zenme ban", "社会保障卡申领"),
        ("shebaoka diule zenme ban", "社会保障卡挂失补换"),  # 丢了 in pinyin
        ("公基金提取要啥材料", "住房公积金提取"),
        ("身份症丢了怎么补", "居民身份证换领补领"),
        ("医宝电子凭证怎么激活", "医保电子凭证激活"),
        ("juzhuzheng banli", "居住证办理"),
        ("房产证丢了咋补办", "不动产权证书补办"),
        ("公组房怎么申请", "公共租赁住房申请"),
    ],
)
def test_misspelled_questions_find_the_service(lexical_kb: KnowledgeBase, question: str, service: str) -> None:
    result = lexical_kb.search(question)
    assert result.hits[0].service == service
    assert result.confident


def test_typo_is_read_as_the_word_it_sounds_like(lexical_kb: KnowledgeBase) -> None:
    analyzer = lexical_kb._loaded.lexical.analyzer
    assert "社保卡" in analyzer.expand("社保咔怎么申请").split()
    assert "公积金" in analyzer.expand("公基金").split()
    assert "居住证" in analyzer.expand("juzhuzheng").split()


def test_real_words_are_not_corrected_into_sound_alikes(lexical_kb: KnowledgeBase) -> None:
    # 事业 (career) sounds like 失业 (unemployment) but is a word of its own.
    assert "失业" not in lexical_kb._loaded.lexical.analyzer.expand("事业单位招聘").split()[1:]


def test_not_pinyin_letters_stay_words(lexical_kb: KnowledgeBase) -> None:
    analyzer = lexical_kb._loaded.lexical.analyzer
    assert analyzer.split_pinyin("shebaoka") == ["she", "bao", "ka"]
    assert analyzer.split_pinyin("etc") == []
    assert "etc" in analyzer.features("etc怎么办").words
