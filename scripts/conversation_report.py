"""Run the conversation suite (tests/conversations) against a running gateway and print what went wrong.

Usage: `python scripts/conversation_report.py [--url http://127.0.0.1:8000] [--file F.yml] [--show]`
(`--file` runs only that file's conversations, `--show` prints every transcript). Each conversation talks as
a new resident. Exit status 1 when any conversation has a problem.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.conversations.suite import Conversation, Outcome, all_conversations, load, run, text_of
from tests.senders import issued_sender


def chat_with(client: httpx.Client) -> Any:
    issued: dict[str, str] = {}  # the suite's name of a resident -> the sender the gateway issued them

    def chat(sender: str, message: str) -> list[dict[str, Any]]:
        if sender not in issued:
            issued[sender] = issued_sender(client)
        response = client.post("/api/chat", json={"sender": issued[sender], "message": message})
        if response.status_code != 200:
            return [{"text": f"HTTP {response.status_code}: {response.text[:200]}"}]
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    return chat


def print_outcome(outcome: Outcome, show: bool) -> None:
    mark = "好" if outcome.good else "差"
    print(f"[{mark}] {outcome.conversation.theme} · {outcome.conversation.name}")
    for problem in outcome.problems:
        print(f"      ! {problem}")
    if show or not outcome.good:
        for said, messages in outcome.transcript:
            print(f"      居民：{said}")
            for line in text_of(messages).splitlines():
                print(f"        助手：{line[:160]}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--file", type=Path)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    conversations: list[Conversation] = load(args.file) if args.file else all_conversations()
    with httpx.Client(base_url=args.url, timeout=60) as client:
        chat = chat_with(client)
        outcomes = [run(c, chat, f"report-{uuid.uuid4().hex[:10]}") for c in conversations]
    for outcome in outcomes:
        print_outcome(outcome, args.show)
    good = Counter(o.conversation.theme for o in outcomes if o.good)
    total = Counter(o.conversation.theme for o in outcomes)
    for theme in sorted(total):
        print(f"{theme:14s} {good[theme]:4d} / {total[theme]:4d} good")
    print(f"{'all':14s} {sum(good.values()):4d} / {len(outcomes):4d} good")
    return 0 if sum(good.values()) == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
