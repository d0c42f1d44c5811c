import pytest

from contract.personal_data import PersonalDataError, normalize_contact_phone, normalize_name


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
