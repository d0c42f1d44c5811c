"""The gazetteer EntityRuler, trained from the project's lookups, synonyms and service catalogue, stored in a
real model storage and loaded back, as `rasa train` and the Rasa server do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("rasa", reason="the NLU component runs in the Rasa environment (.venv-rasa)")
pytest.importorskip("spacy", reason="spaCy is part of requirements/rasa.lock")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.entity_ruler import SpacyEntityRuler, build_patterns  # noqa: E402
from knowledge.schema import Service  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RULER = "SpacyEntityRuler"


@pytest.fixture(scope="module")
def ruler(tmp_path_factory: pytest.TempPathFactory) -> SpacyEntityRuler:
    # The pipeline's tokenizer runs first and gives jieba the project dictionary; do the same here.
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    tokenizer = next(step for step in pipeline if step["name"] == "JiebaTokenizer")
    JiebaTokenizer.create(
        {**JiebaTokenizer.get_default_config(), "dictionary_path": str(ROOT / tokenizer["dictionary_path"])},
        None,  # create() only loads the dictionary
        Resource("tokenizer"),
        ExecutionContext(GraphSchema({})),
    )
    data = load_data(str(ROOT / "nlu_data" / "lookups")).merge(load_data(str(ROOT / "nlu_data" / "synonyms.yml")))
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("entity_ruler")
    context = ExecutionContext(GraphSchema({}))
    config = SpacyEntityRuler.get_default_config()
    SpacyEntityRuler.create(config, storage, resource, context).train(data)
    return SpacyEntityRuler.load(config, storage, resource, context)


def parse(ruler: SpacyEntityRuler, text: str, entities: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    message = Message(data={"text": text, "entities": entities or []})
    ruler.process([message])
    return list(message.get("entities"))


def diet(text: str, mention: str, entity: str, value: str | None = None) -> dict[str, Any]:
    start = text.index(mention)
    return {
        "entity": entity,
        "value": value or mention,
        "start": start,
        "end": start + len(mention),
        "extractor": "DIETClassifier",
    }


@pytest.mark.parametrize(
    ("text", "entity", "value", "mention"),
    [
        ("金安区的政务中心几点开门", "district", "金安区", "金安区"),
        ("霍邱县低保怎么申请", "district", "霍邱县", "霍邱县"),
        ("我在霍邱那边上班", "district", "霍邱县", "霍邱"),
        ("叶集有没有婚姻登记处", "district", "叶集区", "叶集"),
        ("市公安局在哪", "department", "市公安局", "市公安局"),
        ("六安市公安局几点上班", "department", "市公安局", "六安市公安局"),
        ("人社局电话多少", "department", "市人力资源和社会保障局", "人社局"),
        ("车管所周末开门吗", "department", "市公安局交通警察支队", "车管所"),
        ("办社保卡要带什么", "service", "社会保障卡申领", "办社保卡"),
        ("社保卡补办要多久", "service", "社会保障卡挂失补换", "社保卡补办"),
        ("住房公积金提取要什么材料", "service", "住房公积金提取", "住房公积金提取"),
    ],
)
def test_gazetteer_mentions_get_canonical_values(
    ruler: SpacyEntityRuler, text: str, entity: str, value: str, mention: str
) -> None:
    entities = parse(ruler, text)
    match = [e for e in entities if e["entity"] == entity]
    assert len(match) == 1, entities
    assert match[0]["value"] == value
    assert text[match[0]["start"] : match[0]["end"]] == mention
    assert match[0]["extractor"] == RULER


def test_an_ambiguous_service_word_is_left_to_diet_and_retrieval(ruler: SpacyEntityRuler) -> None:
    # 社保卡: applying for one or replacing it? 身份证: the service, or the number that follows?
    assert parse(ruler, "社保卡在哪儿可以办") == []
    assert parse(ruler, "身份证号码341504199711283151") == []


def test_several_mentions_in_one_message(ruler: SpacyEntityRuler) -> None:
    entities = parse(ruler, "我在舒城县，要投诉医保局")
    assert [(e["entity"], e["value"]) for e in entities] == [("district", "舒城县"), ("department", "市医疗保障局")]


def test_text_without_gazetteer_words_gets_nothing(ruler: SpacyEntityRuler) -> None:
    assert parse(ruler, "今天天气怎么样") == []
    # a part of a longer word (社区 in 社区卫生) is not a mention
    assert parse(ruler, "社区卫生服务中心在哪") == []


def test_button_payloads_are_left_alone(ruler: SpacyEntityRuler) -> None:
    assert parse(ruler, '/inform{"district": "金安区"}') == []


def test_a_span_diet_already_found_is_not_duplicated(ruler: SpacyEntityRuler) -> None:
    text = "霍邱县低保怎么申请"
    entities = parse(ruler, text, [diet(text, "霍邱县", "district")])
    districts = [e for e in entities if e["entity"] == "district"]
    assert [(e["value"], e["extractor"]) for e in districts] == [("霍邱县", "DIETClassifier")]


def test_a_raw_value_of_the_same_span_becomes_canonical(ruler: SpacyEntityRuler) -> None:
    text = "第三代社保卡申领怎么弄"
    entities = parse(ruler, text, [diet(text, "第三代社保卡申领", "service")])
    assert len(entities) == 1
    assert entities[0]["value"] == "社会保障卡申领"
    assert entities[0]["extractor"] == "DIETClassifier" and entities[0]["processors"] == [RULER]


def test_rules_win_for_districts_and_departments(ruler: SpacyEntityRuler) -> None:
    text = "叶集的政务中心能办哪些事"
    # DIET took district and department for one department span
    entities = parse(ruler, text, [diet(text, "叶集的政务中心", "department")])
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("district", "叶集区", RULER),
        ("department", "政务中心", RULER),
    ]
    text = "我要投诉公积金中心"
    entities = parse(ruler, text, [diet(text, "公积金中心", "service")])
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("department", "市住房公积金管理中心", RULER)
    ]


def test_diet_keeps_a_longer_service_span(ruler: SpacyEntityRuler) -> None:
    text = "社保卡补办手续怎么走"
    entities = parse(ruler, text, [diet(text, "社保卡补办手续", "service")])
    assert [(e["value"], e["extractor"]) for e in entities] == [("社保卡补办手续", "DIETClassifier")]


def test_other_entity_types_are_never_replaced(ruler: SpacyEntityRuler) -> None:
    text = "金安区周一开门吗"
    # whatever another extractor claims for an entity type outside the gazetteers stays as it is
    date = {"entity": "date", "value": "金安区周一", "start": 0, "end": 5, "extractor": "DIETClassifier"}
    assert parse(ruler, text, [date]) == [date]


def service(name: str, aliases: tuple[str, ...], department: str) -> Service:
    fields: dict[str, Any] = dict.fromkeys(Service.__dataclass_fields__)
    return Service(**{**fields, "name": name, "aliases": aliases, "department": department})


def test_pattern_values_come_from_synonyms_names_and_aliases() -> None:
    services = [
        service("社会保障卡申领", ("办社保卡",), "市人力资源和社会保障局"),
        service("社会保障卡挂失补换", ("社保卡挂失",), "市人力资源和社会保障局"),
        service("结婚登记", ("领证",), "市民政局"),
    ]
    lookups = {
        "district": ["金安区", "金安"],
        "department": ["人社局", "婚姻登记处"],
        "service": ["社保卡"],
    }
    synonyms = {"金安": "金安区", "人社局": "市人力资源和社会保障局", "婚姻登记处": "市民政局", "登记处": "市民政局"}
    patterns = {(p["label"], p["pattern"]): p["id"] for p in build_patterns(lookups, synonyms, services)}
    assert patterns[("district", "金安")] == "金安区"
    assert patterns[("department", "人社局")] == "市人力资源和社会保障局"
    assert patterns[("department", "登记处")] == "市民政局"  # a synonym of a known department
    assert patterns[("department", "市民政局")] == "市民政局"  # a department of the catalogue
    assert patterns[("service", "社保卡挂失")] == "社会保障卡挂失补换"
    assert ("service", "社保卡") not in patterns  # which of the two? left to DIET and retrieval


def test_a_mention_of_two_entity_types_is_left_to_diet() -> None:
    services = [service("不动产登记中心", (), "市自然资源和规划局")]
    lookups = {"department": ["不动产登记中心"]}
    patterns = build_patterns(lookups, {}, services)
    assert "不动产登记中心" not in {p["pattern"] for p in patterns}
    assert "市自然资源和规划局" in {p["pattern"] for p in patterns}
