"""The conversation suite: multi-turn conversations as residents write them, each turn checked for what the
resident reads, and every turn of every conversation checked for the house rules (a reply at all, no reply
said twice, no raw codes or English, no nested brackets).

The conversations live in YAML files beside this module (`conversations.yml`, written by hand) and are
also generated from the knowledge base (`follow_up_conversations`: every service, then "那要多少钱").
`tests/e2e/test_conversation_suite.py` drives them through the real gateway, Rasa and actions;
`scripts/conversation_report.py` prints the transcripts for reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SERVICES = HERE.parent.parent / "knowledge" / "services"

Chat = Callable[[str, str], list[dict[str, Any]]]

# Words in Latin letters a resident may read: the app's name and HPV in answers, case-number prefixes.
_ALLOWED_LATIN = {"app", "APP", "App", "HPV"}
_LATIN = re.compile(r"[A-Za-z_]{3,}")
_RAW = ("[点击按钮]", "None", "null", "{", "}", "\\n")
# A page of this site a resident is sent to ("打开投票页面/budget?round=2"): a link to follow, not a raw code.
_SITE_PAGE = re.compile(r"(?<![A-Za-z0-9])/[a-z]+(?:\?[a-z]+=\d+)?")


@dataclass
class Turn:
    say: str
    expect: list[str] = field(default_factory=list)  # each must appear in what the resident reads
    expect_any: list[str] = field(default_factory=list)  # at least one must appear
    absent: list[str] = field(default_factory=list)  # none may appear
    buttons: list[str] = field(default_factory=list)  # button titles that must be offered
    # say "#N" presses the Nth button of the reply before (a missing button sends "#N" as typed)

    def __post_init__(self) -> None:
        # YAML reads bare 12345 or 9:00 as numbers; what a resident reads is text.
        self.say = str(self.say)
        for name in ("expect", "expect_any", "absent", "buttons"):
            setattr(self, name, [str(item) for item in getattr(self, name)])


@dataclass
class Conversation:
    name: str
    theme: str
    turns: list[Turn]


def load(path: Path) -> list[Conversation]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Conversation(name=c["name"], theme=c["theme"], turns=[Turn(**t) for t in c["turns"]]) for c in raw]


def follow_up_conversations() -> Iterator[Conversation]:
    """For every service of the knowledge base: ask about it by its everyday name, then a bare follow-up."""
    for path in sorted(SERVICES.glob("*.yaml")):
        service = yaml.safe_load(path.read_text(encoding="utf-8"))
        alias = (service.get("aliases") or [service["name"]])[0]
        yield Conversation(
            name=f"追问：{service['name']}",
            theme="context",
            turns=[
                Turn(say=f"{alias}怎么办", expect=[service["name"]]),
                Turn(say="那要多少钱", expect=[service["name"]], absent=["不在政务服务范围内"]),
                Turn(say="在哪里办", expect=[service["name"]]),
            ],
        )


def application_conversations() -> Iterator[Conversation]:
    """For every service: asking to apply online either starts the form or says where to go instead."""
    for path in sorted(SERVICES.glob("*.yaml")):
        service = yaml.safe_load(path.read_text(encoding="utf-8"))
        if service["name"].startswith("12345"):
            continue
        if service.get("online"):
            turns = [
                Turn(say=f"我要在线申请{service['name']}", expect=["姓名"]),
                Turn(say="算了", expect=["取消"]),
            ]
        else:
            turns = [Turn(say=f"我要在线申请{service['name']}", expect=["还不能在线申请", service["name"]])]
        yield Conversation(name=f"在线申请：{service['name']}", theme="forms", turns=turns)


def all_conversations() -> list[Conversation]:
    hand_written = [c for path in sorted(HERE.glob("*.yml")) for c in load(path)]
    return [*hand_written, *follow_up_conversations(), *application_conversations()]


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def titles_of(messages: list[dict[str, Any]]) -> list[str]:
    return [str(b.get("title")) for m in messages for b in m.get("buttons") or []]


def nested_brackets(text: str) -> bool:
    depth = 0
    for char in text:
        if char in "（(":
            depth += 1
            if depth > 1:
                return True
        elif char in "）)":
            depth = max(0, depth - 1)
    return False


def house_rule_problems(messages: list[dict[str, Any]], previous: str | None) -> list[str]:
    """What breaks the rules every reply keeps, whatever the conversation."""
    problems = []
    texts = [str(m.get("text") or "") for m in messages]
    if not any(texts):
        problems.append("no reply at all")
    if len(set(texts)) != len(texts):
        problems.append("the same message twice in one reply")
    joined = "\n".join(texts)
    if previous is not None and joined and joined == previous:
        problems.append("the same reply as the turn before")
    readable = _SITE_PAGE.sub("", re.sub(r"(LA|TS|JY|GD)\d{8,}", "", joined))
    latin = [w for w in _LATIN.findall(readable) if w not in _ALLOWED_LATIN]
    if latin:
        problems.append(f"raw codes or English: {latin}")
    problems += [f"raw text {raw!r}" for raw in _RAW if raw in joined]
    if nested_brackets(joined):
        problems.append("nested brackets")
    return problems


def turn_problems(turn: Turn, messages: list[dict[str, Any]]) -> list[str]:
    text, titles = text_of(messages), titles_of(messages)
    problems = [f"missing {word!r}" for word in turn.expect if word not in text]
    if turn.expect_any and not any(word in text for word in turn.expect_any):
        problems.append(f"none of {turn.expect_any}")
    problems += [f"should not say {word!r}" for word in turn.absent if word in text]
    problems += [f"no button {title!r}" for title in turn.buttons if title not in titles]
    return problems


@dataclass
class Outcome:
    conversation: Conversation
    transcript: list[tuple[str, list[dict[str, Any]]]]
    problems: list[str]

    @property
    def good(self) -> bool:
        return not self.problems


# "#2": the resident presses the second button of the reply before (its payload is sent).
_PRESS = re.compile(r"#(\d+)")


def said_by(turn: Turn, before: list[dict[str, Any]]) -> str:
    """What the resident sends for the turn: its text, or the payload of the button it presses."""
    press = _PRESS.fullmatch(turn.say)
    if press is None:
        return turn.say
    offered = [b for m in before for b in m.get("buttons") or []]
    index = int(press.group(1)) - 1
    return str(offered[index]["payload"]) if index < len(offered) else turn.say


def run(conversation: Conversation, chat: Chat, sender: str) -> Outcome:
    transcript: list[tuple[str, list[dict[str, Any]]]] = []
    problems: list[str] = []
    previous: str | None = None
    messages: list[dict[str, Any]] = []
    for number, turn in enumerate(conversation.turns, start=1):
        messages = chat(sender, said_by(turn, messages))
        transcript.append((turn.say, messages))
        found = house_rule_problems(messages, previous) + turn_problems(turn, messages)
        problems += [f"turn {number} ({turn.say}): {problem}" for problem in found]
        previous = text_of(messages)
    return Outcome(conversation, transcript, problems)
