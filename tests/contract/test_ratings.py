import pytest

from contract.ratings import parse_stars


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        ("五星", 5),
        ("4颗星", 4),
        ("4分", 4),
        ("给3分吧", 3),
        ("两星", 2),
        ("一颗星", 1),
        ("给你五颗星", 5),
        ("五星好评！！", 5),
        ("⭐⭐", 2),
        ("⭐⭐⭐ ", 3),
        ("非常满意", 5),
        ("十分满意", 5),
        ("满意", 4),
        ("一般吧", 3),
        ("不太满意，两星", 2),
        ("5分 非常满意", 5),
        ("0", None),
        ("6星", None),
        ("10", None),
        ("⭐⭐⭐⭐⭐⭐", None),
        ("很好", None),
        ("我3号去窗口办的", None),
        ("三号窗口态度差", None),
        ("请问公积金怎么提取，要带5样材料吗", None),
        ("", None),
    ],
)
def test_parse_stars(text, expected):
    assert parse_stars(text) == expected
