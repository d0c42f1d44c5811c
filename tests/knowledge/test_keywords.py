"""Hot-topic keywords (knowledge/keywords.py): jieba's TF-IDF on the one jieba dictionary of the process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jieba.analyse
import pytest

from knowledge import KnowledgeSettings
from knowledge.keywords import idf_table, salient_words
from knowledge.text import Segmenter

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = KnowledgeSettings().routing_examples_file


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter(KnowledgeSettings().dict_dir)


def test_the_words_are_jiebas_tf_idf_ones_on_the_shared_dictionary(segmenter: Segmenter) -> None:
    reference = jieba.analyse.TFIDF()
    reference.tokenizer = segmenter.jieba()
    lines = [line for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    texts = [line.split("\t")[3] for line in lines[1:]]  # after the header
    for start in range(0, 1200, 40):
        text = "\n".join(texts[start : start + 40])
        assert salient_words(text, segmenter, 12) == reference.extract_tags(text, topK=12)
    assert salient_words("the of and", segmenter, 3) == []


def test_the_idf_table_answers_like_jiebas(segmenter: Segmenter) -> None:
    reference = jieba.analyse.TFIDF()
    table = idf_table()
    assert table.median == reference.median_idf
    for word in ("停水", "物业", "公积金", "中华人民共和国", "不存在的词语xyz", "水"):
        assert table.idf(word) == reference.idf_freq.get(word, reference.median_idf)


def test_keywords_load_no_second_jieba_dictionary() -> None:
    # jieba.analyse loaded a second dictionary, tagging tables and a dict of IDFs: +159 MB (issue 15).
    script = (
        "import sys\n"
        "from knowledge import KnowledgeSettings\n"
        "from knowledge.keywords import salient_words\n"
        "from knowledge.text import Segmenter\n"
        "print(salient_words('小区停水三天了，物业不管', Segmenter(KnowledgeSettings().dict_dir), 3))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('jieba.analyse', 'jieba.posseg'))))\n"
        "import jieba\n"
        "print(jieba.dt.initialized)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300, check=True
    )
    words, modules, global_dictionary = completed.stdout.strip().splitlines()[-3:]
    assert "停水" in words
    assert (modules, global_dictionary) == ("[]", "False")
