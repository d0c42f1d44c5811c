"""Danger told in a resident's message ("电梯困人了", "闻到煤气味", "有人动刀了"), or a theft or a fraud: the number to
call now.

12345 answers within working days; a fire, a gas leak or a person in danger cannot wait for a case. Whatever the
assistant or an agent answers next, the resident first reads whom to call (api/conversation.py puts it before
every other reply, on every channel). Plain patterns, as in request_kind.py: what they catch is easy to read and
to correct. A past danger mentioned in a complaint ("消防通道被占，着火了车都进不来") gets the advice too: it is
worded for the case that it is happening now, and costs a resident nothing to read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Only the start of a long letter is read, as elsewhere: a danger happening now is told first.
READ_CHARS = 600


class Emergency(NamedTuple):
    name: str
    pattern: re.Pattern[str]
    advice: str
    # Told in the message already, the advice is none: "已经报警了" needs no "请拨打110".
    unless: re.Pattern[str] | None = None


# The police were told already ("已报警备案", "向派出所报了案").
_REPORTED_TO_POLICE = re.compile(
    r"已(?:经)?(?:报警|报案|向[^，,。]{0,6}报(?:警|案))|报了(?:警|案)|报过(?:警|案)|报警了|报案了"
)


EMERGENCIES: tuple[Emergency, ...] = (
    Emergency(
        "gas",
        re.compile(
            r"(?:煤气|燃气|天然气|液化气)(?:味|泄漏|泄露|漏了)|漏气了|闻到(?:一股|好大一股|很大的)?(?:煤气|燃气|天然气)"
        ),
        "闻到燃气味请不要开关电灯电器、不要点火，先打开门窗，到室外安全的地方再拨打燃气公司抢修电话或119。",
    ),
    Emergency(
        "fire",
        re.compile(r"(?<![不没打点])着火|起火|失火|火灾(?!隐患)|烧起来了"),  # not "热水器打不着火"
        "如果正在起火，请立即拨打119火警电话，先撤离到安全的地方，不要乘电梯。",
    ),
    Emergency(
        "trapped",
        re.compile(r"困(?:在)?电梯|电梯里?(?:困|关)(?:住|人|了人)|关在电梯|电梯[^，,。]{0,4}被困"),
        "有人被困，请拨打电梯里的应急电话或96333电梯应急救援电话，也可以拨打119；被困的人不要扒门，按警铃等待救援。",
    ),
    Emergency(
        "violence",
        re.compile(r"动刀|持刀|拿(?:着)?刀|砍人|捅人|抢劫|杀人|绑架|打起来了|正在打(?:架|人)"),
        "如果正在发生打架、持刀、抢劫等危险情况，请立即拨打110报警，先保护好自己。",
    ),
    Emergency(
        "missing",
        re.compile(
            r"(?:老人|孩子|小孩|儿子|女儿|父亲|母亲|爸|妈|奶奶|爷爷|姥姥|外婆)[^，,。！!？?]{0,8}?"
            r"(?:走丢|走失|失踪|不见了|找不到了)|走丢了|走失了"
        ),
        "家人走失请立即拨打110报警，越早越好，不需要等满24小时。",
    ),
    Emergency(
        "water",
        # a person in the water, not "俺家的地都掉河里了"
        re.compile(r"落水|溺水|(?:人|孩子|小孩|老人)[^，,。！!？?]{0,6}?掉(?:进|到)?(?:河|水|塘|湖)里"),
        "有人落水请立即拨打110或119，不熟悉水性不要贸然下水施救。",
    ),
    # A crime already done is the police's too: a report (报案) on time keeps the evidence and, for a transfer to a
    # fraudster, may still stop the money. 12345 does not investigate either.
    Emergency(
        "theft",
        # not 偷工减料, 偷排, 偷倒, 偷税: only something stolen
        re.compile(r"被(?:人)?偷|(?<!偷)偷(?:走|去)了?|被盗|失窃|遭(?:了)?贼|进了?小偷|入室盗窃|扒窃|被扒"),
        "东西被偷、被盗请尽快拨打110或到辖区派出所报案，先不要破坏现场，保留好监控、照片等证据。",
        _REPORTED_TO_POLICE,
    ),
    Emergency(
        "fraud",
        re.compile(r"被骗|诈骗|骗(?:走|去)了?[^，,。]{0,4}(?:钱|元|块|万)|冒充(?:公安|警察|公检法|客服)"),
        "如已转账被骗，请立即拨打110报警，越快越可能止付；接到可疑电话、短信可拨打96110反诈专线咨询。",
        _REPORTED_TO_POLICE,
    ),
    Emergency(
        "medical",
        re.compile(r"晕倒|昏迷|不省人事|心脏病(?:犯|发作)|抽搐|大出血|流了很多血|喘不上气|中毒"),
        "如有人受伤、晕倒或突发疾病，请立即拨打120急救电话。",
    ),
)
LEAD = "【紧急提醒】"


def emergency_advice(text: str) -> str | None:
    """Whom to call now when the message tells of a danger, else None. Button payloads ("/...") tell nothing."""
    if text.startswith("/"):
        return None
    head = text[:READ_CHARS]
    found = next((e for e in EMERGENCIES if e.pattern.search(head) and not (e.unless and e.unless.search(head))), None)
    return LEAD + found.advice if found else None
