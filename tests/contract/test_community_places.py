import pytest

from contract.community_places import (
    INCIDENT_KINDS,
    building_key,
    close_names,
    find_community,
    place_text,
    read_place,
    unit_key,
)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("3栋2单元楼道灯坏了", ("3", "2")),
        ("3号楼2单元", ("3", "2")),
        ("三栋二单元电梯故障", ("3", "2")),
        ("我家在3幢", ("3", None)),
        ("12#楼门口垃圾没人清", ("12", None)),
        ("１２＃楼３单元", ("12", "3")),
        ("十二栋", ("12", None)),
        ("二十三号楼一单元", ("23", "1")),
        ("A座2单元", ("A", "2")),
        ("5号2单元", ("5", "2")),
        ("2单元门禁坏了", (None, "2")),
        # A floor is no building, a sum of money no unit.
        ("3楼的住户很吵", (None, None)),
        ("电梯坏了三天了", (None, None)),
        ("", (None, None)),
    ],
)
def test_building_and_unit_are_read_as_residents_type_them(text, place):
    assert read_place(text) == place


@pytest.mark.parametrize(
    ("label", "key"), [("3栋", "3"), ("3号楼", "3"), ("三幢", "3"), ("3", "3"), ("b", "B"), ("0", None)]
)
def test_building_keys_of_labels(label, key):
    assert building_key(label) == key


def test_unit_keys():
    assert unit_key("二单元") == unit_key("2") == "2"
    assert unit_key("单元") is None


def test_a_community_is_found_in_full_or_without_its_suffix():
    names = ["样例·金安区某社区", "梅山小区", "梅山南苑小区"]
    assert find_community("我是梅山小区3栋的", names) == "梅山小区"
    assert find_community("梅山南苑5栋", names) == "梅山南苑小区"
    assert find_community("金安区某社区2栋", names) == "样例·金安区某社区"
    assert find_community("3栋2单元", names) is None
    # Without its suffix, a name followed by 路, 镇 … is a road or a town: another estate on 梅山路.
    assert find_community("金安区梅山路幸福小区的电梯坏了", names) is None
    assert find_community("梅山路上的梅山小区", names) == "梅山小区"


def test_close_names_suggest_what_was_probably_meant():
    names = ["梅山小区", "梅山南苑小区", "皋城花园"]
    assert close_names("梅山", names)[:2] == ["梅山小区", "梅山南苑小区"]
    assert close_names("皋城花苑", names)[0] == "皋城花园"
    assert close_names("", names) == []


def test_place_text_and_kinds():
    assert place_text("梅山小区", "3", "2") == "梅山小区3栋2单元"
    assert place_text("梅山小区", None, None) == "梅山小区"
    assert INCIDENT_KINDS[-1] == "其他" and len(set(INCIDENT_KINDS)) == len(INCIDENT_KINDS)
