"""A confident guide is no answer when the question is about a document its service does not deal with."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, KnowledgeSettings
from knowledge.documents import read_documents

DOCUMENTS = read_documents(KnowledgeSettings().dict_dir / "documents.tsv")
ID_CARD = frozenset({"居民身份证"})
HOUSEHOLD_REGISTER = frozenset({"户口簿"})


@pytest.mark.parametrize(
    ("question", "own", "materials", "another"),
    [
        ("户口本丢了 补办要户主本人去吗", ID_CARD, HOUSEHOLD_REGISTER, True),  # asked about, only a material
        ("护照过期了在哪换", ID_CARD, HOUSEHOLD_REGISTER, True),  # neither own nor a material
        ("身份证丢了户口本还在 怎么补", ID_CARD, HOUSEHOLD_REGISTER, False),  # the service's own too
        ("补身份证要带户口本吗", ID_CARD, HOUSEHOLD_REGISTER, False),
        ("查公积金要带身份证吗", frozenset(), ID_CARD, False),  # a material brought along
        ("查公积金要带身份证吗", frozenset(), frozenset(), True),
        ("公积金怎么取", frozenset(), frozenset(), False),  # no document named
        ("卖二手房要交哪些税", frozenset(), ID_CARD, True),  # the house sold, not a guide's own
    ],
)
def test_a_question_about_another_document(question, own, materials, another) -> None:
    assert DOCUMENTS.about_another(question, own, materials) is another


def test_written_forms_name_their_document() -> None:
    assert DOCUMENTS.named("娃的接种本弄丢了，驾照也到期了") == {"预防接种证", "机动车驾驶证"}
    assert DOCUMENTS.asked_about("娃的接种本弄丢了，要带身份证吗") == {"预防接种证"}


def test_a_neighbouring_guide_is_not_confident_on_a_question_about_another_document(
    lexical_kb: KnowledgeBase,
) -> None:
    result = lexical_kb.search("户口本丢了 补办要户主本人去吗")
    assert result.hits[0].service == "居民身份证换领补领"
    assert result.hits[0].score >= lexical_kb.settings.threshold  # the guide scores high enough on the rest
    assert not result.confident


def test_the_documents_table_is_read_from_the_dictionary_directory(tmp_path: Path, settings: KnowledgeSettings) -> None:
    dict_dir = tmp_path / "dict"
    shutil.copytree(settings.dict_dir, dict_dir)
    (dict_dir / "documents.tsv").write_text("colloquial\tdocument\n", encoding="utf-8")  # an empty table
    kb = KnowledgeBase.from_settings(settings.with_changes(dict_dir=dict_dir, mode="lexical"))
    assert kb.search("户口本丢了 补办要户主本人去吗").confident
