"""Assistant replies as WeChat text: numbered choices, and parts within 2048 bytes."""

from __future__ import annotations

import pytest

from api.channels.wechat_text import MAX_PARTS, TEXT_LIMIT_BYTES, Choice, chosen, render, split
from api.replies import TRIMMED_NOTE

CHOICES = [
    Choice("好的", "/affirm"),
    Choice("不用了", "/deny"),
    Choice("居住证办理", '/apply_service{"service":"居住证办理"}'),
]


def test_buttons_of_the_last_message_become_numbered_choices() -> None:
    rendered = render(
        [
            {"text": "居住证可以在线申请。"},
            {"text": "现在为您办理吗？", "buttons": [{"title": "好的", "payload": "/affirm"}]},
        ]
    )
    assert rendered.parts == ["居住证可以在线申请。\n\n现在为您办理吗？\n\n1. 好的\n回复数字1选择"]
    assert rendered.choices == [Choice(title="好的", payload="/affirm")]


def test_no_messages_means_nothing_to_send() -> None:
    assert render([]) == render([{"text": "  "}]) and render([]).parts == []


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", "/affirm"),
        (" 3 ", CHOICES[2].payload),
        ("２", "/deny"),
        ("4", None),
        ("0", None),
        ("3分", None),
        ("好", None),
        # the title typed out instead of its number
        ("居住证办理", CHOICES[2].payload),
        (" 不用了。", "/deny"),
        ("居住证", None),
        ("我要办居住证办理", None),
    ],
)
def test_a_number_or_a_title_picks_a_choice(reply: str, payload: str | None) -> None:
    choice = chosen(reply, CHOICES)
    assert (choice.payload if choice else None) == payload


def test_a_number_without_choices_is_plain_text() -> None:
    assert chosen("1", []) is None


def test_long_text_splits_at_line_breaks_within_the_limit() -> None:
    lines = [f"{n}. 申请人携带身份证原件到六安市政务服务中心一楼综合窗口办理，当场受理。" for n in range(60)]
    parts = split("\n".join(lines))
    assert 1 < len(parts) <= MAX_PARTS
    assert all(len(p.encode()) <= TEXT_LIMIT_BYTES for p in parts)
    assert "\n".join(parts) == "\n".join(lines)  # nothing lost, no line cut in two


def test_a_line_longer_than_the_limit_is_cut_between_characters() -> None:
    text = "政务" * 2000  # 12,000 bytes, no line break
    parts = split(text, max_parts=10)
    assert all(len(p.encode()) <= TEXT_LIMIT_BYTES for p in parts)
    assert "".join(parts) == text


def test_beyond_the_last_part_the_text_is_trimmed_with_a_note() -> None:
    parts = split("办事指南。\n" * 3000)
    assert len(parts) == MAX_PARTS
    assert parts[-1].endswith(TRIMMED_NOTE) and len(parts[-1].encode()) <= TEXT_LIMIT_BYTES
