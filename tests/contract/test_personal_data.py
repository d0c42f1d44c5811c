import pytest

from contract.personal_data import PersonalDataError, mask_text, normalize_contact_phone, normalize_name


@pytest.mark.parametrize("name", ["张三", "欧阳娜娜", "阿卜杜热合曼·买买提", "John Smith"])
def test_names(name):
    assert normalize_name(name) == name


@pytest.mark.parametrize("text", ["谢谢不用了再见", "不知道", "我要投诉", "转人工客服", "张", "你好啊你好啊你好"])
def test_what_is_no_name(text):
    with pytest.raises(PersonalDataError):
        normalize_name(text)


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0564-3372301", "0564-3372301"),
        ("(0564)3372301", "0564-3372301"),
        ("05643372301", "0564-3372301"),
        ("021-12345678", "021-12345678"),
        ("010 12345678", "010-12345678"),
    ],
)
def test_contact_phones(raw, phone):
    assert normalize_contact_phone(raw) == phone


@pytest.mark.parametrize("raw", ["12345", "3372301", "0564123", "23812345678", "电话"])
def test_what_is_no_contact_phone(raw):
    with pytest.raises(PersonalDataError):
        normalize_contact_phone(raw)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # Already handled before: unchanged.
        ("电话13812345678，订单号20261122", "电话138****5678，订单号20261122"),
        ("身份证341502199001011234", "身份证341502********1234"),
        ("两个号码 13812345678 13912345678", "两个号码 138****5678 139****5678"),
        ("编号LA2024060100001", "编号LA2024060100001"),
        # Phones in any spacing, with the country code, in full-width digits.
        ("电话 138 1234 5678 谢谢", "电话 138****5678 谢谢"),
        ("电话138-1234-5678", "电话138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("电话：１３８１２３４５６７８", "电话：138****5678"),
        ("电话：１３８－１２３４－５６７８", "电话：138****5678"),
        # ID numbers grouped as residents type them.
        ("身份证 3415 0219 9001 0112 34", "身份证 341502********1234"),
        ("身份证 341502 19900101 1234", "身份证 341502********1234"),
        ("身份证 11010519491231002x", "身份证 110105********002X"),
        # A phone followed by a short number is no ID number (no birth date in it).
        ("13812345678 3372301", "138****5678 3372301"),
        # Numbers that are neither: dates, times, case numbers typed with spaces.
        ("2026-11-22 13:45 编号 JY 2026 1122 00001", "2026-11-22 13:45 编号 JY 2026 1122 00001"),
    ],
)
def test_mask_text_finds_numbers_in_any_spelling(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫张三，建议多建公园", "我叫张*，建议多建公园"),
        ("我叫李小明电话13812345678", "我叫李**电话138****5678"),
        ("本人欧阳娜娜。", "本人欧***。"),
        ("我是 王五", "我是 王*"),
        # No name after the words: the text stays as it is.
        ("我是金安区某小区居民，本人于昨日来电", "我是金安区某小区居民，本人于昨日来电"),
        ("我是党员，我是一名教师", "我是党员，我是一名教师"),
    ],
)
def test_mask_text_with_names(text, masked):
    assert mask_text(text, names=True) == masked
    # Without `names` (staff views, logs) names stay readable, as before.
    assert "我叫张三" in mask_text("我叫张三，建议多建公园")
