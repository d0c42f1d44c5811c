"""A confident guide is no answer when the question is about a document its service does not deal with, or asks for
a procedure it is not about."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, KnowledgeSettings
from knowledge.documents import read_documents, read_procedures

DOCUMENTS = read_documents(KnowledgeSettings().dict_dir / "documents.tsv")
PROCEDURES = read_procedures(KnowledgeSettings().dict_dir / "procedures.tsv")
ID_CARD = frozenset({"居民身份证"})
HOUSEHOLD_REGISTER = frozenset({"户口簿"})


@pytest.mark.parametrize(
    ("question", "own", "materials", "another"),
    [
        ("户口本丢了 补办要户主本人去吗", ID_CARD, HOUSEHOLD_REGISTER, True),  # asked about, only a material
        ("护照过期了在哪换", ID_CARD, HOUSEHOLD_REGISTER, True),  # neither own nor a material
        ("身份证丢了户口本还在 怎么补", ID_CARD, HOUSEHOLD_REGISTER, False),  # the service's own too
        ("补身份证要带户口本吗", ID_CARD, HOUSEHOLD_REGISTER, False),
        ("身份证丢了补办要带户口本吗", ID_CARD, HOUSEHOLD_REGISTER, False),
        ("查公积金要带身份证吗", frozenset(), ID_CARD, False),  # a material brought along
        ("查公积金要带身份证吗", frozenset(), frozenset(), True),
        ("公积金怎么取", frozenset(), frozenset(), False),  # no document named
        ("卖二手房要交哪些税", frozenset(), ID_CARD, True),  # the house sold, not a guide's own
        # What is on a document makes it the subject, even when the question names the service's own too.
        ("俺妈户口本上年龄比身份证大两岁 咋改啊要开啥证明", ID_CARD, HOUSEHOLD_REGISTER, True),
        ("户口本上的名字跟身份证不一样 咋办", ID_CARD, HOUSEHOLD_REGISTER, True),
        ("结婚证上的名字和身份证不一样怎么办", ID_CARD, frozenset(), True),
        ("身份证上的地址还是老家的 要换吗", ID_CARD, HOUSEHOLD_REGISTER, False),
        ("要带户口本身份证上民政局吗", frozenset({"结婚证"}), ID_CARD | HOUSEHOLD_REGISTER, False),  # 上: go to
    ],
)
def test_a_question_about_another_document(question, own, materials, another) -> None:
    assert DOCUMENTS.about_another(question, own, materials) is another


def test_written_forms_name_their_document() -> None:
    assert DOCUMENTS.named("娃的接种本弄丢了，驾照也到期了") == {"预防接种证", "机动车驾驶证"}
    assert DOCUMENTS.asked_about("娃的接种本弄丢了，要带身份证吗") == {"预防接种证"}
    assert DOCUMENTS.asked_about("户口本上的名字错了 身份证上哪办") == {"户口簿"}
    assert DOCUMENTS.asked_about("社保卡上名字印错了，带身份证上午能办吗") == {"社会保障卡"}


@pytest.mark.parametrize(
    ("question", "own", "another"),
    [
        ("个体户不干了注销执照是不是还要去税务那边 要来回跑几个地方啊", frozenset(), True),
        ("营业执照地址变更要带什么", frozenset(), True),
        ("户口迁出要什么材料", frozenset({"迁出", "转移"}), False),  # 户口迁移's own
        ("身份证号码更正去哪办", frozenset({"变更"}), False),  # 更正 is a 变更
        ("公司注销后公积金怎么提取", frozenset(), False),  # what came before the question
        ("社保卡挂失了后来又找到了，能解除挂失吗", frozenset(), False),  # no procedure of the table
        ("结婚证丢了怎么补", frozenset(), True),  # 补办: a replacement, which 结婚登记 is not about
        ("房产证上加名字怎么办", frozenset({"补办"}), True),  # 加名 is a change of owners, not a replacement
        ("孩子疫苗漏打了怎么补种", frozenset(), False),  # 补种, 补缴, 补贴: other words
        ("社保断了几个月怎么补缴", frozenset(), False),
    ],
)
def test_a_question_asking_for_another_procedure(question, own, another) -> None:
    assert PROCEDURES.about_another(question, own) is another


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("户口本丢了 补办要户主本人去吗", "居民身份证换领补领"),
        ("户口本上的名字跟身份证不一样 咋办", "居民身份证换领补领"),
        ("户口本上年龄比身份证小一岁怎么办", "居民身份证换领补领"),
        ("户口簿上的民族填错了 身份证上也要改吗", "居民身份证换领补领"),
        ("个体户不干了注销执照是不是还要去税务那边 要来回跑几个地方啊", "个体工商户设立登记"),
        ("个体户不干了 营业执照怎么注销", "个体工商户设立登记"),
        ("小店不开了 个体执照注销去哪办", "个体工商户设立登记"),
        ("个体户经营者变更怎么办", "个体工商户设立登记"),
        ("个体户歇业要办什么手续", "个体工商户设立登记"),
        ("公司注销要多久", "企业设立登记"),
        ("企业注销要带哪些材料", "企业设立登记"),
        ("公积金转移怎么办", "住房公积金提取"),
        ("离婚登记能撤销吗", "离婚登记"),
        ("结婚证丢了怎么补办", "居民身份证换领补领"),  # no guide replaces a marriage certificate
        ("房产证上加名字怎么办", "不动产权证书补办"),
    ],
)
def test_a_neighbouring_guide_is_not_confident_on_a_question_about_another_document_or_procedure(
    lexical_kb: KnowledgeBase, question: str, service: str
) -> None:
    result = lexical_kb.search(question)
    assert result.hits[0].service == service
    assert result.hits[0].score >= lexical_kb.settings.threshold  # the guide scores high enough on the rest
    assert not result.confident and result.another_subject


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("身份证丢了补办要带户口本吗", "居民身份证换领补领"),
        ("补办身份证要带户口本吗", "居民身份证换领补领"),
        ("身份证上的地址还是老家的 要换吗", "居民身份证换领补领"),
        ("身份证信息变更了要换证吗", "居民身份证换领补领"),  # its summary: 登记信息变更需要换领
        ("查公积金要带身份证吗", "住房公积金缴存查询"),
        ("要带户口本身份证上民政局吗", "结婚登记"),
        ("户口迁出要什么材料", "户口迁移"),
        ("户口迁出去哪办", "户口迁移"),
        ("社保卡挂失", "社会保障卡挂失补换"),
        ("社保卡挂失打哪个电话", "社会保障卡挂失补换"),
        ("社保卡挂失了后来又找到了，能解除挂失吗", "社会保障卡挂失补换"),
        ("退休了公积金怎么销户提取", "住房公积金提取"),
        ("公司注销后公积金怎么提取", "住房公积金提取"),
        ("异地就医备案办了以后还能取消吗", "异地就医备案"),
        ("食品经营许可证到期了怎么延续", "食品经营许可"),
        ("房子过户要交多少税", "不动产转移登记"),  # its guide names 缴税
        ("社保卡怎么补", "社会保障卡挂失补换"),
        ("残疾证丢了怎么补办", "残疾人证办理"),  # its questions: 残疾证丢了能补吗
        ("房产证丢了怎么补办", "不动产权证书补办"),
        ("孩子疫苗漏打了怎么补种", "预防接种"),
    ],
)
def test_a_question_about_the_guides_own_documents_and_procedures_stays_confident(
    lexical_kb: KnowledgeBase, question: str, service: str
) -> None:
    result = lexical_kb.search(question)
    assert result.confident
    assert result.hits[0].service == service


@pytest.mark.model
def test_the_default_model_is_not_confident_on_another_document_or_procedure(tmp_path: Path) -> None:
    # The second question reaches the threshold only with the dense scores.
    kb = KnowledgeBase.from_settings(KnowledgeSettings().with_changes(index_dir=tmp_path / "index"))
    for question, service in [
        ("个体户不干了注销执照是不是还要去税务那边 要来回跑几个地方啊", "个体工商户设立登记"),
        ("俺妈户口本上年龄比身份证大两岁 咋改啊要开啥证明", "居民身份证换领补领"),
    ]:
        result = kb.search(question)
        assert result.hits[0].service == service
        assert result.hits[0].score >= kb.settings.threshold
        assert not result.confident


@pytest.mark.parametrize(
    ("table", "question"),
    [("documents.tsv", "户口本丢了 补办要户主本人去吗"), ("procedures.tsv", "公司注销要多久")],
)
def test_the_tables_are_read_from_the_dictionary_directory(
    tmp_path: Path, settings: KnowledgeSettings, table: str, question: str
) -> None:
    dict_dir = tmp_path / "dict"
    shutil.copytree(settings.dict_dir, dict_dir)
    (dict_dir / table).write_text("", encoding="utf-8")  # an empty table
    kb = KnowledgeBase.from_settings(settings.with_changes(dict_dir=dict_dir, mode="lexical"))
    assert kb.search(question).confident


def test_another_subject_is_said_below_the_threshold_too(lexical_kb: KnowledgeBase) -> None:
    # "低保户" names 最低生活保障申请, the question asks for legal aid: the actions must not answer the named service.
    result = lexical_kb.search("俺是低保户想告人没钱请律师 听说有免费的去哪找啊")
    assert result.hits[0].service == "最低生活保障申请"
    assert result.another_subject and not result.confident
    assert not lexical_kb.search("低保户每个月能领多少钱").another_subject


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("驾照分扣完了怎么办", "机动车驾驶证换证"),  # penalty points: no guide deals with them
        ("在外地交的养老保险能转回六安吗", "城乡居民养老保险参保登记"),  # 转回 asks for a transfer
        ("个体户一个月营业额多少不用交税", "个体工商户设立登记"),  # taxes are not the registration's
        ("生二胎的生育津贴怎么算", "生育登记"),  # a benefit the registration does not pay
        ("营业执照年报漏报了 被列入异常名录 咋移出来", "个体工商户设立登记"),  # no guide deals with annual reports
    ],
)
def test_penalty_points_transfers_back_taxes_and_benefits_are_another_subject(
    lexical_kb: KnowledgeBase, question: str, service: str
) -> None:
    result = lexical_kb.search(question)
    assert result.hits[0].service == service
    assert result.another_subject and not result.confident


def test_a_benefit_its_own_guide_names_is_answered(lexical_kb: KnowledgeBase) -> None:
    result = lexical_kb.search("90岁老人有补贴吗")
    assert result.hits[0].service == "高龄津贴申领" and not result.another_subject
