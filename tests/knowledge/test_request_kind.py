"""Grievance or how-to question (knowledge/request_kind.py), on sentences written for this test."""

from __future__ import annotations

import pytest

from knowledge.request_kind import (
    READ_CHARS,
    Strength,
    adds_to_own_case,
    asks_a_question,
    asks_after_earlier_report,
    asks_how_to,
    disputes_resolution,
    grievance_strength,
    han_count,
    is_consultation,
    is_letter,
    mentions_earlier_report,
    only_displeasure,
    question_instead_of_complaint,
    satisfied_with_resolution,
    states_a_problem,
    supplement_content,
    urges_own_case,
)

STRONG = [
    "我的失业金三个月了还没按时发放，打电话也没人接",
    "慢特病认定材料送去 说医院的诊断证明格式不对 医院说就这个格式",  # one office contradicts another
    "政务大厅说可以帮代办 结果过了半个月又把材料退给我让自己跑",  # a promise broken
    "学校说要房产证才能报名 租房合同备案了也不行",  # done as told, no use
    "政务服务中心三号窗口的工作人员态度很差，问两句就不耐烦",
    "公积金中心的人说话太冲了",
    "我们小区楼下烧烤店油烟太大，晚上十二点还在营业扰民",
    "公司拖欠我们二十多个工人的工资已经半年了",
    "小区门口的路灯坏了一个月了，一直没人修",
    "驾校收了钱不退款，还说是规定",
    "我上个月反映的问题到现在还没人处理",
    "已经停水三天了，物业说不知道什么时候来水",
    "菜市场门口长期占道经营，早上根本走不了车",
    "尊敬的市长：您好！我是裕安区的一名退休教师，我们楼后面的工地每天夜里施工，噪音很大，请有关部门管一管。",
    "举报一家黑作坊偷排污水",
    "菜市场的活禽区太脏了 禽流感怎么办",  # dirt is a grievance, whatever question follows
    "办个营业执照变更 跑了四趟了 每次都说少个材料",  # sent back and forth
    "我爸退休手续办了三个月了 养老金一分没见着",  # waited for nothing
    "申请低保村里说不够条件 也不说为啥",  # refused without a reason
    "买的房子交房五年了 房产证还办不下来 开发商说在走流程",
    "生育津贴交上去快半年了 单位说社保没拨",  # how long it has waited
    "社保卡激活了还是用不了 银行说找人社 人社说找银行",
    "异地就医备案了 结果在上海住院还是没法直接结算",
    "办个不动产抵押 材料交了说三个工作日 现在十天了还没动静",  # nothing heard since
    "孩子明年上小学 户口在学区里 房子是租的 学校说不给报名",  # an office refuses
    "孩子上户口 要我们提供结婚证原件 我们是补领的结婚证也不认",
    "生育津贴申请材料交齐了 单位说医保局没审 医保局说单位没报",  # bounced between two offices
    "娃生下来三个月了户口还没上 医院让找派出所 派出所又让找医院",
    "社保卡换了新卡 旧卡里的钱没转过来 银行说找社保 社保说找银行",
    "公积金提取申请被驳回了 说材料不全 问缺啥也不告诉",  # refused an explanation
    "单位倒闭了公积金取不出来 单位的人都找不到了",  # whoever answers for it is gone
    "新生儿出生登记 医院系统里查不到出生证信息 派出所办不了",  # an office cannot do its part, its system fails
    "生育登记填错了孩次 想改改不了 系统没这个选项",
    "个税年度汇算 退税审核一个多月还是审核中",  # kept waiting
    "养老保险缴费记录查询 少了2018年一整年 当时明明交了",  # its record is wrong
    "无犯罪记录证明开出来名字是错的 单位不收",  # its document is wrong
    "职工退休待遇核定出来 工龄少算了三年 档案里都有的",  # its sum is wrong
    "补领结婚证 说我们登记的档案找不到了",  # its record is lost
    "去年交了居民医保 今年看病说断保了 交费记录里查不到",
    "你们12345是不是摆设？打了三次电话都没人接",  # sarcasm says it
]
WEAK = [
    "房产证办不下来",
    "我家有低保补助还没发",  # naming the support it has is no question about support
    "小区门口的路灯坏了",
    "公积金提取申请被驳回了",
    "单位倒闭了 公积金取不出来",
    "我们这边停水了",
    "楼道里一直漏水",
    "马路中间有个大坑塌陷了",
    "井盖丢了",
    "垃圾没人收",
    "水管爆了",
    "天然气停了",
    "桥栏杆断了",
    "河里死鱼了",
    "水是黄的",
    "打了三次电话都没人接",
    "12345热线老是占线",
    "12345打一上午都是占线",
]
QUESTIONS = [
    "窗口说可以网上办 但是我不会用手机 怎么办",  # told what is possible, and asks how
    "租房合同备案了也不行吗",
    "我交了一年的社保 能领失业金吗",  # a duration, but nothing waited for
    "养老保险交了好几年了，怎么网上查不到记录",
    "个体户注销是不是要来回跑几个地方",  # running around asked about, not told
    "上周交的居住证申请怎么还没动静",  # asks after its progress (a status check), tells no wait overdue
    "派出所说需要出生证 医院说一周后给",  # two offices, neither sends the resident elsewhere
    "窗口说要带户口本 还要带什么",
    "公积金提取被驳回了怎么办",
    "公积金取不出来怎么办",
    "社区办不了 要去哪办",  # asks where, tells no failure
    "派出所办不了的话 户口迁移还能去哪办",
    "社区办不了 得去街道还是去区里办呢",
    "断保了怎么补交",
    "生育登记填错了怎么改",
    "系统显示审核中要等多久",
    "这个字我不认得 社区在哪",
    "社保卡坏了怎么补办",
    "怎么申请失业金",
    "新生儿落户需要什么材料",
    "公积金提取要多久到账",
    "居住证在哪里办",
    "营业执照办理流程是什么",
    "身份证丢了去哪里补",
    "今天天气怎么样",
    "你好",
    "12345晚上有人接吗",
    "孩子放学后没人接 有没有课后服务",  # nobody fetches the child: no phone unanswered
]


@pytest.mark.parametrize("text", STRONG)
def test_plain_grievances_are_strong(text: str) -> None:
    assert grievance_strength(text) is Strength.STRONG


@pytest.mark.parametrize("text", WEAK)
def test_a_wrong_state_without_a_question_is_weak(text: str) -> None:
    assert grievance_strength(text) is Strength.WEAK


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("停电了", True),  # three characters are enough
        ("停水三天了", True),
        ("坏了", False),  # what is broken?
        ("停水了吗", False),  # asks
        ("电话断了", False),  # 断了 of a thing a department keeps only
        ("社保卡坏了怎么补办", False),  # a how-to question
        ("你好呀", False),
    ],
)
def test_a_problem_may_be_stated_in_a_few_characters(text: str, states: bool) -> None:
    assert states_a_problem(text) is states


@pytest.mark.parametrize("text", QUESTIONS)
def test_how_to_questions_are_no_grievance(text: str) -> None:
    assert grievance_strength(text) is Strength.NONE


def test_a_how_to_phrasing_does_not_undo_a_plain_grievance() -> None:
    text = "失业金为什么一直没发下来，要怎么办理才能领到"
    assert asks_how_to(text)
    assert grievance_strength(text) is Strength.STRONG


def test_a_how_to_phrasing_turns_a_weak_state_into_a_question() -> None:
    assert grievance_strength("路灯坏了") is Strength.WEAK
    assert grievance_strength("路灯坏了找哪个部门，怎么报修") is Strength.NONE


def test_only_the_start_of_a_long_letter_is_read() -> None:
    late = "此事" * READ_CHARS + "，工作人员态度很差"
    assert grievance_strength(late) is Strength.NONE
    assert grievance_strength("工作人员态度很差，" + "此事" * READ_CHARS) is Strength.STRONG


@pytest.mark.parametrize(
    "text",
    [
        "尊敬的市长：您好！我是裕安区的一名退休教师，想咨询一下异地就医备案之后，在外地住院的费用怎么报销。",
        "市长您好！我母亲是被征地农民，当年征地时说已经给她办了养老保险，现在到了年龄却领不到钱。",
        "我今年六月被公司解除劳动合同，在网上申请失业保险金，系统一直提示材料不全，可是我已经按要求上传了所有"
        "材料，打电话问也没人说清楚到底缺什么，现在已经两个多月没有收入了，家里还有老人孩子要养，请问我该怎么办？",
    ],
)
def test_letters_are_letters(text: str) -> None:
    assert is_letter(text)


@pytest.mark.parametrize(
    "text",
    ["您好！社保卡怎么补办", "公积金提取需要什么材料", "市长您好", "你好，我想问一下居住证在哪里办理，需要带什么"],
)
def test_chat_questions_are_no_letters(text: str) -> None:
    assert not is_letter(text)


@pytest.mark.parametrize(
    "text",
    [
        "出生证明上娃名字写错了一个字 能改不 去哪改",
        "俺俩户口都在舒城 能在市里领证吗",
        "港澳通行证过期了续签要带啥",
        "请问县里今年的财政预算在哪能查到",
        "电动车上牌是否需要发票？",
        "小区加装电梯要不要规划审批",  # asked both ways
        "公司地址变了用不用换执照",
    ],
)
def test_a_question_that_says_nothing_is_wrong_is_a_consultation(text: str) -> None:
    assert asks_a_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "公交车空调不开 热死了 票价一分没少",  # says something, asks nothing
        "失业金为什么还没按时发下来",  # asks, but something is wrong: a complaint
        "小区门口的路灯坏了一个月了，到底有没有人管",
        "好的 谢谢",
        "你们12345是不是摆设",  # 是不是: mostly a grievance
    ],
)
def test_a_grievance_or_a_statement_is_no_consultation(text: str) -> None:
    assert not asks_a_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "请问县里今年的财政预算在哪能查到",
        "想咨询一下：我嫁到外县了，户口还在娘家村，村里分征地款有我的份吗",
        "港澳通行证怎么续签",
        "出生证明上娃名字写错了一个字 能改不 去哪改",  # where to have it corrected
        "想把我爸送养老院 他能自理 有没有公办的 一个月大概多少钱",  # what a service costs, whether one is offered
        "停车费标准谁定的",  # who set a rule, and on what grounds
        "物业费涨价的依据是什么",
        "老家房子被村里划进拆迁范围了 补偿标准在哪看",
        "大学毕业没找到工作 有没有什么就业补贴",  # what support there is
        "种了五十亩水稻 有什么补贴可以申请",
    ],
)
def test_asking_outright_or_about_a_procedure_is_a_consultation(text: str) -> None:
    assert is_consultation(text)


@pytest.mark.parametrize(
    "text",
    [
        "舒城往晓天那条路坑坑洼洼的 车底盘都刮好几回了 啥时候修",  # a report that ends in a question
        "火车站打个车到城里要五十 死活不打表 这正常吗",
        "请问小区门口的路灯坏了一个月了怎么还没人修",  # asks, but something is wrong
        "小区停车费乱收费 标准是谁定的",
    ],
)
def test_a_grievance_asked_as_a_question_is_no_consultation(text: str) -> None:
    assert not is_consultation(text)


def test_a_letter_is_a_consultation_only_when_it_says_so_at_its_start() -> None:
    story = "我是金安区某村的人，2019年嫁到外县，户口还没迁走。最近娘家村里分征地补偿款，村里说我不算村里人，" * 2
    assert is_consultation("想咨询一个问题：" + story + "我能不能分到？")
    told = "前天晚上我打12345咨询一件事，因为我年纪大了，说话慢，接线的小姑娘没听完就挂了电话。" * 2
    assert not is_consultation(told + "这样对待老人合适吗？")


@pytest.mark.parametrize(
    ("text", "repeat"),
    [
        ("上次反映的小区门口路灯坏了 到现在都没人修", True),
        ("之前打12345投诉过楼下烧烤油烟，一点没改", True),
        ("早就举报了，那家厂晚上还在偷排", True),
        ("这个井盖的事都反映好几次了", True),
        ("上个月报修的水管还在漏", True),
        ("我想反映个问题：路灯坏了", False),  # announces a first report
        ("以前这里有个公交站，现在没了", False),
        ("我要投诉", False),
    ],
)
def test_a_repeat_report_says_it_was_reported_before(text: str, repeat: bool) -> None:
    assert mentions_earlier_report(text) is repeat


def test_han_count_counts_chinese_characters_only() -> None:
    assert han_count("好的 ok 123！") == 2 and han_count("") == 0


@pytest.mark.parametrize(
    ("text", "displeased"),
    [
        ("😡😡😡", True),
        ("👎 ", True),
        ("😤！！", True),
        ("👍", False),
        ("😡 太慢了", False),
        ("😡1", False),
        ("", False),
        # Insults alone; an insult inside a matter told, and words said of the assistant, are not.
        ("你们都是废物 垃圾政府", True),
        ("傻X政府", True),
        ("你们这些人就是吃干饭的😡😡", True),
        ("滚蛋", True),
        ("窗口的人骂我是废物", False),
        ("小区垃圾没人清理 物业就是废物", False),
        ("太笨了", False),
    ],
)
def test_displeasure_is_emoji_or_insults_alone(text: str, displeased: bool) -> None:
    assert only_displeasure(text) is displeased


@pytest.mark.parametrize(
    ("text", "asks_after"),
    [
        ("我的投诉怎么还没回复", True),
        ("我上个月反映的问题到现在还没人处理", True),
        ("上周投诉的事有结果没", True),
        ("上次报修到现在都没人来", True),
        ("上次反映的小区门口路灯坏了 到现在都没人修", False),  # tells the matter again
        ("我要投诉", False),  # nothing asked after
        ("我要投诉物业", False),
        ("我要投诉 没人处理", False),  # a complaint to file now
    ],
)
def test_asking_after_an_earlier_report_tells_no_matter(text: str, asks_after: bool) -> None:
    assert asks_after_earlier_report(text) is asks_after


@pytest.mark.parametrize(
    ("text", "for_a_question"),
    [
        ("不对 不投诉了 就是想问问物业费标准谁定的", True),
        ("算了 还是不投诉了 我想问下停车费标准谁定的", True),
        ("我不想投诉了，请问公积金怎么提取？", True),
        ("不投诉了", False),  # nothing asked
        ("不投诉了 我要举报物业乱收费", False),  # a grievance of another kind
        ("物业费标准谁定的", False),  # nothing withdrawn
        ("我要投诉 物业费标准谁定的", False),
    ],
)
def test_a_complaint_withdrawn_for_a_question(text: str, for_a_question: bool) -> None:
    assert question_instead_of_complaint(text) is for_a_question


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("不对 不投诉了 就是想问问物业费标准谁定的", Strength.NONE),
        ("不投诉了", Strength.NONE),
        ("不投诉了 我要举报物业乱收费", Strength.STRONG),  # what follows counts
        ("不投诉不行了 物业收费不合理", Strength.STRONG),  # no withdrawal: it must be complained of
    ],
)
def test_a_complaint_withdrawn_at_the_start_says_nothing_is_wrong(text: str, strength: Strength) -> None:
    assert grievance_strength(text) is strength


@pytest.mark.parametrize(
    ("text", "urges"),
    [
        ("怎么还没人处理 都等三天了", True),
        ("帮我催一下", True),
        ("能不能快点啊", True),
        ("我的投诉怎么还没回复", True),
        ("都超期了还没人联系我", True),
        ("麻烦帮忙催一下TS2026120100001", True),
        ("等了一个星期了", True),
        ("为什么还不处理", True),
        ("12345反映的问题一直没人管", True),
        ("帮我催一下路灯的事", True),  # asked in so many words: whatever it names
        ("能不能帮我加快一下公积金提取的审批", True),
        ("物业天天上门催交物业费 态度很凶", False),  # a 催 that asks nothing of us
        ("路灯一直没人修", False),
        ("查进度", False),  # no hurry in it
        ("投诉还没答复 查一下", False),  # asks to look it up: a status check, whose reply offers 催办
        ("超时了还没回复 帮我查下进度 催一下", True),
        ("办好了没有", False),
        ("路灯坏了三天了还没人修", False),  # the matter told: a report
        ("垃圾三天没人清理了 赶紧来处理", False),
        ("社保卡怎么还没做好", False),  # a question about a service's progress
        ("窗口办事太慢了 能不能快点", False),
        ("我要投诉 没人处理", False),  # a complaint announced
        ("尊敬的领导：我们小区的路灯坏了一个月，请尽快处理。", False),  # a letter
    ],
)
def test_urging_ones_own_case_tells_no_matter(text: str, urges: bool) -> None:
    assert urges_own_case(text) is urges


@pytest.mark.parametrize(
    ("text", "disputes"),
    [
        ("投诉的事情处理好了 但是我不满意", True),
        ("说是已经办结了 问题根本没解决", True),
        ("对处理结果不满意", True),
        ("工单显示已办结 可根本没人联系过我", True),
        ("这个办结我不同意", True),
        ("我反映的路灯说修好了 结果晚上还是黑的", True),  # told it was done, and it is not
        ("路灯还没修好", False),
        ("申请重办", False),  # no closing told: the classifier's (an NLU example)
        ("问题根本没解决", False),  # nothing says it was closed: a complaint
        ("我不满意", False),  # with an answer of the assistant: not_satisfied
        ("路灯还没修好", False),
        ("问题已解决，谢谢", False),
        (
            "尊敬的领导：我上个月反映的问题被办结了，但根本没解决，小区门口的污水井还在往外溢，臭气熏天，"
            "老人孩子出门都得绕着走，请派人重新处理。",
            False,
        ),  # a letter tells its matter: a complaint
    ],
)
def test_disputing_how_ones_case_was_closed(text: str, disputes: bool) -> None:
    assert disputes_resolution(text) is disputes


@pytest.mark.parametrize(
    ("text", "satisfied"),
    [
        ("上次投诉的事解决了 谢谢你们", True),
        ("投诉处理得很好 非常满意", True),
        ("我反映的问题已经解决了 感谢", True),
        ("工单办结了 很满意", True),
        ("上次反映的路灯已经修好了 谢谢你们 辛苦了", True),
        ("投诉处理得很好 但是路灯又坏了", False),  # a new problem
        ("投诉的事我不满意", False),
        ("我要投诉 谢谢", False),  # a complaint announced
        ("问题解决了吗", False),  # a question
        ("谢谢", False),  # thanks, for the classifier: nothing said of a case
        ("12345回访的时候逼着我说满意", False),  # a grievance about the follow-up
        ("城管白天来拍拍照 晚上一走夜宵摊立马摆满 桌子都支到车道上 问题解决了是吧 辛苦了", False),  # sarcasm
    ],
)
def test_satisfaction_with_a_case_dealt_with(text: str, satisfied: bool) -> None:
    assert satisfied_with_resolution(text) is satisfied


@pytest.mark.parametrize(
    ("text", "adds", "content"),
    [
        ("补充一下 是3号楼东单元的电梯", True, True),
        ("说错了 不是电梯 是楼道灯坏了", True, True),
        ("算了 不是电梯 是楼道灯坏了", True, True),  # a correction of what was just reported
        ("刚才忘了说 晚上十点以后最吵", True, True),
        ("TS2026120600001 补充：是3号楼的电梯", True, True),
        ("对了 还有个情况要补充", True, False),
        ("我想补充一下", True, False),  # says nothing yet: the content is asked for
        ("不是六安户口 是外地的 能办社保卡吗", False, True),  # a question
        ("补充医疗保险怎么报销", False, True),  # a service
        ("我想补充材料怎么弄", False, True),  # an application's documents
        ("不是说好了三天吗 怎么还没人来", False, True),
        ("路灯坏了", False, True),
        (
            "尊敬的领导：补充说明一下，我上周反映的小区门口污水井问题，不光是臭，晚上还有老鼠成群出没，老人孩子"
            "出门都得绕着走，请尽快派人处理。",
            False,
            True,
        ),  # a letter tells its matter: a request of its own
    ],
)
def test_adding_to_or_correcting_ones_report(text: str, adds: bool, content: bool) -> None:
    assert adds_to_own_case(text) is adds
    assert supplement_content(text) is content
