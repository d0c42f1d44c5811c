"""Is a resident's message a grievance (something is wrong and someone should act) or a question about how to
get something done? Read by the Rasa side (bot/request_kind.py turns a grievance read as a question into
``submit_complaint``) and by the actions (a grievance about a service is not answered with its how-to guide).

Plain patterns, no model: the two readings differ in a small set of phrasings, and a rule that can be read is
easier to trust and correct than a classifier trained on a few hundred lines. Three strengths:

- ``STRONG``: the message says plainly that something is wrong ("没按时发", "态度很差", "三天没人管", "我要投诉").
  A how-to phrasing does not undo it: "失业金为什么还没发下来" is a complaint, not a question.
- ``WEAK``: a state that is wrong ("路灯坏了", "停水了") but that also starts how-to questions ("社保卡坏了怎么补办");
  a grievance only when the message asks nothing about a procedure.
- ``NONE``: nothing says something is wrong.
"""

from __future__ import annotations

import enum
import re

from contract.case_kinds import CASE_NUMBER_PATTERN
from knowledge.text import any_of_words

# Only the start of a long letter is read: its matter comes first, and the cost stays bounded.
READ_CHARS = 600
_HAN = re.compile(r"[\u4e00-\u9fff]")


def han_count(text: str) -> int:
    """How many Chinese characters ``text`` has: what a message says, without digits, letters and punctuation."""
    return len(_HAN.findall(text))


class Strength(enum.IntEnum):
    NONE = 0
    WEAK = 1
    STRONG = 2


# Who a resident deals with: an office, a window, a company ("学校", "医保局", "社区", "窗口", "物业"). Its last
# word is enough to find one; the whole name ("医保局", not "局") only matters where two offices are compared.
_OFFICE_WORD = (
    r"(?:局|所|站|中心|办|处|科|院|队|委|社区|街道|村里|镇里|乡里|单位|公司|银行|窗口|物业|学校"
    r"|医院|厂里|大厅|柜台|开发商|社保|医保|人社|税务|交警|民政|残联|城管|商家|厂家|店里)"
)
_OFFICE = rf"[\u4e00-\u9fff]{{0,4}}?{_OFFICE_WORD}"

_STRONG = re.compile(
    "|".join(
        (
            r"投诉|举报|曝光|控告|检举",
            r"不作为|乱作为|推诿|踢皮球|刁难|吃拿卡要|索要|收红包|不耐烦|呵斥|训斥|敷衍|不负责任",
            r"被[^，,。！!？?\s]{0,5}?(?:吼|凶|骂|训|怼)了",  # "被工作人员吼了一顿", "被保安凶了几句"
            r"态度(?:很|非常|特别|极其|太)?(?:差|恶劣|不好|蛮横|冷漠|生硬)|(?:说话|服务)(?:太|很)?冲",
            r"乱收费|多收费|违规收费|乱罚款|强制收费|强行收费|收费不合理|霸王条款",
            r"拖欠|欠薪|讨薪|克扣|不发工资|工资(?:没|未)(?:有)?(?:发|结)|不给(?:钱|工资|结算)",
            r"(?:没|未|不)(?:有)?按时(?:发放|发|到账|办结|办理|答复|处理|退)",
            r"迟迟|一直(?:没|不|未)|至今(?:没|未|还没)|到现在(?:都|还)?(?:没|不)|好几(?:天|个月|周|次)(?:了)?(?:都)?(?:没|不)",
            r"(?:没|无)人(?:管|处理|修|问|理|来)|不管不问|没有人管|置之不理|没(?:人)?回复|石沉大海",
            r"没有(?:任何)?(?:回复|答复|回音|下文|结果|进展)",
            r"扰民|噪音|噪声|吵得|油烟|异味|臭气|恶臭|偷排|直排|污染|焚烧|烧秸秆|脏乱差|又脏又乱|(?:太|很|特别|非常)脏|脏得",
            r"违建|违章(?:建筑|搭建)|私搭乱建|占道|乱停|堵门|侵占|私自|擅自|强拆|强占",
            r"安全隐患|存在隐患|随时(?:可能)?(?:倒|塌|掉)|摔伤|砸伤|触电",
            r"(?:已经|都)?(?:停水|停电|断水|断电|没水|没电|没暖气)(?:了)?(?:好)?[两三四五六七八九十几\d]+(?:天|个小时|小时|周)",
            r"欺骗|虚假宣传|被骗|坑人|黑心|跑路|卷款|不退(?:钱|款|押金|费)|拒绝退(?:款|费)",
            # whoever answers for it is gone: "单位倒闭了 单位的人都找不到了", "老板人也找不到"
            r"(?:人|老板|负责人|经理)(?:都|也)找不到|找不到(?:老板|负责人)",
            r"骂人|打人|殴打|威胁|辱骂",
            r"不合理|不公平|不公正|太慢了|效率(?:太|很)?低|形同虚设|(?:是不是|成了|就是个?|简直是)摆设",
            # sent back and forth ("跑了四趟了 每次都说少个材料"), waited for nothing ("养老金一分没见着", "交房五年了
            # 房产证还办不下来"), refused without a reason ("说不够条件 也不说为啥")
            r"跑了(?:好|[两三四五六七八九十几\d])+(?:趟|次|回)|来回跑了|跑断(?:了)?腿|白跑(?:了)?一趟",
            r"互相推|推来推去|踢来踢去",
            # done as told, and still no use: "激活了还是用不了", "备案了 结果在上海住院还是没法直接结算"
            r"(?:了|过|结果|可是|但是)[^，,。！？!?\s]{0,8}?还是(?:没法|没办法|不能|用不了|不行|办不了)",
            # "租房合同备案了也不行" (not "我去了也不行吗": asked)
            r"(?:了|过)也(?:不行|没用|不管用|用不了|办不了)(?![吗吧呢?？])",
            # how long it has waited: "交上去快半年了", "交了材料快一年了" (not "交了一年的社保", "社保交了好几年了")
            r"(?:(?:交|递|报)上去|交了(?:材料|资料|申请)|提交了|申请了|办了|等了)[^，,。！？!?\s]{0,4}?(?:快|都|已经|有)?"
            r"(?:半|好|[一两三四五六七八九十几\d])+个?多?(?:月|年|周|星期)多?了",
            r"(?:一分钱?|一毛钱?|一分一毛)(?:都|也)?没(?:见着|见到|拿到|收到|到账|发|给)",
            r"不(?:说|讲|告诉|解释)(?:我们?)?(?:为啥|为什么|原因|理由)|问[^，,。！？!?\s]{0,6}?(?:也|都)不(?:说|讲|告诉|解释)|(?:还|都|一直|至今|迟迟)(?:是)?(?:办|批)不下来",
            r"要求(?:有关部门|相关部门|政府|尽快|立即|赔偿|退还|处理|整改|解决)|请(?:有关|相关)部门|希望(?:有关|相关)部门",
            # nothing heard since: "材料交了说三个工作日 现在十天了还没动静"
            r"(?<![怎咋么])(?:还|都|仍|一直)没(?:有)?(?:动静|消息|音讯|音信|下文|回音|进展)",
            # an office refuses: "学校说不给报名", "补领的结婚证也不认" (not "不认识", "不认得")
            rf"{_OFFICE_WORD}(?:又|却|就|还|也)?(?:说|讲)?(?:不给|不让|不予|不肯|拒绝)(?:办|报名|登记|受理|上|落|入|批|开|退|认|盖)"
            r"|(?:也|都|就是|还是|却|偏偏)不(?:认|承认|认可|受理)(?![识得真为])",
            # an office cannot do its part: "医院系统里查不到出生证信息 派出所办不了" (not "社区办不了 去哪办",
            # "派出所办不了的话 还能去哪办": asked where else, not told a failure)
            rf"{_OFFICE_WORD}(?:说)?(?:也|又|还是|都)?(?:办不了|没法办)(?!的话)(?![^。！!？?]*?(?:[吗吧呢?？]|哪|怎么|咋|如何))",
            # its system fails: "系统里查不到", "系统没这个选项"; or keeps a request waiting: "一个多月还是审核中"
            r"系统(?:里|上)?(?:查不到|没有?(?:我的|这个)?(?:记录|信息|选项|数据)|不通|故障|坏了|有问题|出错|崩)",
            r"(?:还是|还在|仍然|仍在|一直)(?:显示|是|在)?(?:审核中|处理中|受理中|待审核|办理中|审批中)",
            # its record, sum or document is wrong, or lost: "少了2018年一整年 当时明明交了", "工龄少算了三年",
            # "开出来名字是错的", "登记的档案找不到了", "交了医保 看病说断保了"
            r"明明(?:已经|都)?(?:交了|交过|办了|有|是|符合|够|去了|按)|(?:少|多)(?:算|发|给|扣|计|收)了|(?:算|扣|发)错了",
            r"(?:档案|记录)(?:都|也)?(?:找不到|丢了|弄丢了|搞丢了|没了)|说(?:我|俺)?(?:断保|断缴|没交|欠费|没参保|未参保)了",
            r"(?:开|办|发|寄|录|打|印)(?:出来|下来)的?[^，,。！？!?\s]{0,6}?(?:是错的|错了|写错|印错|打错|搞错|弄错)",
            # one office contradicts another: "说医院的诊断证明格式不对 医院说就这个格式"
            rf"(?:不对|不行|不合格|不符合|不规范|不全|不够)[^。！!？?]{{0,20}}?{_OFFICE_WORD}(?:又|却|那边|这边)?(?:说|讲)"
            r"(?:就|只有|只能|只)(?:是|有|开|能开)?(?:这个|这样|这种|这些|这么)",
            # a promise broken: "政务大厅说可以帮代办 结果过了半个月又把材料退给我"
            r"(?:说|答应|保证|承诺)(?:好的?)?(?:了)?(?:可以|能|会)[^。！!？?]{1,15}?(?:结果|可是|但是|后来|最后)"
            r"[^。！!？?]{0,20}?(?:又|却)(?:把|说|让|不|没)",
            # bounced between two offices: "单位说医保局没审 医保局说单位没报", "医院让找派出所 派出所又让找医院"
            rf"(?P<office>{_OFFICE})(?:又|却|那边|这边)?(?:说|讲|让|叫)[^，,。！？!?；;]{{1,15}}[，,；;\s]+(?!(?P=office))"
            rf"{_OFFICE}(?:又|却|那边|这边)?(?:说|讲|让|叫)[^，,。！？!?；;\s]{{0,6}}?(?:没|不|找|去|推|在)",
        )
    )
)

_WEAK = re.compile(
    r"坏了|损坏|破损|不亮|漏水|渗水|积水|堵塞|堵了|塌陷|裂缝|停水|停电|断水|断电|没水|没电|爆了|爆管|"
    r"(?:水|电|气|暖气|燃气|煤气)(?:又|都)?停了|(?:栏杆|护栏|电线|管|桥|路|树)[^，,。！？!?\s]{0,3}?断了|死鱼|鱼(?:都)?死|水(?:是|发|变|很|有点)?(?:黄|浑|黑|臭)(?:的|了)|"
    r"太吵|吵死|吵得|被偷|偷了|不停站|过站不停|"
    # a phone nobody answers: "打了三次电话都没人接", "热线老是占线"
    # (not "孩子放学后没人接": nobody fetches them)
    r"(?:电话|热线|12345|打)[^。！？!?]{0,12}?没人接|无人接听|打不通|(?:一直|老是|总是|全是|都是|还是|又是)占线|"
    r"占用|乱扔|垃圾(?:成堆|堆积|没人(?:清|收|拉|运))|井盖(?:丢|没了|坏|翘|松|破|缺)|没有?(?:收到|到账)|还没(?:有)?(?:发|到|办|下来)|不给(?:办|开|批|退)|被拒|被驳回|被退回|"
    r"办不下来|批不下来|拿不到|领不到|(?:取|提|退|转)不出来|改不了|删不了|撤不回|(?:交|传|报)不上去|提交不了"
)

# How-to phrasings: asking about a procedure, not reporting a problem.
_HOW_TO = re.compile(
    r"怎么(?:办理|申请|补办|补|换|办|弄|查|领|交|缴|开|报|挂失|修改|变更|注销|提取|预约|登记|续)|如何|怎样|"
    r"需要(?:什么|哪些|带|准备|多少|多久)|要(?:带|准备|交)(?:什么|哪些|啥)|在哪(?:里|儿)?(?:办|申请|领|交|补|改|换)|"
    r"去哪(?:里|儿)?(?:办|申请|领|交|补|改|换)|什么(?:材料|条件|流程|手续)|流程|材料|条件|手续|能不能办|可以办|"
    # what a service costs or whether one is offered ("一个月大概多少钱", "有没有公办的")
    r"(?:大概|一般|一个月|一年|每月)多少钱|有没有(?:公办|公立|免费|补贴|优惠)|"
    # what support there is ("有没有什么就业补贴", "有什么补贴可以申请"; not "我家有低保补助还没发")
    r"(?:有没有|有(?:什么|啥|哪些))[^，,。？?!！\s]{0,6}?(?:补贴|补助|津贴|优惠政策|扶持政策)"
)


# "不对 不投诉了，我想表扬……", "算了 还是不举报了 就是想问问……": a complaint withdrawn at the start of the message
# (not "不投诉不行了": that one insists).
_WITHDRAWN = re.compile(
    r"^(?:算了|不对)?[，,\s]*(?:还是)?我?(?:还是)?不(?:是|想|要){0,2}(?:投诉|举报)(?![不没]行|不可)了?"
)


def after_withdrawn_complaint(text: str) -> str | None:
    """What follows a complaint withdrawn at the start of the message, else None."""
    text = text.strip()
    withdrawn = _WITHDRAWN.match(text)
    return text[withdrawn.end() :] if withdrawn else None


def grievance_strength(text: str) -> Strength:
    """How plainly ``text`` says that something is wrong (see the module docstring). A complaint withdrawn at the
    start ("不投诉了 就是想问问……") says nothing is: only what follows counts."""
    rest = after_withdrawn_complaint(text[:READ_CHARS])
    text = text[:READ_CHARS] if rest is None else rest
    if _STRONG.search(text):
        return Strength.STRONG
    if _WEAK.search(text) and not _HOW_TO.search(text):
        return Strength.WEAK
    return Strength.NONE


# A question of any kind: a question mark or particle, "能…不", or an asking word.
_QUESTION = re.compile(
    r"[?？吗呢]|[能会可][^，,。！!\s]{0,3}不|是否|有没有|怎么|咋|哪|什么|啥|多少|多久|几[点时天个号]"
    # "要不要审批", "用不用", "需不需要": asked by saying it both ways ("是不是摆设" is left: mostly a grievance)
    r"|([要用需行算给该让准])不\1"
)


# "停水三天了", "井盖丢了", "停电了": a problem stated in a few characters is still one.
MIN_PROBLEM_HAN = 3


def states_a_problem(text: str) -> bool:
    """``text`` says, however briefly, that something is wrong, and asks nothing ("停水了吗" asks)."""
    return (
        han_count(text) >= MIN_PROBLEM_HAN
        and grievance_strength(text) is not Strength.NONE
        and not _QUESTION.search(text[:READ_CHARS])
    )


# Asking for information outright: "请问", "想咨询一下", "问一下"; asking who set a rule and on what grounds
# ("停车费标准谁定的", "依据是什么"), or where to read it ("补偿标准在哪看").
_CONSULTING = re.compile(
    r"请问|咨询|想问|问一下|问下|请教|想了解|打听"
    r"|谁(?:定|规定|制定|批准?)的|(?:依据|根据)(?:是)?(?:什么|啥|哪)|有(?:什么|啥|哪些)(?:政策|规定)|怎么规定的"
    r"|标准是(?:多少|什么|啥|怎么)|(?:在|去|上)哪(?:里|儿)?(?:能|可以)?(?:看|查)"
)


def asks_a_question(text: str) -> bool:
    """The message asks something ("能改不 去哪改", "这正常吗") and says plainly nothing is wrong."""
    head = text[:READ_CHARS]
    return bool(_QUESTION.search(head)) and grievance_strength(head) is Strength.NONE


# A letter or a long story that is a consultation says so at its start, after any greeting ("您好！想咨询一个
# 问题：", "请问："); later in a story the words are part of what happened ("前天我打12345咨询一件事，接线员……").
_LETTER_CONSULTING = re.compile(
    r"^(?:(?:尊敬的|敬爱的)[^，,：:！!。]{0,12}[，,：:！!。\s]*)?(?:[^，,：:！!。]{0,8}(?:您|你)们?好[，,：:！!。\s]*)?"
    r"(?:我)?(?:想|要)?(?:请问|咨询|问一下|问下|问个|请教|了解)"
)


def is_consultation(text: str) -> bool:
    """A request for information, not a report: it asks outright ("请问", "想咨询") or about a procedure, and
    nothing in it is wrong, not even weakly. A grievance often ends in a question ("路坑坑洼洼的 啥时候修",
    "死活不打表 这正常吗"): those stay reports and complaints."""
    if grievance_strength(text[:READ_CHARS]) is not Strength.NONE:
        return False
    if han_count(text[:READ_CHARS]) >= LETTER_WITH_SALUTATION_HAN:  # a story, as in a letter
        return bool(_LETTER_CONSULTING.search(text.strip()))
    return bool(_CONSULTING.search(text) or asks_how_to(text))


def question_instead_of_complaint(text: str) -> bool:
    """ "不对 不投诉了 就是想问问物业费标准谁定的": the complaint is withdrawn for a question that wants its answer."""
    rest = after_withdrawn_complaint(text)
    return rest is not None and (asks_a_question(rest) or is_consultation(rest))


def asks_how_to(text: str) -> bool:
    """The message asks about a procedure (materials, steps, where, how long)."""
    return bool(_HOW_TO.search(text[:READ_CHARS]))


# A letter to the government opens with a salutation ("尊敬的市长：", "市长您好！", "您好！我是……") and tells a story.
_SALUTATION = re.compile(
    r"^(?:尊敬的|敬爱的|[^，,：:！!。\s]{0,8}(?:市长|书记|领导|局长|主任)(?:您|你)?好|(?:您|你)好[！!，,])"
)
LETTER_WITH_SALUTATION_HAN = 40
LETTER_HAN = 80


def is_letter(text: str) -> bool:
    """A letter asking the government for an answer, not a chat question: a salutation and a story, or a long text."""
    text = text.strip()
    han = han_count(text[:READ_CHARS])
    return han >= LETTER_HAN or (han >= LETTER_WITH_SALUTATION_HAN and bool(_SALUTATION.search(text)))


# Displeasure said with emoji alone ("😡😡😡", "👎"): nothing to act on yet, but no "好的" either.
_DISPLEASURE = frozenset("😡😠🤬😤👎💢😒🙄😞😩😫😭")


# Insults and curses ("废物", "吃干饭的", "垃圾政府"): anger, and nothing yet to act on. Not words said of the
# assistant ("太笨了", "人工智障": displeasure with an answer, a person takes over).
_INSULT = re.compile(
    r"废物|饭桶|吃干饭的?|垃圾政府|狗官|混蛋|王八蛋|白痴|蠢货|傻[逼比叉bBxX]|\bsb\b|他妈的?|妈的|去死|滚蛋|滚开"
    r"|草泥马|狗东西|畜生|人渣|不要脸",
    re.IGNORECASE,
)
# What is left of a message of insults without them: who is meant and how ("你们这些人就是……的").
_AROUND_INSULTS = re.compile(
    r"你们|你|政府|这些人|这帮人|一帮|一群|一堆|都是|就是|全是|简直|真是|的|了|啊|吧|呢|[\s\W_\d]"
)


def without_insults(text: str) -> str:
    return _INSULT.sub("", text)


def only_insults(text: str) -> bool:
    """Insults and nothing of a matter ("你们都是废物 垃圾政府"); "窗口的人骂我是废物" tells a matter."""
    return bool(_INSULT.search(text)) and han_count(_AROUND_INSULTS.sub("", without_insults(text))) < 2


def only_displeasure(text: str) -> bool:
    """The message shows displeasure and nothing else: symbols only ("😡😡", "👎") or insults only."""
    signs = [c for c in text if not c.isspace()]
    emoji_only = any(c in _DISPLEASURE for c in signs) and not any(c.isalnum() for c in signs)
    return emoji_only or only_insults(text)


# The resident reported this before ("上次反映的路灯到现在都没人修", "之前打12345投诉过"): a repeat report, which
# a 12345 links to the earlier case (催办) rather than taking as a first report.
# A call that never got through reported nothing ("打了三次电话都没人接").
_UNANSWERED = r"(?![^，,。！!？?\n]{0,8}?(?:没人接|无人接听|打不通|没打通|占线))"
_EARLIER_REPORT = re.compile(
    r"(?:上次|上回|之前|以前|早前|前几天|前段时间|前些天|上周|上个月|去年|早就|已经)[^，,。！!？?\n]{0,12}?"
    rf"(?:反映|投诉|举报|报修|报过|说过|提过|打过(?:电话|12345){_UNANSWERED}|留言)"
    rf"|(?:反映|投诉|举报)(?:了|过)?(?:好几|好多|多|几|[两三四五六七八九十])次"
    rf"|打(?:了|过)?(?:好几|好多|多|几|[两三四五六七八九十])次{_UNANSWERED}"
)


def mentions_earlier_report(text: str) -> bool:
    """The message says the resident already reported this ("上次反映过", "早就投诉了", "已经打过12345")."""
    return bool(_EARLIER_REPORT.search(text[:READ_CHARS]))


_REPORT_WORD = re.compile(r"投诉|举报|反映|诉求|工单|办件|留言|报修")
_NOTHING_CAME_OF_IT = re.compile(
    r"没有?人?(?:回复|答复|回音|消息|结果|处理|联系|下文|动静|理|管|来)|结果|进度|进展|怎么样|咋样"
)
# What a question after one's own earlier report says besides it: who, when, and that nothing came of it yet.
# Longest first; a word not listed here (路灯, 物业, 漏水) tells the matter again.
_AFTER_REPORT_VOCABULARY = (
    "我们 我 俺 的 了 过 之前 以前 上次 上回 前几天 前段时间 前些天 上周 上个月 上星期 "
    "昨天 前天 去年 那个 这个 "
    "投诉 举报 反映 诉求 工单 办件 留言 报修 提交 提的 打 电话 问题 事情 事 情况 "
    "怎么 咋 为什么 为啥 咋样 怎么样 还 都 也 一直 到现在 至今 现在 到 没有 没 不 人 有 "
    "回复 答复 回音 消息 结果 处理 进度 进展 联系 下文 动静 理 管 查 一下 看看 查查 哪 步 给 "
    "呢 吗 啊 呀 吧 嘛"
)
_AFTER_REPORT_WORDS = any_of_words(_AFTER_REPORT_VOCABULARY)


def asks_after_earlier_report(text: str) -> bool:
    """The message asks what became of the resident's own earlier report and tells no matter again ("我的投诉怎么
    还没回复", "我上个月反映的问题到现在还没人处理"): a question about that case (its status, with the resident's own
    recent cases to pick), not a new complaint with nothing in it. "上次反映的路灯到现在都没人修" tells its matter
    again: a repeat report."""
    if not (_REPORT_WORD.search(text) and _NOTHING_CAME_OF_IT.search(text)) or is_letter(text):
        return False
    if announces_complaint(text):
        return False  # "我要投诉 没人处理": a complaint to file, not one filed before
    return han_count(_AFTER_REPORT_WORDS.sub("", text)) < 2


_HURRY_WORDS = r"催|尽快|抓紧|赶紧|赶快|快点|快一点|加快|加急"
# Asking for one's own case to be hurried ("帮我催一下", "能不能快点"), or impatience that nothing came of it
# ("怎么还没人处理 都等三天了", "都超期了"): 催办.
_URGING = re.compile(
    rf"{_HURRY_WORDS}|超期|超时|过了?(?:期限|时限)"
    r"|(?:怎么|咋|为什么|为啥)还?(?:没|不)|(?:还|一直|始终|至今)没有?人?(?:处理|管|办|回复|答复|联系|来|动静|下文|消息|理)"
    r"|(?:都|已经)(?:过了|等了)?[\d一二两三四五六七八九十几半好多]+个?(?:天|周|星期|礼拜|月)了|等了[^，,。]{0,4}(?:天|周|星期|月)"
)
# Asking to hurry in so many words; without them, a message that asks to look the case up ("投诉还没答复 查一下")
# is a status check (whose reply offers 催办).
_HURRY = re.compile(_HURRY_WORDS)
_LOOK_UP = re.compile(r"查|看看|看一下|进度|进展|到哪")
# What an urge says besides the earlier report's words: the hurry, the wait, the politeness.
_URGE_WORDS = any_of_words(
    f"{_AFTER_REPORT_VOCABULARY} 催 催一下 催办 催促 催催 帮我 帮忙 麻烦 请 能不能 能否 可以 可不可以 你们 "
    "尽快 抓紧 赶紧 赶快 快点 快一点 加快 加急 办理 办 超期 超时 过 期限 时限 已经 等 等了 好 多 几 "
    "天 周 星期 礼拜 月 个 半 一 二 两 三 四 五 六 七 八 九 十 0 1 2 3 4 5 6 7 8 9 "
    "哦 哎 唉 哈 么 嘛 啦"
)


# Asked in so many words to hurry the resident's own matter ("帮我催一下路灯的事", "帮我加快一下公积金提取的审批"):
# 催办 whatever it names. Not "物业天天上门催交费": a 催 that asks nothing of us.
_ASKS_TO_HURRY = re.compile(
    r"(?:帮|给|替)(?:我|俺|忙)(?:们)?[^，,。！!？?]{0,3}(?:催|加快|加急|尽快|抓紧)|催(?:一下|一催|催|办|促一下)"
)


def urges_own_case(text: str) -> bool:
    """The message urges the resident's own earlier case: asks in so many words to hurry it ("帮我催一下路灯的事"),
    or tells impatience and no matter ("怎么还没人处理 都等三天了", "我的投诉怎么还没回复"): 催办 of that case, not a
    new complaint with nothing in it. "路灯坏了三天了还没人修" tells its matter: a report."""
    if is_letter(text) or announces_complaint(text):
        return False
    if _ASKS_TO_HURRY.search(text):
        return True
    if not _URGING.search(text):
        return False
    if _LOOK_UP.search(text) and not _HURRY.search(text):
        return False
    return han_count(_URGE_WORDS.sub("", text)) < 2


# "说是办结了 问题根本没解决", "投诉的事情处理好了 但是我不满意": a case was closed and the resident disputes it.
_CLOSED = r"办结|结案|处理好了|处理完了|处理完毕|已解决|解决了|处理结果|办理结果|答复结果"
_DISPUTE = r"不满意|不认可|不接受|不同意|没解决|没有解决|没处理|没人处理|根本没|压根没|重办|重新处理|重新办"
# "说修好了 结果晚上还是黑的": told it was done, and it is not.
_CLAIMED_DONE = r"(?:说|显示|回复|答复|告诉我)(?:已经|都)?(?:修好|弄好|处理好|处理完|解决|办好|办结)"
_STILL_NOT = r"结果|其实|可是|但是|还是|还在|依然|依旧|照样|根本"
_DISPUTES = re.compile(
    rf"(?:{_CLOSED}).*(?:{_DISPUTE})|(?:{_DISPUTE}).*(?:{_CLOSED})|(?:{_CLAIMED_DONE}).*(?:{_STILL_NOT})"
)


def disputes_resolution(text: str) -> bool:
    """The message disputes how the resident's own case was closed ("说是办结了 路灯还是没人处理", "对处理结果不
    满意"): 不满意重办 of that case, not a new complaint. A letter tells its matter at length: a complaint."""
    return not is_letter(text) and bool(_DISPUTES.search(text))


# "补充一下 是3号楼东单元的电梯", "说错了 不是电梯 是楼道灯", "刚才忘了说 晚上十点以后最吵": the resident adds to
# or corrects what they just reported. Only at the start of a short message (after a filler: 算了, 哦, 对了 …), and
# never a question: "不是六安户口 是外地的 能办吗" asks something.
_FILLER = r"(?:算了|哦|噢|喔|啊|嗯|哎|不对|不好意思|抱歉|对了|另外|还有)?[，,。.！!～~\s]*"
# 补充医疗保险, 补充材料: a service or an application's documents, not words added to a report.
_NOT_ADDED = r"医疗|养老|保险|住房|公积金|协议|材料|资料|证明|耕地"
_CASE_FIRST = rf"(?:{CASE_NUMBER_PATTERN}[，,。:：\s]*)?"
_ADDING = re.compile(
    rf"^{_CASE_FIRST}{_FILLER}(?:我|俺)?(?:还|再)?(?:想|要|得)?(?:再|还)?(?:补充|更正|纠正)(?!{_NOT_ADDED})"
    rf"|^{_FILLER}(?:还有|另外还有)一?(?:个|点)?情况(?:要|想|需要)?(?:补充|说明|说一下)"
    rf"|^{_FILLER}(?:刚才|刚刚|前面|上面)?(?:说错了|写错了|搞错了|打错了|弄错了|说漏了|漏说了|忘了说|忘记说)"
    rf"|^{_FILLER}不是.{{1,10}}?[，,。\s]*(?:而)?是.",
    re.IGNORECASE,
)
# What announces a supplement and tells nothing by itself ("我想补充一下"): the content is asked for.
_ADDING_WORDS = re.compile(
    r"我|俺|还|再|想|要|得|补充|更正|纠正|一下|说明|几句|一点|一个|个|情况|内容|刚才|刚刚|说错了|写错了|忘了说|"
    r"算了|不对|不好意思|对了|另外|的|有|点|下|事项|投诉|诉求|反映|工单"
)


def adds_to_own_case(text: str) -> bool:
    """The message adds to or corrects what the resident reported ("补充一下 是3号楼的电梯", "说错了 不是电梯 是
    楼道灯"): 补充说明 of that case, not a new request. A letter or a question is neither."""
    return not is_letter(text) and not asks_a_question(text) and bool(_ADDING.search(text.strip()))


def supplement_content(text: str) -> bool:
    """Whether the supplement says something beyond announcing itself ("我想补充一下" does not)."""
    return han_count(_ADDING_WORDS.sub("", text)) >= 2


# "上次投诉的事解决了 谢谢你们", "投诉处理得很好 非常满意": a case dealt with, and the resident pleased (after its
# follow-up, say): its 投诉 tells nothing wrong. Both are needed, and little else: "辛苦了" after a story is sarcasm,
# "回访的时候逼着我说满意" a grievance.
_RESOLVED = re.compile(
    r"(?:解决|处理好|处理完|办好|办结|修好|弄好|办妥)了|(?:处理|办|解决)得(?:很|挺|非常|特别|真)?(?:好|快|及时|到位)"
)
_PLEASED = re.compile(r"(?<![不没])(?:非常|很|挺|十分)?满意|谢谢|感谢|多谢|辛苦了")
_CASE_WORDS = re.compile(r"投诉|举报|反映|诉求|工单")
MAX_PLEASED_REST_HAN = 12


def satisfied_with_resolution(text: str) -> bool:
    """The message says the resident's case was dealt with and they are pleased, and little besides ("上次投诉的事
    解决了 谢谢你们"); "投诉处理得很好 但是路灯又坏了" tells a new problem."""
    if is_letter(text) or disputes_resolution(text) or announces_complaint(text) or asks_a_question(text):
        return False
    if not (_RESOLVED.search(text) and _PLEASED.search(text)):
        return False
    rest = _CASE_WORDS.sub("", _PLEASED.sub("", _RESOLVED.sub("", text)))
    return han_count(rest) <= MAX_PLEASED_REST_HAN and grievance_strength(rest) is Strength.NONE


# "想反映几个问题", "有个情况要反映一下", "我要投诉": words that announce a complaint without telling it, as the
# opening of a letter sent in parts does.
# The verbs that announce a complaint (反映 often mistyped 反应, which only after 想/要 means it); also the
# complaint form's pattern for a leading "我要投诉，" (actions/complaint.py).
ANNOUNCING = r"(?:反映|投诉|举报|(?<=[想要])反应)"
_ANNOUNCEMENT = (
    rf"{ANNOUNCING}(?:一下|下)?(?:几个|一个|两个|三个|个|些|点|以下)?(?:问题|情况|事)"
    rf"|(?:问题|情况|事)(?:想|要)?{ANNOUNCING}(?:一下|下|如下)?|我要(?:投诉|举报)"
)
_ANNOUNCES = re.compile(_ANNOUNCEMENT)
_ONLY_ANNOUNCES = re.compile(
    rf"(?:我|我们)?(?:还)?(?:想|要|有)?(?:个|一个|几个|件|一件)?(?:{_ANNOUNCEMENT})[。！!，,：:]?"
)


def announces_complaint(text: str) -> bool:
    return bool(_ANNOUNCES.search(text))


def only_announces_complaint(clause: str) -> bool:
    """The clause says a complaint is coming and nothing of it ("想反映几个问题。")."""
    return bool(_ONLY_ANNOUNCES.fullmatch(clause.strip()))
