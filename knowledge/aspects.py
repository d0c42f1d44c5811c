"""Which aspect of a service a question asks about, so the answer gives that part first."""

from __future__ import annotations

import re

from knowledge.text import normalize

GENERAL = "general"

# Checked in this order: the first pattern that matches wins. Fee and time limit come first because
# their words are the most specific ("要多少钱", "几天"); conditions before materials because
# "需要什么条件" must not read as "需要什么(材料)"; online before place because "手机上在哪办" asks for
# the online route; "能办吗" is a question about eligibility only when nothing more specific is asked
# ("手机上能办吗" is about the online route).
ASPECT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fee", re.compile(r"多少钱|几块钱|要钱|收钱|花钱|收费|费用|免费|手续费|工本费|要不要钱|掏钱")),
    (
        "time_limit",
        re.compile(
            r"多久|多长时间|几天|多少天|几个工作日|时限|多快|当天|当场|马上"
            r"|什么时候(能|可以)?(拿|办好|下来|出来|到)|(办好|办完|下来|出证|拿到).{0,3}(要|得|需要)"
        ),
    ),
    ("conditions", re.compile(r"条件|资格|符合|谁(可以|能)|哪些人|什么人|够不够|满足|门槛")),
    (
        "materials",
        re.compile(
            r"材料|资料|证件|带(什么|啥|哪些)|准备(什么|啥|哪些)|拿(什么|啥)|需要(什么|啥|哪些)"
            r"|要(什么|啥)东西|手续|复印件"
        ),
    ),
    ("online", re.compile(r"网上|线上|在线|手机|皖事通|app|网站|小程序|微信|不用跑|不去现场|网办")),
    (
        "place",
        re.compile(
            r"在哪|哪里|哪儿|哪个(窗口|地方|部门)|什么地方|地址|地点|窗口|几点|上班|下班|开门|关门|营业"
            r"|办公时间|工作时间|周末|周六|周日|星期[六天日]|节假日|中午"
        ),
    ),
    ("conditions", re.compile(r"能不能(办|申请|领)|(可以|能)(办|申请|领)吗")),
)

ASPECTS = tuple(dict.fromkeys([*(name for name, _ in ASPECT_PATTERNS), GENERAL]))


def detect_aspect(question: str) -> str:
    text = normalize(question)
    for name, pattern in ASPECT_PATTERNS:
        if pattern.search(text):
            return name
    return GENERAL
