"""Every text the action server says to residents, in one place, and the small helpers that build them.

Actions import their texts from here; no resident-facing sentence is written anywhere else in actions/.
(Rasa's own responses, the `utter_*` in domain.yml, are the other half of what the assistant says.)
"""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from contract.case_kinds import prefixes_text
from contract.community_places import INCIDENT_KINDS

Buttons = list[dict[str, str]]


def payload(intent: str, **entities: str) -> str:
    """A button payload: the intent, with entities when there are any ('/inform{"stars": "5"}')."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


# The rating buttons' words, from 1 star to 5.
_SCALE = ("很不满意", "不太满意", "一般", "满意", "非常满意")


def buttons(*choices: tuple[str, str]) -> Buttons:
    """Buttons from (title, payload) pairs; a payload without "/" is sent as if the resident typed it."""
    return [{"title": title, "payload": payload} for title, payload in choices]


# Filing ----------------------------------------------------------------------------------------------
NOT_FILED = "抱歉，系统暂时出了点问题，这次没有提交成功，您填写的内容没有丢失。请稍后再试，或拨打12345热线办理。"
RETRY = "重新提交"
CANCELLED = "好的，已为您取消，刚才填写的信息不会提交。还有其他需要帮忙的吗？"
NOTHING_TO_CANCEL = "好的。还有其他需要帮忙的吗？"

# Conversation ----------------------------------------------------------------------------------------
GOODBYE = "感谢您的使用，祝您生活愉快，再见！"
CAPABILITIES = (
    "我是六安政务智能助手，可以帮您：\n"
    "1. 查办事指南：要带什么材料、在哪里办、多久办好、收不收费、电话多少；\n"
    "2. 在线申请部分政务服务；\n"
    "3. 投诉、表扬或提建议；\n"
    "4. 查询办件进度，催办、补充情况，对办理结果不满意可申请重办；\n"
    "5. 小区报修、反映安全隐患，社区预算项目的提议和投票，查询不动产信息；\n"
    "6. 转12345人工客服。\n"
    "直接说您想办的事就行，比如“社保卡丢了怎么补办”。"
)
CAPABILITY_BUTTONS: Buttons = buttons(
    ("在线申请", "/apply_service"), ("我要投诉", "/submit_complaint"), ("提建议", "/give_suggestion"),
    ("查询进度", "/check_status"), ("转人工客服", "/request_human"),
)  # fmt: skip

FIRST_THEN = "好的，先帮您办{first}，办完再{then}。"
NOW_THE_OTHER = "您刚才还提到要{task}，现在办吗？"
DETOUR = "好的，先帮您查进度。刚才的{task}已填写的内容会保留，查完接着办。"
RESUMED = "我们接着办刚才的{task}。"
CHANGED_KIND = "好的，改为{task}，您刚才说的情况会一并带上。"

OFFER_TO_REGISTER = (
    "您说的情况我还没法直接解答。需要的话，我可以把它原样登记为诉求，转给相关部门处理，3个工作日内答复您。"
)
REGISTER_LETTER = "以上是办事指南里的说明。您的来信如需相关部门答复，我可以把它原样登记为诉求，3个工作日内答复您。"
OFFER_MORE = "这段我也记下了，会和上面的内容一起登记。说完了就点“登记诉求”。"
ADDED_TO_DESCRIPTION = "这段已补充到您反映的问题里。"
ADDED_AGAIN = "这段也补充进去了。"  # the next part of the same letter: not the same words twice in a row
# The number of the case reported before, given at a complaint's question ("上次的编号是TS…"): kept with the matter.
EARLIER_NUMBER_NOTED = "好的，已记下您上次的办件编号{number}，会和这次反映一起转给承办部门。"
EARLIER_NUMBER_LINE = "上次的办件编号：{number}"
NO_EARLIER_NUMBER = "没有上次的编号也没关系，这次的反映照常受理。"
# "不对，是叶集区" said after the place was taken: the place is changed, the form goes on.
PLACE_CORRECTED = "好的，地点改为：{place}。"
PLACE_NOTED = "好的，地点记下了：{place}。"
# A letter's salutation on its own ("尊敬的领导："): its matter follows, maybe in several messages.
SAY_THE_MATTER = "您好！请直接说说您要反映的问题或想办的事，内容多可以分几条发，我会合在一起登记。"
SAY_THE_QUESTION = "您请说，想问什么事？直接说就行，比如“社保卡丢了怎么补办”。"
# Said when a message was taken in passing (not as the answer to the question asked): the question follows plainly.
WELCOME = "不客气。"  # thanks said to a form's question: no mistake, the question comes again plainly
TAKEN_IN_PASSING = (
    ADDED_TO_DESCRIPTION,
    ADDED_AGAIN,
    PLACE_CORRECTED.split("{")[0],
    PLACE_NOTED.split("{")[0],
    EARLIER_NUMBER_NOTED.split("{")[0],
    NO_EARLIER_NUMBER,
    WELCOME,
)
REGISTER_BUTTONS: Buttons = buttons(("登记诉求", "/submit_complaint"), ("转人工客服", "/request_human"))
OFFER_CONSULTATION = (
    "这个问题办事指南里还没有现成的答案。需要的话，我可以把它登记为咨询，请工作人员答复您（下班时间留言，上班后答复）。"
)
# Still a complaint when the resident means one: "能不能管管" is asked as a question.
CONSULTATION_BUTTONS: Buttons = buttons(("请工作人员解答", "/request_human"), ("我是要反映问题", "/submit_complaint"))

# Answers ---------------------------------------------------------------------------------------------
ABOUT_SERVICE = "关于“{service}”：{answer}"
WHICH_SERVICE_FOR_ASPECT = "您问的是哪项业务？告诉我业务名称就行，比如“居住证”“社保卡”。"
WHICH_SERVICE = "您想问的是哪一项？"
# Only an angry or unhappy emoji: not taken as "好的", nor as out of scope.
DISPLEASURE = "抱歉让您不满意了。请说说遇到了什么问题，我帮您登记反映，或者转人工客服。"
# A phone number and nothing else, outside a form: the phone slot keeps it, the forms will not ask for it again.
ONLY_A_PHONE = "好的，记下您的联系电话了。请问您想咨询、办理或反映什么事？"
NOTHING_FITS = (
    "抱歉，这个问题我在办事指南里没有找到可靠的答案，不想给您说错。"
    "您可以换个说法再问，或者转人工客服，由工作人员为您解答（下班时间留言，上班后答复）。"
)
SOURCE = "来源：{source}"
SOURCE_LEAD = SOURCE.split("{")[0]  # how a guide's answer is recognised in what was said
FEEDBACK_BUTTONS: Buttons = buttons(("解决了，评价一下", "/rate_service"), ("没解决，转人工", "/not_satisfied"))
# The resident is already talking to 12345: never send them to "拨打12345热线".
OUT_OF_SCOPE = "抱歉，这个问题不在政务服务范围内，我帮不上忙。办事、反映问题或提建议，您都可以直接跟我说。"
OUT_OF_SCOPE_AGAIN = "这个我确实帮不上忙。政务方面的事，比如下面这些，我都可以帮您；也可以转人工客服。"
NOT_UNDERSTOOD = "抱歉，我没太明白您的意思。可以换个说法，或者直接说想办的事，比如“社保卡怎么办”。"
STILL_NOT_UNDERSTOOD = "抱歉，我还是没能理解，为您转人工客服。"

# Questions the forms ask (one `action_ask_<slot>` each, actions/questions.py) --------------------------
STAR_BUTTONS: Buttons = buttons(
    *((f"{'⭐' * n} {label}", payload("inform", stars=str(n))) for n, label in reversed(list(enumerate(_SCALE, 1))))
)
ASK_CONTACT_PHONE = "请留一个联系电话（手机或带区号的座机），方便工作人员联系您；不方便留可以说“不留”。"
# Offered with a phone question when the resident gave a number earlier in the conversation (masked).
SAME_PHONE_BUTTON = "用刚才的号码 {masked}"
WRITTEN_PHONE_BUTTON = "用您写的号码 {masked}"
ASK_OPTIONAL_PHONE = "方便的话留个手机号，便于相关部门回访；不想留可以说“不用了”。"
QUESTIONS: dict[str, tuple[str, Buttons]] = {
    "service": ("请问您要办理哪项业务？比如“社保卡申领”“居住证办理”。", []),
    "applicant_name": ("请告诉我申请人的姓名。", []),
    "id_number": ("请输入申请人的18位身份证号码。", []),
    "phone": ("请留一个联系手机号，方便工作人员联系您。", []),
    # Asked by the complaint form instead of "phone" (Rasa looks for action_ask_<form>_<slot> first).
    "complaint_form_phone": (ASK_CONTACT_PHONE, buttons(("不留电话", "不留"))),
    "complaint_description": ("请您说说遇到了什么问题：在哪里、办什么事、发生了什么。", []),
    "complaint_place": (
        "请问具体在什么位置？说出县区、乡镇或街道和小区、路名就行，比如“金安区三里桥街道梅山路”。",
        buttons(("说不清楚", "/deny")),
    ),
    "praise_text": ("请说说您要表扬谁（哪个窗口或哪位工作人员），因为什么事？", []),
    "suggestion_topic": ("您的建议是关于哪方面的？用几个字概括一下就行，比如“停车难”。", []),
    "suggestion_content": ("请说说您的具体建议。", []),
    "suggestion_phone": (ASK_OPTIONAL_PHONE, buttons(("不用了", "/deny"))),
    "case_number": (f"请提供办件编号，比如 LA2024060100012（以{prefixes_text()}开头）。", []),
    "phone_last4": ("为保护您的隐私，请输入办件时所留手机号的后4位。", []),
    "stars": ("请为这次服务打个分吧，1星最低，5星最高。", STAR_BUTTONS),
    "rating_comment": ("还有什么想对我们说的吗？没有的话说“没有”就好。", buttons(("没有了", "/deny"))),
    "incident_kind": (
        "请问是哪一类问题？",
        buttons(*((kind, payload("inform", incident_kind=kind)) for kind in INCIDENT_KINDS)),
    ),
    "community": ("请问是哪个小区或社区？说名称就行，比如“金安区某社区”。", []),
    "incident_place": (
        "具体是几栋几单元？比如“3栋2单元”；不在楼里的话点“不在楼里”。",
        buttons(("不在楼里", "/deny")),
    ),
    "incident_description": ("请简单说说是什么情况，比如“楼道灯坏了”。方便的话也可以发张照片。", []),
    "proposal_title": ("给这个项目起个简短的名字吧，比如“小区加装电梯”。", []),
    "proposal_description": ("请说说这个项目要做什么、能解决什么问题。", []),
    "proposal_cost": ("大概需要多少钱？说个大约数就行，比如“20万”。", []),
    "proposal_place": ("项目打算建在哪里？比如“梅山小区北门空地”。", []),
    "certificate_number": (
        "请输入不动产权证号，比如“皖(2026)六安市不动产权第0012345号”，也可以只输最后7位数字。",
        [],
    ),
    # Asked by the property form instead of "id_number" (Rasa looks for action_ask_<form>_<slot> first).
    "property_form_id_number": ("不动产信息只能由权利人本人查询。请输入权利人的18位身份证号码。", []),
    "owner_code": ("请输入短信里的6位验证码。", []),
}

# The complaint's question after a letter's opening alone ("领导好，我想反映个情况"): the matter is announced.
ASK_MATTER_AFTER_OPENING = "好的，您请讲：具体是什么事，在哪里？"

# Answers a form could not use --------------------------------------------------------------------------
# After the second unusable answer for one question, the resident chooses how to go on.
STUCK = "看来这一步不太顺利。您可以继续填写，也可以取消，或者转人工客服帮您办理。"
STUCK_BUTTONS: Buttons = buttons(("继续填写", "/continue_form"), ("取消", "/cancel"), ("转人工客服", "/request_human"))
CONTINUE_OUTSIDE_FORM = "好的。请问还有什么可以帮您？"
# The question again, when the resident's last answer could not be used: worded differently, so that the
# assistant does not say the very same sentence twice in a row.
ASK_AGAIN = "麻烦您再回答一下：{question}"
BAD_PHONE = "手机号格式好像不对，请输入11位手机号码，比如13812345678。"
BAD_CONTACT_PHONE = (
    "电话号码格式好像不对：请输入11位手机号，或带区号的固定电话（比如0564-3372301）；不方便留电话可以说“不留”。"
)
WHICH_SERVICE_TO_APPLY = "您要办理的是哪一项？"
BAD_STARS = "请打1到5星，比如回复“5星”。"
BAD_CONFIRMATION = "请回复“确认提交”提交申请；哪一项不对，直接告诉我，比如“手机号不对”。"
BAD_COMMENT = "没太明白您的意思。还有想对我们说的，直接写下来就好；没有的话说“没有”。"
# What an unusable answer gets, per question (the validators use the same texts for answers they refuse).
REPROMPTS: dict[str, str] = {
    "service": "没找到这项业务，请换个说法，比如“社保卡申领”“居住证办理”。",
    "applicant_name": "姓名好像不太对，请输入申请人的中文姓名，比如“张三”。",
    "id_number": "这个身份证号没有通过校验，请核对后重新输入18位号码（最后一位可能是X）。",
    "phone": BAD_PHONE,
    "apply_confirmed": BAD_CONFIRMATION,
    "complaint_description": "能再具体说说吗？比如在哪个窗口、办什么事、遇到了什么情况。",
    # The place questions are asked again right after their hint: the hint says only what was missing.
    "complaint_place": "没听出具体位置。",
    "praise_text": "能再具体说说吗？比如表扬哪个窗口、哪位工作人员，因为什么事。",
    "consultation": "请选择一个征集专题，或者用几个字说说建议的主题。",
    "suggestion_topic": "主题用2到50个字概括就好，比如“公交线路”。",
    "suggestion_content": "能再具体一点吗？说说您希望怎么改、为什么。",
    "suggestion_phone": "手机号格式不对，请输入11位手机号，或者说“不用了”。",
    "case_number": f"编号格式不对：办件编号以{prefixes_text()}开头，后面是数字，请核对后再输入。",
    "phone_last4": "请输入4位数字，也就是手机号的最后4位。",
    "stars": BAD_STARS,
    "rating_comment": BAD_COMMENT,
    "incident_kind": "请从下面选一类：报修、安全隐患、环境卫生、邻里纠纷或其他。",
    "community": "没有找到这个小区，请说完整的小区名称。",
    "incident_place": "没听出是几栋几单元。",
    "incident_description": "能再具体说说吗？比如哪里、什么东西坏了或出了什么问题。",
    "budget_round": "请从下面选一个预算轮次。",
    "proposal_title": "项目名称用2到30个字就好，比如“社区食堂”。",
    "proposal_description": "能再具体一点吗？说说要做什么、为什么需要。",
    "proposal_cost": "没看懂金额，请说一个大约数，比如“20万”“5000元”。",
    "proposal_place": "没听出项目建在哪里。",
    "ballot_choices": "请回复项目前面的序号，多个用空格隔开，比如“1 3”。",
    "ballot_confirmed": "请回复“确认投票”，或者点“重新选”。",
    "certificate_number": (
        "证号格式好像不对，请按证书上的写法输入，比如“皖(2026)六安市不动产权第0012345号”，也可以只输最后7位数字。"
    ),
    "owner_code": "请输入短信里的6位数字验证码；没收到的话，可以点“重新发送验证码”。",
}

# Applications ----------------------------------------------------------------------------------------
SERVICE_CHANGED = "好的，办理事项改为“{service}”。"
OFFLINE_ONLY = "“{service}”目前还不能在线申请，需要到现场办理。"
OFFLINE_MATERIALS = "需要带：{materials}"
OFFLINE_PLACE = "办理地点：{place}"
NOT_ONLINE = "这项业务暂不支持在线申请，请到政务服务中心窗口办理。"
CONFIRM_APPLICATION = (
    "请核对申请信息：\n办理事项：{service}\n申请人：{name}\n身份证号：{id_number}\n手机号：{phone}\n"
    "确认无误就提交吗？要改手机号或身份证号，直接发新的号码就行。"
)
CONFIRM_BUTTONS: Buttons = buttons(("确认提交", "/affirm"), ("重新填写", "/deny"))
WHAT_TO_CHANGE = "好的，请问哪一项需要修改？直接发给我新的内容也可以，比如新的手机号。"
# Pressing one sends "改手机号" as if typed; the confirmation step reads the field from it.
CHANGE_BUTTONS: Buttons = buttons(*((field, f"改{field}") for field in ("办理事项", "姓名", "身份证号", "手机号")))
APPLICATION_FILED = (
    "申请已提交！办件编号：{number}，由{department}办理，预计{date}前办结。您可以随时凭编号和手机号后四位查询进度。"
)

# Complaints ------------------------------------------------------------------------------------------
COMPLAINT_FILED_NO_PHONE = (
    "您的诉求已受理，编号：{number}，查询码：{code}。我们会{handler}在{date}前（3个工作日内）处理。"
    "您没有留电话，处理结果请凭编号和查询码查询：说“查进度”，在问手机号后四位时输入查询码即可。"
)
COMPLAINT_FILED = "您的诉求已受理，编号：{number}。我们会{handler}在{date}前（3个工作日内）给您答复，请保持手机畅通。"
COMPLAINT_HANDLER = "转交{department}，"
COMPLAINT_HANDLER_WITH_CATEGORY = "按“{category}”类转交{department}，"
RESTATED = "您反映的是：{summary}\n"
# A repeat report ("上次反映的……还没人修"): linked to the resident's earlier case, or no earlier case was found.
REPEAT_LINKED = "\n这次反映已和您上次的办件{number}（目前{status}）关联，承办部门会一并处理。"
# The earlier number was given but is not this sender's case (another phone or browser): not linked automatically.
REPEAT_NUMBER_KEPT = "\n您提供的上次办件编号{number}已写进这次的反映，工作人员会一并核对。"
REPEAT_UNLINKED = "\n您说之前反映过：如果还留着上次的办件编号，发给我就能查上次的办理进度。"
# "部门不对" after filing (actions/rerouting.py).
WRONG_DEPARTMENT_BUTTON = ("部门不对", "/change_department")
WHICH_DEPARTMENT = "您的诉求{number}目前转交{department}。您认为应该由哪个部门办理？"
DEPARTMENT_CHANGED = "好的，诉求{number}已改为按“{category}”类转交{department}，答复时间不变。"
NO_CASE_TO_REROUTE = "您还没有在这里提交诉求。先说说遇到了什么问题，我帮您登记并转交相关部门。"
CANNOT_REROUTE = "诉求{number}已由部门受理办理，不能再更改承办部门了。如有疑问，可以转人工客服。"
NO_OTHER_DEPARTMENT = "诉求{number}暂时没有其他合适的承办部门可选。如有疑问，可以转人工客服。"
REROUTE_UNAVAILABLE = "抱歉，系统暂时没有响应，承办部门没有改成。请稍后再说一次“部门不对”，或转人工客服。"
DEPARTMENT_NOT_OFFERED = "“{department}”不在这件诉求可选的承办部门里，请从下面选一个。"
RESTATED_WITH_PLACE = "您反映的是：{summary}（地点：{place}）\n"

# Praise ----------------------------------------------------------------------------------------------
PRAISE_THANKS = "感谢您的表扬！我们会把您的话转达给{whom}，这对他们是很大的鼓励。还有其他需要帮忙的吗？"
PRAISE_WHOM_DEFAULT = "相关工作人员"
PRAISE_NOT_SAVED = "感谢您的表扬！系统暂时没能记下来，请稍后再说一次，或拨打12345热线转达。"

# Suggestions -----------------------------------------------------------------------------------------
WHICH_CONSULTATION = "目前正在征集意见的有下面几项，您的建议是关于哪一项？也可以选“其他话题”。"
OTHER_TOPIC = "其他话题"
SUGGESTION_FILED = "感谢您的建议！编号：{number}。我们会转给相关部门研究，采纳情况会在征集结束后公布。"
SEE_SUGGESTIONS = "看看大家的建议"
NO_CONSULTATIONS = "目前没有正在征集意见的专题。您有想法的话，随时可以说“我要提建议”。"
SUGGESTIONS_UNAVAILABLE = "抱歉，暂时获取不到建议列表，请稍后再试。"
NO_SUGGESTIONS_YET = "「{title}」还没有人提建议，欢迎您来提第一条！"
TOP_SUGGESTIONS = "「{title}」点赞最多的建议："
TOP_SUGGESTION_LINE = "{rank}. {content}（{likes}个赞，编号{number}）"
LIKE_BUTTON = "为第{rank}条点赞"
WHICH_SUGGESTION_TO_LIKE = "请告诉我要点赞的建议编号（JY开头），或者先说“看看大家的建议”。"
ALREADY_LIKED = "您已经为这条建议点过赞了，谢谢支持！"
SUGGESTION_NOT_FOUND = "没有找到这条建议，请核对编号。"
LIKE_FAILED = "抱歉，点赞暂时没有成功，请稍后再试。"
LIKED = "已为这条建议点赞，目前共有{likes}个赞。"

# Community incidents (社区报事, SQ) -------------------------------------------------------------------------
WHICH_COMMUNITY = "您说的是哪个小区？"
COMMUNITY_UNLISTED = "这个小区还没有接入社区网格，您反映的问题会作为12345诉求登记，转交相关部门处理。"
INCIDENT_FILED = (
    "已为您登记{kind}：{place}，{summary}\n编号：{number}。网格员会在{hours}小时内（{time}前）和您联系，"
    "处理进展会在这里通知您。也可以随时说“查进度”，凭编号和手机号后四位查询；处理完后欢迎评价。"
)
INCIDENT_FILED_NO_DEADLINE = (
    "已为您登记{kind}：{place}，{summary}\n编号：{number}。网格员会尽快和您联系，处理进展会在这里通知您。"
    "也可以随时说“查进度”，凭编号和手机号后四位查询；处理完后欢迎评价。"
)
PHOTO_KEPT = "照片收到了，会和您反映的情况一起提交。"
PHOTO_KEPT_OUTSIDE_FORM = "照片收到了。是要反映小区里的问题吗？点“小区报事”，我帮您登记给网格员。"
REPORT_INCIDENT_BUTTONS: Buttons = buttons(("小区报事", "/report_incident"))

# Participatory budgeting (社区预算, YS) --------------------------------------------------------------------
NO_PROPOSAL_ROUND = "目前没有正在征集项目提议的社区预算。"
NO_ROUND_VOTING_ELSEWHERE = "「{title}」正在投票，{date}截止，说“我要投票”就能参与。"
NO_ROUND_LATER = "有新的征集时会在“六安12345”公众号和政府网站上公布，欢迎到时候来提。"
WHICH_PROPOSAL_ROUND = "目前有几个社区预算在征集项目提议，您的项目属于哪一个？"
BUDGET_UNAVAILABLE = "抱歉，社区预算系统暂时没有响应，请稍后再试。"
PROPOSAL_FILED = (
    "您的项目提议已提交，编号：{number}。{date}征集截止后，评审小组会审核并公开结果和理由；"
    "通过的项目会进入投票。您可以凭编号和手机号后四位查询进度。"
)
NO_VOTING_ROUND = "目前没有正在投票的社区预算项目。"
WHICH_VOTING_ROUND = "目前有几个社区预算在投票，您要投哪一个？"
VOTE_ON_PAGE = (
    "「{title}」正在投票，{date}截止，每人最多选{max_choices}个项目。"
    "为保证一人一票，请打开投票页面{url}，用手机号验证后投票；在微信公众号里也可以直接投。"
)
BALLOT_LIST = "「{title}」正在投票，{date}截止，每人最多选{max_choices}个项目：\n{lines}"
BALLOT_LINE = "{index}. {title}（约{cost}，{place}）"
BALLOT_HOW = "请回复您选的项目序号，多个用空格隔开，比如“1 3”。"
NO_PROJECTS = "「{title}」还没有可以投票的项目。"
TOO_MANY_CHOICES = "最多只能选{max_choices}个项目，请重新选。"
UNKNOWN_CHOICE = "没有第{index}个项目，请回复列表里的序号。"
CONFIRM_BALLOT = "您选的是：\n{lines}\n确认投票吗？投票截止前还可以改。"
CONFIRM_BALLOT_BUTTONS: Buttons = buttons(("确认投票", "/affirm"), ("重新选", "/deny"))
BALLOT_CAST = "投票成功！您选了：{titles}。{date}前可以随时改票，再说一次“我要投票”就行；结果在投票结束后公布。"
BALLOT_REPLACED = "已为您改票，现在选的是：{titles}。{date}前还可以再改；结果在投票结束后公布。"
BALLOT_NOT_CAST = "抱歉，这次投票没有成功，请稍后再试。"
NO_RESULTS = "社区预算的投票结果还没有公布。"
NO_RESULTS_VOTING = "「{title}」正在投票，{date}截止，结果会在投票结束后公布。"
RESULTS = "「{title}」投票结果（预算{budget}）：\n{lines}\n" + "入选规则：{rule}"
RESULT_LINE = "{index}. {title}：{votes}票，约{cost}{funded}"
FUNDED = "，入选"
NOT_FUNDED = ""

# Property lookup (不动产信息) ------------------------------------------------------------------------------
PROPERTY_PART = "{label}（{department}）：{fields}"
PROPERTY_FIELD = "{name}：{value}"
PROPERTY_MISSING = "{labels}暂时没有查到，请稍后再试。"
PROPERTY_STILL_VERIFIED = "您刚才已验证过权利人身份，这次不用再验证，直接为您查询。"
PROPERTY_NOTHING = "抱歉，{labels}暂时都没有查到，请稍后再试，或拨打12345热线查询。"
PROPERTY_UNAVAILABLE = "抱歉，不动产信息查询暂时没有响应，请稍后再试，或拨打12345热线查询。"
PROPERTY_NOT_FOUND = "没有查到这个不动产权证号的记录，请核对后再试。"
PROPERTY_HEADER = "不动产权证号 {certificate} 的查询结果："
# Only the owner (权利人) sees the records: the ID number is checked by the land registry, then a texted code.
PROPERTY_CODE_SENT = "身份核验通过。验证码已发送到权利人尾号{last4}的手机，{minutes}分钟内有效。"
RESEND_CODE = "重新发送验证码"
RESEND_BUTTONS: Buttons = buttons((RESEND_CODE, RESEND_CODE))
PROPERTY_NOT_VERIFIED = "身份验证已过期，请重新查询并验证权利人身份。"

# Status ----------------------------------------------------------------------------------------------
STATUS = "{kind} {number} 当前状态：{status}。"
STATUS_DEPARTMENT = "承办部门：{department}。"
STATUS_DEADLINE = "办理时限：{date}。"
STATUS_UNAVAILABLE = "抱歉，查询系统暂时没有响应，请稍后再试，或拨打12345热线查询。"
NO_CASE_NUMBER = "没有编号也没关系。如果您是想反映问题或咨询事情，我可以把您刚才说的登记下来，转给相关部门答复您。"
STATUS_NOT_FOUND = "没有查到对应的办件，请核对编号和手机号后四位是否正确。"
STATUS_TRY_AGAIN = "没有查到编号{number}、手机号后四位是{last4}的办件，可能是哪里输错了。编号不对的话，直接发新的编号。"

# 催办 (actions/urge.py) ---------------------------------------------------------------------------------
URGE_BUTTON = "催办此件"
URGE_WHICH = "好的，我帮您催办。您要催办的是哪一件？点一下就行；其他事项请直接发办件编号。"
URGE_FIND_CASE = "好的，我帮您催办。先核对一下是哪件事项。"
URGE_NEEDS_PHONE = "好的，我帮您催办{number}。先核对一下身份。"
URGED = "已为您催办{kind} {number}，已提醒{whom}尽快办理。当前状态：{status}。"
URGED_DEPARTMENT = "承办部门{department}"
URGED_NO_DEPARTMENT = "负责分派的工作人员"
URGED_ALREADY = "{kind} {number} 24小时内已经催办过，承办部门已收到提醒，请耐心等待答复。当前状态：{status}。"
URGE_FAILED = "抱歉，催办暂时没有提交成功，请稍后再试，或转人工客服。"
REPORT_AGAIN_BUTTONS: Buttons = buttons(("再次反映", payload("submit_complaint")))

# 不满意重办 (actions/reopen.py) --------------------------------------------------------------------------
REOPEN_BUTTON = "不满意，申请重办"
REOPEN_WHICH = "抱歉这件事没有办好。您对哪一件的办理结果不满意？点一下就行；其他事项请直接发办件编号。"
REOPEN_FIND_CASE = "抱歉这件事没有办好。先核对一下是哪件事项，查到后就可以申请重办。"
REOPEN_NEEDS_PHONE = "抱歉这件事没有办好。先核对一下{number}的身份，查到后就可以申请重办。"
REOPENED = "已为您申请重办{kind} {number}，已退回{whom}重新办理，您的意见一并转交。当前状态：{status}。"
REOPENED_ALREADY = "{kind} {number} 已按您的意见退回重办，正在重新办理，请耐心等待答复。当前状态：{status}。"
REOPEN_FAILED = "抱歉，重办申请暂时没有提交成功，请稍后再试，或转人工客服。"

# 补充说明 (actions/supplement.py) -------------------------------------------------------------------------
SUPPLEMENT_WHICH = "好的。您要补充的是哪一件？点一下就行；其他事项请直接发办件编号。"
SUPPLEMENT_FIND_CASE = "好的。请把办件编号和要补充的内容一起发给我，例如：TS2026120100001 补充：是3号楼东单元的电梯。"
SUPPLEMENT_ASK = (
    "好的，请把要补充的内容发给我，开头写上“补充”，例如：补充：是3号楼东单元的电梯。我会记入{kind} {number}。"
)
SUPPLEMENT_NOT_YOURS = (
    "{number}不是在这里提交的。请先查询一下这件事项的进度（需要核对手机号后四位），再把补充的内容发给我。"
)
SUPPLEMENTED = "已把您补充的内容记入{kind} {number}，并转给{whom}。当前状态：{status}。"
SUPPLEMENTED_ALREADY = "这段内容已经记入{kind} {number}，不用重复发送。当前状态：{status}。"
SUPPLEMENT_FAILED = "抱歉，补充的内容暂时没有提交成功，请稍后再试，或转人工客服。"

# Ratings ---------------------------------------------------------------------------------------------
RATING_NOT_SAVED = "抱歉，评价暂时没有提交成功，请稍后再试。感谢您的反馈！"
RATING_LOW = "感谢您的评价，很抱歉这次没让您满意，我们会认真改进。需要的话可以转人工客服。"
RATING_THANKS = "感谢您的评价！还有其他需要帮忙的吗？"

# Hand-over to a person -------------------------------------------------------------------------------
ESCALATION_FAILED = "抱歉，转人工暂时没有成功。您可以直接拨打12345政务服务热线，工作人员会为您处理。"
ESCALATED = (
    "已为您转接12345热线人工服务，工单编号：{number}。"
    "工作人员会查看我们刚才的对话{deadline}在这里回复您，请稍候；这期间我先不自动回复了。"
)
ESCALATED_DEADLINE = "，最晚{date}前"
DEFAULT_TICKET_SUMMARY = "居民请求人工服务"
BUTTON_PRESS = "［按钮］{title}"
BUTTON_UNKNOWN = "（一个快捷选项）"


def switched(task: str, filled: bool) -> str:
    """Said when a resident leaves a form for another task (the new form's question follows)."""
    return f"好的，刚才的{task}先不办了，已填写的信息不会提交。" if filled else f"好的，刚才的{task}先不办了。"


def human_buttons() -> Buttons:
    return buttons(("转人工客服", payload("request_human")))


def none_of_these_buttons() -> Buttons:
    return buttons(("都不是，转人工解答", payload("request_human")))


def retry_buttons(intent: str) -> Buttons:
    """After a failed filing: the same request again (the form's slots were kept), or a person."""
    return [*buttons((RETRY, payload(intent))), *human_buttons()]


def rate_buttons() -> Buttons:
    return buttons(("评价本次服务", payload("rate_service")))


LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def yuan(amount: int) -> str:
    """300000 -> '30万元', 5000 -> '5000元': amounts as residents say them."""
    if amount >= 10000 and amount % 1000 == 0:
        return f"{amount / 10000:g}万元"
    return f"{amount}元"


def chinese_time(value: str) -> str:
    """An ISO datetime -> '6月5日15:30' in Lu'an's time (unparseable values are shown as they are)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TIME)
    return f"{moment.month}月{moment.day}日{moment:%H:%M}"


OWN_CASES = "您最近办理的事项如下，点一下就能查："
OWN_CASE_TEXT_CHARS = 14


def own_case_title(kind_text: str, filed_on: str, text: str, number: str) -> str:
    """ "2026年12月5日的投诉：梅山路的路灯坏了（TS2026120500004）", the text cut short for a button."""
    short = f"{text[:OWN_CASE_TEXT_CHARS]}…" if len(text) > OWN_CASE_TEXT_CHARS else text
    said = f"：{short}" if short else ""
    return f"{chinese_date(filed_on)}的{kind_text}{said}（{number}）"


def chinese_date(value: str) -> str:
    """'2024-06-05' or an ISO datetime -> '2024年6月5日' (unparseable values are shown as they are)."""
    try:
        day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{day.year}年{day.month}月{day.day}日"
