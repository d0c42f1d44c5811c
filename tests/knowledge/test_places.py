"""Places in residents' requests (knowledge/places.py) against the real gazetteer, and the loader's errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from knowledge.places import (
    READ_CHARS,
    Place,
    PlaceDataError,
    default_gazetteer,
    describe,
    extract_place,
    filled_in,
    load_gazetteer,
)
from knowledge.settings import KnowledgeSettings

# text, then the expected (county, township, community, road, unit, landmark); None: no place at all.
CASES: list[tuple[str, tuple[str | None, ...] | None]] = [
    # one-line chat
    ("金安区三里桥街道梅山路上的路灯坏了一个月了", ("金安区", "三里桥街道", None, "梅山路", None, None)),
    ("毛坦厂镇街上垃圾堆了好几天没人清理", ("金安区", "毛坦厂镇", None, None, None, None)),
    ("毛坦厂的复读学校乱收费", ("金安区", "毛坦厂镇", None, None, None, "复读学校")),
    ("毛坦厂中学门口交通太乱", ("金安区", "毛坦厂镇", None, None, None, "毛坦厂中学")),
    ("梅山南路与解放路交叉口的红绿灯不亮了", (None, None, None, "梅山南路与解放路交叉口", None, None)),
    ("皖西大道和佛子岭路路口经常堵车", (None, None, None, "皖西大道与佛子岭路交叉口", None, None)),
    ("幸福小区3栋2单元楼道灯不亮", (None, None, "幸福小区", None, "3栋2单元", None)),
    ("找村里村里说是县里修的", None),  # 找 starts no name: no village called 找村里村
    ("找幸福小区物业没人管", (None, None, "幸福小区", None, None, None)),
    ("霍邱县城关镇幸福家园小区晚上广场舞噪音扰民", ("霍邱县", "城关镇", "幸福家园小区", None, None, None)),
    ("城关镇的路灯不亮", (None, "城关镇", None, None, None, None)),
    ("舒城县城关镇春秋路有人占道经营", ("舒城县", "城关镇", None, "春秋路", None, None)),
    ("金寨县双河镇的自来水停了三天", ("金寨县", "双河镇", None, None, None, None)),
    ("双河镇的自来水停了三天", (None, "双河镇", None, None, None, None)),
    ("市人民医院附近的皖西大道经常堵车", (None, None, None, "皖西大道", None, "市人民医院")),
    ("我家门口梅山路88号的下水道堵了", (None, None, None, "梅山路", "88号", None)),
    ("我家门口这条街叫北关老街，路面坑坑洼洼", (None, None, None, "北关老街", None, None)),
    ("我们住的小区名叫幸福家园 电梯老是坏", (None, None, "幸福家园", None, None, None)),
    ("李湾村王庄组的道路坑洼不平，下雨天没法走", (None, None, "李湾村王庄组", None, None, None)),
    ("经开区宏图大道上有个大坑", ("金安区", "六安经济技术开发区", None, "宏图大道", None, None)),
    ("城区好多路段晚上路灯都不亮", (None, "六安城区", None, None, None, None)),
    ("霍邱县城区的路灯晚上不亮", ("霍邱县", None, None, None, None, None)),
    ("裕安区苏埠镇南楼村的秸秆有人焚烧", ("裕安区", "苏埠镇", "南楼村", None, None, None)),
    ("苏埠那边有人烧秸秆", ("裕安区", "苏埠镇", None, None, None, None)),
    ("叶集区史河街道的菜市场卫生太差", ("叶集区", "史河街道", None, None, None, None)),
    ("霍山县佛子岭镇漫水河那边山体滑坡了", ("霍山县", "佛子岭镇", None, None, None, None)),
    ("万佛湖景区门票乱收费", ("舒城县", "万佛湖镇", None, None, None, "万佛湖景区")),
    ("金寨路上的共享单车乱停乱放", (None, None, None, "金寨路", None, None)),
    # a village named after a township: the village as written, not the township
    ("金寨县梅山镇汤家汇村的路坏了", ("金寨县", "梅山镇", "汤家汇村", None, None, None)),
    ("毛坦厂社区门口垃圾没人清", (None, None, "毛坦厂社区", None, None, None)),
    ("汤家汇村民反映道路坑洼", ("金寨县", "汤家汇镇", None, None, None, None)),
    ("东方明珠花园5号楼1单元502室楼上漏水", (None, None, "东方明珠花园", None, "5号楼1单元502室", None)),
    ("碧桂园小区物业乱收停车费", (None, None, "碧桂园小区", None, None, None)),
    ("城北社区的老旧小区改造什么时候开始", (None, None, "城北社区", None, None, None)),
    ("中市街道鼓楼街的店铺油烟太大 😡😡", ("金安区", "中市街道", None, "鼓楼街", None, None)),
    ("Hi，我在霍山县衡山镇，street lamp broken 在迎驾大道", ("霍山县", "衡山镇", None, "迎驾大道", None, None)),
    ("六安一中门口的人行道被占了", (None, None, None, None, None, "六安一中")),
    ("开发商虚假宣传，恒大御景湾的房子漏水", (None, None, "恒大御景湾", None, None, None)),
    ("东城都会小区3幢1单元的电梯天天坏", (None, None, "东城都会小区", None, "3幢1单元", None)),
    ("六安东站晚上没有出租车", (None, None, None, None, None, "六安东站")),
    ("我的电话是0564-3372301，住在梅山路", (None, None, None, "梅山路", None, None)),
    ("家住叶集区平岗街道，楼下烧烤店油烟扰民", ("叶集区", "平岗街道", None, None, None, None)),
    # letters
    (
        "尊敬的市长：您好！我是裕安区西市街道XX小区的业主，2024年3月以来小区电梯经常故障，"
        "多次找物业无果，联系电话18756400000，盼复。此致敬礼",
        ("裕安区", "西市街道", "XX小区", None, None, None),
    ),
    (
        "各位领导你们好，本人家住金安区望城街道清华苑小区12栋，小区旁边的工地晚上十二点还在施工，"
        "严重影响休息。望尽快处理，谢谢！2024年5月20日",
        ("金安区", "望城街道", "清华苑小区", None, "12栋", None),
    ),
    (
        "尊敬的12345热线：我是霍邱县冯井镇新集村村民，村里的道路2019年修好后一直没人养护，"
        "现在坑坑洼洼，希望有关部门重视。联系人：张先生 13912345678",
        ("霍邱县", "冯井镇", "新集村", None, None, None),
    ),
    (
        "市长您好，我反映一个问题：舒城县杭埠镇工业园附近的河里经常有污水排放，气味很大，附近居民苦不堪言。",
        ("舒城县", "杭埠镇", None, None, None, "杭埠镇工业园"),
    ),
    (
        "您好！我想反映一下六安市金安区东市街道人民路菜市场门口占道经营的问题，早上七点到九点"
        "基本走不了车，希望城管能管一管。",
        ("金安区", "东市街道", None, "人民路", None, "人民路菜市场"),
    ),
    (
        "尊敬的领导：本人是六安市民，2023年12月在城南镇某楼盘买了一套房，至今没有交房，开发商一直拖延。",
        ("裕安区", "城南镇", None, None, None, None),
    ),
    (
        "亲爱的市长，我们是裕安区固镇镇的果农，今年的补贴到现在还没发下来，请帮忙问一下。",
        ("裕安区", "固镇镇", None, None, None, None),
    ),
    (
        "Dear Mayor, I live in 金安区三十铺镇. The bus No.8 never comes on time. 谢谢！",
        ("金安区", "三十铺镇", None, None, None, None),
    ),
    # negatives: greetings, dates, phone numbers, ordinary words that look like places
    ("尊敬的市长：您好！我是六安市民，想问一下社保卡怎么补办？联系电话18756400000", None),
    ("2024年3月5号办理的营业执照到现在还没下来", None),
    ("孩子今年上小学，入学需要准备什么材料？", None),
    ("我们小区物业不作为，电梯坏了没人修", None),
    ("门口的马路上有个坑，晚上看不见", None),
    ("老板跑路了 工资还欠俺们三个月", None),  # 跑路: absconded, no road
    ("请问公积金怎么提取？", None),
    ("附近的公园晚上太吵了", None),
    ("我在农村，新农村建设的补贴怎么申请", None),
    ("谢谢你们，一路走来辛苦了🙏", None),
    ("这条路什么时候修好？整条街都是垃圾", None),
    ("区政府门口的加油站", None),
    ("合肥市蜀山区的事情你们管吗", None),
    ("小区门口路灯坏了一个月了 一直没人修", None),  # a street lamp (路灯) names no road
    ("梅山路路灯坏了", (None, None, None, "梅山路", None, None)),
    # 城/园 before 路 end a road's name, not an estate's ("和皋城" is no estate)
    ("梅山路和皋城路交叉口积水", (None, None, None, "梅山路与皋城路交叉口", None, None)),
    ("花园路上的井盖没了", (None, None, None, "花园路", None, None)),
    ("", None),
]


def _parts(place: Place | None) -> tuple[str | None, ...] | None:
    if place is None:
        return None
    return (place.county, place.township, place.community, place.road, place.unit, place.landmark)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[f"case{number:02d}" for number in range(len(CASES))])
def test_extracts_the_place_parts(text: str, expected: tuple[str | None, ...] | None) -> None:
    assert _parts(extract_place(text)) == expected


def test_as_written_is_the_residents_own_span() -> None:
    text = "尊敬的市长：我是裕安区西市街道ＸＸ小区的业主，电梯坏了"
    place = extract_place("各位领导：我住在 金安区三里桥街道 梅山路 旁边，路灯坏了")
    assert place is not None
    assert place.as_written == "金安区三里桥街道 梅山路"
    letter = extract_place(text)
    assert letter is not None and letter.as_written == "裕安区西市街道ＸＸ小区"
    crossing = extract_place("梅山南路与解放路交叉口的红绿灯不亮了")
    assert crossing is not None and crossing.as_written == "梅山南路与解放路交叉口"


@pytest.mark.parametrize(
    ("text", "county", "township"),
    [
        ("孙岗镇的自来水停了", None, "孙岗镇"),  # 金安区 and 叶集区 both have one
        ("叶集区孙岗镇的自来水停了", "叶集区", "孙岗镇"),
        ("霍山县毛坦厂镇的路灯坏了", "霍山县", "毛坦厂镇"),  # as written, though the gazetteer says 金安区
        ("舒城县城区的路灯坏了", "舒城县", None),  # not 六安城区
        ("我是叶集区孙岗乡的 俺家老头子去年走了", "叶集区", "孙岗镇"),  # its name from before 乡 became 镇
    ],
)
def test_county_comes_from_the_text_or_a_unique_township(text: str, county: str | None, township: str | None) -> None:
    place = extract_place(text)
    assert place is not None
    assert (place.county, place.township) == (county, township)


def test_complete_and_specific() -> None:
    full = extract_place("金安区三里桥街道梅山路上的路灯坏了")
    assert full is not None and full.complete and full.specific
    township_only = extract_place("毛坦厂镇垃圾没人清理")
    assert township_only is not None and not township_only.specific and not township_only.complete
    road_only = extract_place("皖西大道有个坑")
    assert road_only is not None and road_only.specific and not road_only.complete


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("金安区三里桥街道梅山路上的路灯坏了", "金安区三里桥街道 梅山路"),
        ("我家门口梅山路88号的下水道堵了", "梅山路88号"),
        ("裕安区西市街道XX小区3栋2单元电梯坏了", "裕安区西市街道 XX小区3栋2单元"),
        ("市人民医院附近的皖西大道经常堵车", "皖西大道 市人民医院"),
        ("毛坦厂镇垃圾没人清理", "金安区毛坦厂镇"),
        ("我家3栋2单元楼道灯坏了", "3栋2单元"),
        ("东城都会小区门口的六安二中", "东城都会小区 六安二中"),
        ("金安区政务服务中心", "金安区政务服务中心"),  # the name holds its district: not said twice
        ("皋城路六安一中门口天天堵", "皋城路六安一中"),  # the landmark holds its road: not said twice
    ],
)
def test_describe_gives_one_line(text: str, line: str) -> None:
    place = extract_place(text)
    assert place is not None
    assert describe(place) == line


def test_reads_only_the_first_characters_of_a_long_letter() -> None:
    filler = "我们反映的问题由来已久，" * 200  # 2,400 characters without a place
    assert extract_place("金安区" + filler) is not None
    assert extract_place(filler + "金安区三里桥街道") is None
    assert len(filler) > READ_CHARS


def test_is_fast_for_messages_and_bounded_for_letters() -> None:
    message = "金安区三里桥街道梅山路与解放路交叉口的路灯坏了一个月了，联系电话18756400000"
    letter = ("尊敬的市长：我是裕安区西市街道幸福小区3栋的业主，2024年3月以来楼道灯一直不亮。" * 250)[:10_000]
    extract_place(message)  # compile once
    for text, budget in ((message, 0.001), (letter, 0.01)):
        runs = 200
        started = time.perf_counter()
        for _ in range(runs):
            extract_place(text)
        assert (time.perf_counter() - started) / runs < budget


def test_default_gazetteer_has_every_county_of_luan() -> None:
    counties = set(default_gazetteer().counties.values())
    assert counties == {"金安区", "裕安区", "叶集区", "霍邱县", "舒城县", "金寨县", "霍山县"}


def test_settings_name_the_gazetteer() -> None:
    env = {"KNOWLEDGE_PLACES_FILE": "/srv/places.yaml"}
    assert KnowledgeSettings.from_env(env).places_file == Path("/srv/places.yaml")
    assert KnowledgeSettings().places_file.name == "places.yaml"


def test_an_administrators_extension_is_read(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    path.write_text(
        "counties:\n  金安区:\n    aliases: [金安]\n    townships:\n      - 三里桥街道\n      - 新城街道: [新城]\n"
        "areas:\n  高铁片区:\n    aliases: [高铁新区]\n    counties: [金安区]\n",
        encoding="utf-8",
    )
    gazetteer = load_gazetteer(path)
    place = extract_place("新城那边的路灯坏了", gazetteer)
    assert place is not None and (place.county, place.township) == ("金安区", "新城街道")
    area = extract_place("高铁新区的公交太少", gazetteer)
    assert area is not None and (area.county, area.township) == ("金安区", "高铁片区")


def test_a_former_suffix_names_the_township_and_never_hides_a_listed_one(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    path.write_text(
        "counties:\n  金安区:\n    townships: [城北乡, 孙岗镇]\n  裕安区:\n    townships: [城北镇]\n",
        encoding="utf-8",
    )
    gazetteer = load_gazetteer(path)
    former = extract_place("孙岗乡的自来水停了", gazetteer)
    assert former is not None and (former.county, former.township, former.as_written) == ("金安区", "孙岗镇", "孙岗乡")
    for written, county in (("城北乡", "金安区"), ("城北镇", "裕安区")):
        listed = extract_place(f"{written}的自来水停了", gazetteer)
        assert listed is not None and (listed.county, listed.township) == (county, written)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("counties: [金安区]\n", "places.yaml:1: 'counties': expected a mapping"),
        ("counties:\n  金安区:\n    townships: [三里桥街道]\nregions: {}\n", "places.yaml:1: unknown field(s) regions"),
        (
            "counties:\n  金安:\n    townships: [三里桥街道]\n",
            "places.yaml:3: county '金安': a county name ends in 区 or 县",
        ),
        ("counties:\n  金安区:\n    aliases: [金安]\n", "places.yaml:3: county '金安区': missing field 'townships'"),
        (
            "counties:\n  金安区:\n    townships:\n      - 三里桥街道\n      - 三里桥\n",
            "places.yaml:5: county '金安区': township '三里桥' must end in 街道, 镇 or 乡",
        ),
        (
            "counties:\n  金安区:\n    townships:\n      - 三里桥街道\n      - 三里桥街道\n",
            "places.yaml:5: county '金安区': township '三里桥街道' is listed twice",
        ),
        (
            "counties:\n  金安区:\n    aliases: [金安]\n    townships: [三里桥街道]\n"
            "  裕安区:\n    aliases: [金安]\n    townships: [西市街道]\n",
            "places.yaml:6: county '裕安区': '金安' is already a name or alias of 金安区",
        ),
        (
            "counties:\n  金安区:\n    townships:\n      - 三里桥街道: [桥]\n",
            "places.yaml:4: county '金安区': township '三里桥街道' aliases: '桥' is too short",
        ),
        (
            "counties:\n  金安区:\n    townships: [三里桥街道]\nareas:\n  城区:\n    counties: [霍邱县]\n",
            "places.yaml:6: area '城区': '霍邱县' is not a county of 'counties'",
        ),
        ("counties:\n  金安区: [三里桥街道\n", "not valid YAML"),
    ],
)
def test_loader_errors_name_the_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "places.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlaceDataError) as error:
        load_gazetteer(path)
    assert message in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlaceDataError, match="the gazetteer file does not exist"):
        load_gazetteer(tmp_path / "nowhere.yaml")


def test_a_later_place_fills_in_what_an_earlier_one_lacks_unless_they_disagree() -> None:
    landmark, street = extract_place("鼓楼广场"), extract_place("裕安区西市街道")
    assert landmark is not None and street is not None
    joined = filled_in(landmark, street)
    assert joined is not None and describe(joined) == "裕安区西市街道 鼓楼广场"
    other = extract_place("叶集区")
    assert other is not None and filled_in(street, other) is None  # another district
