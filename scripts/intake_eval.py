"""Intake evaluation: requests as residents write them, driven through the real dialogue as new residents.

Usage: `make intake-eval` (part of `make eval`), or `PYTHONPATH=$PWD .venv/bin/python scripts/intake_eval.py [--url
http://127.0.0.1:8000] [--file F ...] [--limit N] [--show]`. Without --url it starts the whole stack on free ports
over a new SQLite database with the demo data. By default it reads the development set, then the held-out set
(knowledge/eval/routing_dev.tsv, routing_heldout.tsv: written by this project, never trained on).

Each request is sent by a new resident, who then answers what the assistant asks: a phone number, a place, the
sample community and a building for a 小区报事, "登记诉求" (for a question "请工作人员解答") when offered to register
the request, the request again when asked what happened or what the suggestion is, "其他话题" for a consultation,
"都不是，转人工解答" when offered how-to guides, "我没有编号" when asked for a case number. Prints the share taken in
as a case without a person (a TS complaint, JY suggestion or SQ community incident, or a GD ticket that a person
answers later), answered from the knowledge base, or neither, and how often the category the assistant names is
the request's own (the file's level1 column).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from knowledge.emergencies import LEAD as EMERGENCY_LEAD
from scripts.stack import Stack
from tests.gateway.server import free_port
from tests.senders import issued_sender

ROOT = Path(__file__).resolve().parent.parent
# The development set (the dialogue's choices are made on it), then the held-out set (reported).
FILES = ("knowledge/eval/routing_dev.tsv", "knowledge/eval/routing_heldout.tsv")
PHONE = "13812345678"
PLACE = "金安区三里桥街道梅山路"
COMMUNITY = "金安区某社区"  # the sample community `make run` seeds (api/community_samples.py)
MAX_TURNS = 6
_CATEGORY = re.compile(r"按“([^”]+)”类转交")


def text_of(messages: list[dict[str, Any]]) -> str:
    """What the resident reads, buttons included: a resident presses "登记诉求" when it is offered. The advice on
    whom to call in a danger asks nothing (its 电话 is no question for the resident)."""
    lines = []
    for message in messages:
        if str(message.get("text") or "").startswith(EMERGENCY_LEAD):
            continue
        buttons = " ".join(f"[{b.get('title')}]" for b in message.get("buttons") or [])
        lines.append(f"{message.get('text') or ''} {buttons}".strip())
    return "\n".join(lines)


def next_answer(reply: str, request: str) -> str | None:
    """What a resident says next to this reply, or None when the conversation is over."""
    if re.search(r"(TS|JY|SQ|GD)\d{8,}", reply):
        return None
    if "来源：" in reply and "登记诉求" not in reply:
        return None  # answered from a guide (its text may say 电话: that is no question to the resident)
    answers = (
        (("请工作人员解答",), "/request_human"),
        (("登记为诉求", "登记诉求"), "/submit_complaint"),
        (("什么位置",), PLACE),
        (("哪个小区",), COMMUNITY),
        (("几栋几单元",), "3栋2单元"),
        (("哪一类问题",), "其他"),
        (("电话", "手机号"), PHONE),
        (("什么问题", "具体说说", "具体建议", "具体一点", "您请讲"), request),
        (("建议是关于哪一项",), "其他话题"),
        (("建议是关于哪方面",), "政策建议"),
        # Candidate how-to guides for a request that is none of them: "都不是，转人工解答".
        (("您想问的是哪一项",), "/request_human"),
        (("请提供办件编号",), "我没有编号"),
    )
    return next((answer for cues, answer in answers if any(cue in reply for cue in cues)), None)


def drive(client: httpx.Client, request: str) -> tuple[str, str, list[tuple[str, str]]]:
    """The outcome (filed: a TS/JY case or an SQ incident for the grid officer; ticket: a GD ticket for a person
    to answer; answered: a knowledge-base answer; none), the category named on filing, and the transcript."""
    sender = issued_sender(client)
    said: str | None = request
    transcript: list[tuple[str, str]] = []
    for _ in range(MAX_TURNS):
        if said is None:
            break
        response = client.post("/api/chat", json={"sender": sender, "message": said})
        reply = text_of(response.json().get("messages", [])) if response.status_code == 200 else response.text
        transcript.append((said, reply))
        said = next_answer(reply, request)
    last = transcript[-1][1]
    outcome = (
        "filed"
        if re.search(r"(TS|JY|SQ)\d{8,}", last)
        else "ticket"
        if re.search(r"GD\d{8,}", last)
        else "answered"
        if "来源：" in last
        else "none"
    )
    category = _CATEGORY.search(last)
    return outcome, category.group(1) if category else "", transcript


def evaluate(url: str, path: Path, limit: int, show: bool) -> None:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    if limit:
        rows = rows[:limit]
    outcomes: Counter[str] = Counter()
    by_style: Counter[tuple[str, str]] = Counter()
    right_category = named_category = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        for row in rows:
            outcome, category, transcript = drive(client, row["text"])
            outcomes[outcome] += 1
            by_style[(row["style"], outcome)] += 1
            if category:
                named_category += 1
                right_category += category == row["level1"]
            if show and (outcome != "filed" or (category and category != row["level1"])):
                named = f" named {category}" if category else ""
                turns = " / ".join(f"{s[:40]} → {r[:60]}" for s, r in transcript)
                print(f"[{outcome}] {row['level1']}{named}: {turns}")
    total = len(rows)
    print(f"intake: {total} requests ({path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})")
    for outcome in ("filed", "ticket", "answered", "none"):
        print(f"  {outcome:8s} {outcomes[outcome]:4d} / {total} = {outcomes[outcome] / total:.1%}")
    taken = outcomes["filed"] + outcomes["ticket"]
    print(f"  taken in as a case without a person (filed + ticket): {taken} / {total} = {taken / total:.1%}")
    for style in ("chat", "letter"):
        count = sum(n for (s, _), n in by_style.items() if s == style)
        if count:
            style_taken = by_style[(style, "filed")] + by_style[(style, "ticket")]
            print(f"    {style}: taken in {style_taken / count:.1%} of {count}")
    if named_category:
        print(f"  category named on filing: {named_category}, the request's own: {right_category / named_category:.1%}")


def own_stack(work: Path) -> Stack:
    """The whole stack on free ports over a new SQLite database with the demo data (the sample community), rate
    limits lifted: every request comes from this one address."""
    ports = [free_port() for _ in range(4)]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'intake.db'}",
        "RATE_LIMIT_PER_MINUTE": "1000000",
        "STANDIN_PORT": str(ports[3]),
    }
    env.pop("REDIS_URL", None)  # in-process stores, as `make run` without configuration
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "api", command], env=env, check=True, stdout=subprocess.DEVNULL)
    return Stack(
        env=env,
        gateway_port=ports[0],
        rasa_port=ports[1],
        actions_port=ports[2],
        standin_port=ports[3],
        quiet=True,
        log_dir=work,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a running stack's gateway (default: start one for the evaluation)")
    parser.add_argument("--file", type=Path, action="append", help=f"default: {' and '.join(map(str, FILES))}")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    files = args.file or [ROOT / name for name in FILES]
    if args.url:
        for path in files:
            evaluate(args.url, path, args.limit, args.show)
        return 0
    with tempfile.TemporaryDirectory(prefix="intake-eval-") as work, own_stack(Path(work)) as stack:
        if not stack.wait_ready():
            print("the stack did not come up:", *(stack.log_tail(n) for n in stack.exited()), sep="\n")
            return 1
        for path in files:
            evaluate(stack.gateway_url, path, args.limit, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
