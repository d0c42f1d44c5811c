"""A danger told in a message gets whom to call now; ordinary requests and past dangers as risks get nothing."""

from __future__ import annotations

import pytest

from knowledge.emergencies import EMERGENCIES, LEAD, emergency_advice


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("楼道里好大一股煤气味", "119"),
        ("厨房天然气泄漏了怎么办", "119"),
        ("对面楼着火了", "119"),
        ("电梯困人了 快来人", "96333"),
        ("我妈被困在电梯里半小时了", "96333"),
        ("有人打架 还动刀了", "110"),
        ("我家老人走丢了 七十多岁 有老年痴呆", "110"),
        ("孩子放学一直没回家 找不到了", "110"),
        ("有个小孩掉河里了", "110"),
        ("路边有个老人晕倒了", "120"),
        ("吃了食堂的饭 好几个人食物中毒", "120"),
        ("我的电动车在小区车棚充电时被偷了", "110"),
        ("昨晚家里进了小偷 柜子都被翻了", "110"),
        ("店里的监控被盗了", "110"),
        ("刚才接到冒充公安的电话 让我转账到安全账户", "96110"),
        ("网上刷单被骗了三万块", "110"),
    ],
)
def test_a_danger_gets_the_number_to_call(text: str, number: str) -> None:
    advice = emergency_advice(text)
    assert advice is not None and advice.startswith(LEAD) and number in advice


@pytest.mark.parametrize(
    "text",
    [
        "小区消防通道被占 存在火灾隐患",  # a risk, not a fire
        "小区电梯已经困人三次了 物业不管",  # 困人 in the past, no one trapped now
        "烟囱冒黑烟 呛得人睁不开眼",  # pollution
        "天然气费怎么交",
        "六楼水压太小了，热水器都打不着火",  # no fire
        "采砂船把河岸挖塌了 俺家的地都掉河里了",  # no one in the water
        "社保卡丢了怎么补办",
        "孩子在学校被同学欺负了",
        "这个工程偷工减料 墙都裂了",  # no theft
        "工厂半夜偷排污水",
        "有人往河里偷倒建筑垃圾",
        "我偷偷去看过 厨房没有留样柜",
        "自己的电动车上周被偷了，已报警备案但一直没有结果",  # the police know: no advice to call them
        "网上买东西被骗了两千 报警了派出所说金额太小",
        "/request_human",  # a button's payload
        "",
    ],
)
def test_ordinary_requests_get_no_advice(text: str) -> None:
    assert emergency_advice(text) is None


def test_every_advice_names_a_number_and_is_short() -> None:
    for emergency in EMERGENCIES:
        assert any(number in emergency.advice for number in ("110", "119", "120")), emergency.name
        assert len(emergency.advice) <= 70, emergency.name
