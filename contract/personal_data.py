"""Residents' personal data (身份证号, mobile phone, name): validation rules and masks.

The gateway validates what it stores with these rules, the action server what residents type in a
form, and both mask with the same functions wherever personal data is shown or logged.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_NAME_RE = re.compile(r"^[\u4e00-\u9fff·•]{2,20}$|^[A-Za-z][A-Za-z .'-]{1,39}$")
# Han names without a middle dot have 2 to 5 characters (compound surnames included); longer ones with a
# dot are transliterated names ("阿卜杜热合曼·买买提").
_HAN_NAME_MAX = 5
# Words residents type at the name step that are no name ("谢谢 不用了 再见", "不知道", "我要投诉").
_NOT_NAME_WORDS = (
    "谢谢", "不用", "再见", "拜拜", "你好", "您好", "没有", "算了", "不知道", "好的", "可以", "什么", "怎么",
    "我要", "我想", "办理", "申请", "投诉", "人工", "客服", "机器人", "不是", "是的", "取消", "不办", "不要",
    "为什么", "多少", "哪里", "电话", "号码", "身份证", "手机", "知道", "干嘛", "退出", "你们", "继续",
)  # fmt: skip
# Landline with its area code: 0564-3372301, (0564)3372301, 0564 337 2301, 021-12345678.
# Area codes are 010 and 02x (three digits) or 0 and three more digits elsewhere (0564 六安).
_LANDLINE_RE = re.compile(r"^(010|02\d|0[3-9]\d{2})(\d{7,8})$")


class PersonalDataError(ValueError):
    """Raised with a message in Chinese that can be shown to the resident as is."""


def normalize_id_number(raw: str) -> str:
    """Validate a resident ID number (GB 11643-1999) and return it in canonical form (upper-case X)."""
    value = raw.strip().upper()
    if len(value) != 18:
        raise PersonalDataError("身份证号应为18位，请核对后重新输入")
    if not _ID_RE.match(value):
        raise PersonalDataError("身份证号前17位应为数字，最后一位为数字或X")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise PersonalDataError("身份证号校验位不正确，请核对是否输错")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise PersonalDataError("身份证号中的出生日期无效，请核对") from None
    if not date(1900, 1, 1) <= born <= date.today():
        raise PersonalDataError("身份证号中的出生日期不合理，请核对")
    return value


def normalize_phone(raw: str) -> str:
    """Validate a mainland mobile number, accepting +86/spaces/dashes, and return its 11 digits."""
    value = re.sub(r"[\s-]", "", raw.strip())
    value = value.removeprefix("+86").removeprefix("0086")
    if not _PHONE_RE.match(value):
        raise PersonalDataError("请填写有效的11位手机号码，例如 13812345678")
    return value


def normalize_landline(raw: str) -> str:
    """Validate a landline number with its area code and return it as '0564-3372301'."""
    value = re.sub(r"[\s\-()（）]", "", raw.strip()).removeprefix("+86").removeprefix("0086")
    match = _LANDLINE_RE.match(value)
    if match is None:
        raise PersonalDataError("请填写带区号的固定电话，例如 0564-3372301")
    return f"{match.group(1)}-{match.group(2)}"


def normalize_contact_phone(raw: str) -> str:
    """A mobile number (11 digits) or a landline with its area code ('0564-3372301')."""
    try:
        return normalize_phone(raw)
    except PersonalDataError:
        try:
            return normalize_landline(raw)
        except PersonalDataError:
            raise PersonalDataError("请填写11位手机号，或带区号的固定电话（例如 0564-3372301）") from None


def normalize_name(raw: str) -> str:
    value = raw.strip()
    if not _NAME_RE.match(value):
        raise PersonalDataError("请填写真实姓名（2-20个汉字）")
    han_only = "·" not in value and "•" not in value and not value[0].isascii()
    if (han_only and len(value) > _HAN_NAME_MAX) or any(word in value for word in _NOT_NAME_WORDS):
        raise PersonalDataError("这看起来不像姓名，请填写真实姓名，例如“张三”")
    return value


def mask_id_number(value: str | None) -> str | None:
    return None if not value else value[:6] + "*" * 8 + value[-4:]


def mask_phone(value: str | None) -> str | None:
    return None if not value else value[:3] + "****" + value[-4:]


def mask_name(value: str | None) -> str | None:
    if not value:
        return None
    return value[0] + "*" * max(1, len(value) - 1)


# Numbers in free text as residents type them: ASCII or full-width digits, grouped with spaces or dashes
# ("138 1234 5678", "１３８－１２３４－５６７８", "3415 0219 9001 0112 34").
_DIGIT = "[0-9０-９]"
_GAP = r"(?:[ \t\u3000]{1,2}|[ \t\u3000]?[-－‐–—][ \t\u3000]?)?"
_NOT_AFTER_DIGIT = rf"(?<!{_DIGIT})"
_NOT_BEFORE_DIGIT = rf"(?!{_DIGIT})"
# "+8613812345678" and "008613812345678": the country code is no digit run of its own.
_AFTER_COUNTRY_CODE = r"(?:(?<=\+86)|(?<=＋８６)|(?<=0086))"
_ID_IN_TEXT = re.compile(
    rf"{_NOT_AFTER_DIGIT}{_DIGIT}(?:{_GAP}{_DIGIT}){{16}}{_GAP}[0-9０-９XxＸｘ]{_NOT_BEFORE_DIGIT}"
)
_PHONE_IN_TEXT = re.compile(
    rf"(?:{_AFTER_COUNTRY_CODE}|{_NOT_AFTER_DIGIT})[1１][3-9３-９](?:{_GAP}{_DIGIT}){{9}}{_NOT_BEFORE_DIGIT}"
)
_GROUPING = re.compile(r"[^0-9XxＸｘ０-９]")
# Common single surnames, without those that also start everyday words after "我是/本人" (于 "本人于昨日",
# 党 "我是党员", 车 "我是车主", 高 "我是高中生", 安 "我是安徽人").
_SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢乔"
    "伍庞颜倪庄聂章鲁岳翟殷詹申欧耿焦俞左柳祝舒阮柯纪梅童凌毕季裴霍涂苗谷盛翁冉骆蓝游辛靳鲍喻祁蒲滕屈饶"
)
_COMPOUND_SURNAMES = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|令狐|夏侯"
# The name a resident gives after "我叫 / 本人 / 我是": a common surname and one or two more characters, then
# no further Han character or one of the words that follow a name ("我叫张三电话…", "本人李四，").
_NAME_IN_TEXT = re.compile(
    rf"(?P<lead>(?:我叫|本人|我是)[ \u3000]?)"
    rf"(?P<name>(?:{_COMPOUND_SURNAMES}|[{_SINGLE_SURNAMES}])[\u4e00-\u9fff]{{1,2}}?)"
    r"(?=[^\u4e00-\u9fff]|$|电话|手机|联系|身份证|家住|住在|来自|今年|是|的|在|想|要|建议|反映)"
)


def _mask_id_match(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = unicodedata.normalize("NFKC", _GROUPING.sub("", raw)).upper()
    # A grouped run is an ID number only with a plausible birth date: a phone followed by a short number
    # ("13812345678 3372301") is 18 digits too.
    if _GROUPING.search(raw) and not _plausible_birth_date(digits[6:14]):
        return raw
    return mask_id_number(digits) or raw


def _plausible_birth_date(digits: str) -> bool:
    try:
        return 1900 <= date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).year <= date.today().year
    except ValueError:
        return False


def _digits(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", _GROUPING.sub("", match.group(0)))


def _mask_phone_match(match: re.Match[str]) -> str:
    return mask_phone(_digits(match)) or match.group(0)


def mobile_in(text: str) -> str | None:
    """The first mobile number written inside free text ("电话139 1234 5678 麻烦联系我"), as 11 digits, else None."""
    match = _PHONE_IN_TEXT.search(text)
    return _digits(match) if match else None


def _mask_name_match(match: re.Match[str]) -> str:
    return match.group("lead") + (mask_name(match.group("name")) or "")


def mask_text(text: str, *, names: bool = False) -> str:
    """Mask ID and phone numbers inside free text (log lines, transcripts shown to staff), in any grouping
    and in full-width digits; with `names`, also the name after "我叫/本人/我是" (text shown to everyone)."""
    text = _PHONE_IN_TEXT.sub(_mask_phone_match, _ID_IN_TEXT.sub(_mask_id_match, text))
    return _NAME_IN_TEXT.sub(_mask_name_match, text) if names else text
