"""Which aspect of a service a question asks about, so the answer gives that part first."""

from __future__ import annotations

import re

from knowledge.places import default_gazetteer
from knowledge.text import any_of_words, normalize

GENERAL = "general"

# Checked in this order: the first pattern that matches wins. Fee and time limit come first because
# their words are the most specific ("要多少钱", "几天"); the phone next ("电话多少", "打哪个电话"), before
# place because its answer gives the office hours too ("热线几点有人接"); conditions before materials
# because "需要什么条件" must not read as "需要什么(材料)"; online before place because "手机上在哪办"
# asks for the online route; "能办吗" is a question about eligibility only when nothing more specific is
# asked ("手机上能办吗" is about the online route). The phone pattern is conservative: "号码" alone is as
# often a case or ID number, "手机" is the online route, "打电话挂失" asks how to do it.
ASPECT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fee", re.compile(r"多少钱|几块钱|要钱|收钱|花钱|收费|费用|免费|手续费|工本费|要不要钱|掏钱")),
    (
        "time_limit",
        re.compile(
            r"多久|多长时间|几天|多少天|几个工作日|时限|多快|当天|当场|马上"
            r"|(什么|啥)时候(能|可以)?(拿|办好|下来|出来|到)|(办好|办完|下来|出证|拿到).{0,3}(要|得|需要)"
        ),
    ),
    (
        "phone",
        re.compile(
            r"联系方式|(联系|咨询|办公|服务|值班|投诉|举报|客服|办事)(电话|号码)|热线电话|座机"
            r"|热线(号码|号)?(是|为)?(多少|几|啥|什么)|电话(号码|号)?(是|为)?(多少|几|啥|什么|呢|有吗)"
            r"|(打|拨)(哪个|什么|啥|几号|哪|多少)(号码|电话|号)|(哪个|什么|啥)电话|有(没有)?电话"
            r"|(怎么|如何|怎样|咋)联系|电话$"
        ),
    ),
    ("conditions", re.compile(r"条件|资格|符合|谁(可以|能)|哪些人|什么人|够不够|满足|门槛")),
    (
        "materials",
        re.compile(
            r"材料|资料|证件|带(什么|啥|哪些)|准备(什么|啥|哪些)|拿(什么|啥)|需要(什么|啥|哪些)"
            r"|要(什么|啥)东西|手续|复印件|(要|需要|得|用)带.{1,8}(吗|不)"
        ),
    ),
    ("online", re.compile(r"网上|线上|在线|手机|皖事通|app|网站|小程序|微信|不用跑|不去现场|网办")),
    (
        "place",
        re.compile(
            r"在哪|去哪|到哪|哪里|哪儿|哪个(窗口|地方|部门)|什么地方|地址|地点|窗口|几点|上班|下班|开门|关门|营业(?!额|执照|收入|款)"
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


# What a follow-up may say besides its aspect: fillers, pronouns and the verbs of asking ("那个要多久呢",
# "请问我想问一下能网上办吗"). Longest first, so "需要" goes before "要"; a word not listed here — a
# service, a thing, a place, a number — makes the question name a topic of its own.
_FILLERS = any_of_words(
    "请问 我想问一下 我想问问 想问一下 想问问 问一下 问问 我想知道 想知道 我想 想 我要 "
    "那么 那个 这个 那样 这样 那边 这边 那 这 它 他 她 你们 我们 咱们 你 我 您 "
    "呢 啊 吗 呀 吧 哦 嘛 哈 么 呐 哇 了 的 地 得 "
    "需要 要 得要 还要 还 也 都 就 又 再 一般 大概 大约 大致 最快 到底 具体 一下 一些 些 "
    "办理 办事 办好 办完 办下来 办 弄 搞 拿到证 拿证 领证 出证 办证 拿 领 到 "
    "能 可以 可不可以 能不能 会 行 行不行 有 没有 是 是不是 在 去 过去 来 找 "
    "什么 啥 哪 里 儿 怎么 怎么样 如何 多少 几 个 号 好 人 本人 现场 自己 办公 上 下 "
    "东西 现在 今天 明天 平时 一 和 跟 或者 还是 请 问 谢谢 "
    "申请 提交 报名 预约 领取 交钱 缴费 缴 交 到账 一次 次 算了 先 问下 提取 提 补办 补 换"
)
_NOT_WORDS = re.compile(r"[\s\W_]+")
# Where in 六安 to do it ("我在舒城上班 能在舒城提吗", "金寨县能办吗", "在市里领证吗"): a place of the gazetteer is
# no topic of its own. Not 外地/异地: "外地人能办吗" asks about other people's eligibility.
_WHERE = re.compile(r"六安市?|市里|县里|区里|镇上|乡里|城里|市区|县城")


def is_follow_up(question: str) -> bool:
    """The question asks about an aspect and names nothing else: "那要多少钱", "在哪里办", "这个呢 要多久".

    Such a question is about the service the conversation is on. Its places in 六安, aspect cue words, fillers
    and pronouns taken away, nothing may remain: "社保卡多少钱" keeps 社保卡, "12345电话是多少" keeps 12345.
    """
    text = normalize(question)
    if detect_aspect(text) == GENERAL:
        return False
    text = _WHERE.sub(" ", default_gazetteer().pattern.sub(" ", text))
    for _, pattern in ASPECT_PATTERNS:
        text = pattern.sub(" ", text)
    text = _FILLERS.sub(" ", text)
    return not _NOT_WORDS.sub("", text)
