"""The suite's own checks must be able to fail: each house rule against a reply that breaks it."""

from tests.conversations.suite import Turn, house_rule_problems, nested_brackets, said_by, turn_problems


def test_house_rules_catch_what_they_should():
    assert house_rule_problems([], None) == ["no reply at all"]
    assert "the same message twice in one reply" in house_rule_problems([{"text": "好"}, {"text": "好"}], None)
    assert "the same reply as the turn before" in house_rule_problems([{"text": "好的"}], "好的")
    assert any("English" in p for p in house_rule_problems([{"text": "当前状态：resolved"}], None))
    assert any("raw text" in p for p in house_rule_problems([{"text": "[点击按钮] not_satisfied"}], None))
    assert house_rule_problems([{"text": "编号TS2026112200001，皖事通app"}], None) == []


def test_nested_brackets():
    assert nested_brackets("地点：大厅（各县（示例））")
    assert not nested_brackets("地点：大厅（各县）；地址：梅山路（示例地址）")


def test_turn_expectations():
    turn = Turn(say="x", expect=["居住证"], expect_any=["免费", "元"], absent=["不动产"], buttons=["转人工客服"])
    assert turn_problems(turn, [{"text": "居住证首次免费", "buttons": [{"title": "转人工客服"}]}]) == []
    assert len(turn_problems(turn, [{"text": "不动产"}])) == 4


def test_a_press_sends_the_buttons_payload():
    before = [{"text": "哪一件？", "buttons": [{"title": "甲", "payload": "/a"}]}, {"buttons": [{"payload": "/b"}]}]
    assert said_by(Turn(say="#2"), before) == "/b"
    assert said_by(Turn(say="#3"), before) == "#3"  # no such button: sent as typed, and the turn's checks fail
    assert said_by(Turn(say="查进度"), before) == "查进度"
