"""The request router on a small fixture dataset: determinism, staleness, clear cases, calibration, the
department override table and its validation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.routing import Router, RoutingDataError
from knowledge.routing.data import load_overrides, load_taxonomy
from knowledge.routing.features import READ_CHARS, prepare
from knowledge.routing.model import build, ensure_model, staleness
from knowledge.settings import KnowledgeSettings

HEADER = "level1\tlevel2\tstyle\ttext\n"
FIXTURE = {
    ("城乡建设", "物业与小区管理"): [
        "小区物业不管事，电梯坏了一个月没人修",
        "物业费年年涨，服务却越来越差",
        "我们小区的物业乱收停车费",
        "业主群里都在骂物业，楼道灯坏了半年",
        "物业公司把小区绿地改成了停车位",
        "小区电梯经常困人，物业推说没钱维修",
        "物业强制业主交装修押金",
        "尊敬的市长您好！我是某小区业主，物业公司长期不履行职责，垃圾堆在楼下无人清理。此致敬礼",
    ],
    ("劳动和社会保障", "劳动关系与欠薪"): [
        "老板拖欠工资三个月了，怎么讨薪",
        "工地欠薪，农民工工资一直不发",
        "公司不签劳动合同还不给加班费",
        "被公司无故辞退，没有任何补偿",
        "包工头跑了，我们的工资谁来付",
        "厂里拖欠我们半年工资，找劳动监察有用吗",
        "干了一年活，老板一分钱工资都没结",
        "尊敬的领导：我在某建筑工地务工，项目部拖欠我们二十多名工人的工资，至今未付，恳请帮助。此致敬礼",
    ],
    ("劳动和社会保障", "住房公积金"): [
        "公积金怎么提取出来",
        "单位不给交公积金怎么办",
        "公积金贷款额度是多少",
        "离职以后公积金能取吗",
        "租房能提取公积金吗",
        "公积金账户被冻结了",
        "公积金贷款审批太慢",
        "异地买房公积金怎么用",
    ],
    ("环境保护", "噪声扰民"): [
        "楼下饭店晚上噪音太大睡不着",
        "广场舞音响太吵了，每天晚上十点还在跳",
        "隔壁工厂机器噪声扰民",
        "半夜有人开改装车炸街，噪音扰民",
        "KTV噪音扰民到凌晨两点",
        "楼上装修天天电钻声，周末也不停",
        "夜市噪声太大，老人孩子没法休息",
        "尊敬的市长：我家附近的酒吧每晚噪音扰民，严重影响休息，请环保部门管一管。谢谢",
    ],
    ("交通运输", "公交出行"): [
        "公交车太少了，等了四十分钟",
        "3路公交末班车能不能延后",
        "公交司机开车太猛，老人差点摔倒",
        "我们小区附近没有公交站",
        "公交车到站不停，直接开走了",
        "希望增加一条去高铁站的公交线路",
        "公交卡充值点太少",
        "公交车上空调不开，太热了",
    ],
    ("党务政务", "窗口服务态度"): [
        "窗口工作人员态度太差，问两句就不耐烦",
        "办事大厅的工作人员上班时间玩手机",
        "窗口人员爱答不理，让我排了三次队",
        "工作人员说话难听，对老人大呼小叫",
        "去窗口办事被推来推去，没人管",
        "窗口工作人员擅自离岗，一等就是半小时",
        "办事员态度恶劣，还摔材料",
        "尊敬的领导：我在政务服务中心办事时，窗口工作人员态度冷漠，多次询问都不予理睬，希望加强管理。此致敬礼",
    ],
}
CLEAR_CASES = {
    "物业把电梯停了，业主怎么办": "城乡建设",
    "老板欠我工资不给": "劳动和社会保障",
    "晚上噪音吵得睡不着觉": "环境保护",
    "公交车半小时才来一班": "交通运输",
    "想提取公积金还房贷": "劳动和社会保障",
}


def write_examples(path: Path, extra: str = "") -> Path:
    lines = [
        f"{l1}\t{l2}\t{'letter' if len(t) > 40 else 'chat'}\t{t}\n" for (l1, l2), ts in FIXTURE.items() for t in ts
    ]
    path.write_text(HEADER + "".join(lines) + extra, encoding="utf-8")
    return path


def fixture_settings(tmp_path: Path) -> KnowledgeSettings:
    return KnowledgeSettings().with_changes(
        routing_examples_file=write_examples(tmp_path / "examples.tsv"),
        routing_dir=tmp_path / "model",
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    settings = fixture_settings(tmp_path_factory.mktemp("routing"))
    build(settings)
    return settings


@pytest.fixture(scope="module")
def router(built: KnowledgeSettings) -> Router:
    return Router.load(built)


def artefact_hashes(model_dir: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(model_dir.iterdir())}


def test_the_build_is_deterministic(built: KnowledgeSettings, tmp_path: Path) -> None:
    again = built.with_changes(routing_dir=tmp_path / "again")
    build(again)
    assert artefact_hashes(again.routing_model_dir) == artefact_hashes(built.routing_model_dir)


def test_changing_the_examples_makes_the_model_stale_and_rebuilds_it(tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path)
    assert staleness(settings) == "no model"
    first, built_now = ensure_model(settings)
    assert built_now and staleness(settings) is None
    assert ensure_model(settings) == (first, False)
    write_examples(settings.routing_examples_file, "环境保护\t噪声扰民\tchat\t工地夜里打桩声音太大\n")
    assert staleness(settings) == "changed: examples"
    second, built_now = ensure_model(settings)
    assert built_now and second["model_sha256"] != first["model_sha256"]
    assert second["examples"] == first["examples"] + 1 and staleness(settings) is None


@pytest.mark.parametrize(("text", "expected"), sorted(CLEAR_CASES.items()))
def test_clear_cases_are_routed_right(router: Router, text: str, expected: str) -> None:
    assert router.route(text).category == expected


def test_level2_is_the_predicted_categorys(router: Router) -> None:
    assert router.route("公积金能不能提前取出来").subcategory == "住房公积金"
    assert router.route("工地老板拖欠农民工工资").subcategory == "劳动关系与欠薪"


def test_confidence_and_alternatives_are_consistent(router: Router) -> None:
    for text in [*CLEAR_CASES, "你好", "？？？", "完全无关的一句话 abc 123"]:
        routed = router.route(text)
        assert 0.0 <= routed.confidence <= 1.0
        assert len(routed.alternatives) == 3
        scores = [a.score for a in routed.alternatives]
        assert scores == sorted(scores, reverse=True) and sum(scores) <= 1.0 + 1e-3
        top = routed.alternatives[0]
        assert (top.category, top.subcategory, top.department, top.score) == (
            routed.category,
            routed.subcategory,
            routed.department,
            routed.confidence,
        )
        assert len({a.category for a in routed.alternatives}) == 3
    assert router.route("物业不修电梯，业主投诉物业").confidence > router.route("你好").confidence


def test_level2_weights_are_kept_sparse_with_the_same_values(built: KnowledgeSettings, router: Router) -> None:
    # Issue 15's memory goal: only the non-zero level-2 weights stay in memory; routing reads the same values.
    model_dir = built.routing_model_dir
    with np.load(model_dir / json.loads((model_dir / "manifest.json").read_text())["weights"]) as stored:
        dense = stored["w2"]
    assert len(router.w2.data) < dense.size / 2
    rows = np.array([0, 3, 3, dense.shape[0] - 1, 7], dtype=np.int32)
    for columns in (slice(0, 2), slice(1, dense.shape[1]), slice(0, 0)):
        assert np.array_equal(router.w2.take(rows, columns), dense[rows, columns])
    assert router.w2.take(np.array([], dtype=np.int32), slice(0, 2)).shape == (0, 2)


def test_a_long_letter_is_read_up_to_the_limit(router: Router) -> None:
    letter = "尊敬的市长：您好！" + "楼下饭店晚上噪音太大睡不着。" * 400 + "此致敬礼"
    assert len(prepare(letter)) <= READ_CHARS
    assert not prepare(letter).startswith("尊敬")
    assert router.route(letter).category == "环境保护"


def test_departments_follow_the_override_table(router: Router) -> None:
    # 劳动和社会保障's default department is 市人力资源和社会保障局; level-2 住房公积金 is overridden.
    assert router.route("公积金怎么提取").department == "市住房公积金管理中心"
    assert router.route("老板拖欠工资三个月").department == "市人力资源和社会保障局"
    assert router.route("晚上噪音吵得睡不着觉").department == "市生态环境局"


def write_overrides(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keyword_rules_come_first_and_respect_their_categories(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(KnowledgeSettings().categories_file)
    overrides = load_overrides(
        write_overrides(
            tmp_path,
            "keywords:\n  - {keyword: 医保, department: 市医疗保障局, categories: [劳动和社会保障]}\n"
            "level2:\n  住房公积金: 市住房公积金管理中心\n",
        ),
        taxonomy,
    )
    assert overrides.department("医保报销", "劳动和社会保障", "养老保险", "默认") == "市医疗保障局"
    assert overrides.department("医保报销", "卫生计生", "医疗服务", "默认") == "默认"
    assert overrides.department("提取", "劳动和社会保障", "住房公积金", "默认") == "市住房公积金管理中心"
    assert load_overrides(tmp_path / "missing.yaml", taxonomy).department("x", "政法", None, "d") == "d"


def test_the_shipped_override_table_is_valid() -> None:
    settings = KnowledgeSettings()
    overrides = load_overrides(settings.department_overrides_file, load_taxonomy(settings.categories_file))
    assert overrides.keywords and overrides.level2
    # A 棋牌室's noise at night is the police's; a factory's stays the environment bureau's.
    noise = ("环境保护", "噪声扰民", "市生态环境局")
    assert overrides.department("楼下棋牌室半夜打麻将太吵", *noise) == "市公安局"
    assert overrides.department("工厂机器噪音太大", *noise) == "市生态环境局"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("level2:\n  住房公积金: 市公积金中心\n", "unknown department '市公积金中心'"),
        ("level2:\n  不存在的分类: 市医疗保障局\n", "'不存在的分类' is not a level-2 category"),
        ("keywords:\n  - {keyword: '', department: 市医疗保障局}\n", "keywords entry 1: 'keyword'"),
        ("keywords:\n  - {keyword: 医保, department: 市医疗保障局, categories: [医疗]}\n", "keywords entry 1"),
        ("keywords:\n  - {keyword: 医保, dept: 市医疗保障局}\n", "keywords entry 1: expected the fields"),
        ("departments: {}\n", "unknown field(s) departments"),
        ("level2: [\n", "not valid YAML"),
    ],
)
def test_a_bad_override_file_is_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = write_overrides(tmp_path, content)
    with pytest.raises(RoutingDataError, match=None) as caught:
        load_overrides(path, load_taxonomy(KnowledgeSettings().categories_file))
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_bad_override_file_stops_the_build(tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path).with_changes(
        department_overrides_file=write_overrides(tmp_path, "level2:\n  住房公积金: 不存在的部门\n")
    )
    with pytest.raises(RoutingDataError, match="unknown department"):
        build(settings)


def test_bad_examples_name_the_line(tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path)
    write_examples(settings.routing_examples_file, "环境保护\t不存在\tchat\t噪音\n")
    with pytest.raises(RoutingDataError, match=r"examples.tsv:50: '不存在' is not a level-2 category"):
        build(settings)


def test_the_extra_departments_list_admits_a_new_department(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(KnowledgeSettings().categories_file)
    path = write_overrides(tmp_path, "extra_departments: [市新部门]\nlevel2:\n  医疗保障: 市新部门\n")
    assert load_overrides(path, taxonomy).department("", "劳动和社会保障", "医疗保障", None) == "市新部门"
