"""不动产信息查询 in the chat: the certificate checked and read from the asking message; the owner's ID number checked
(check digit) and then by the land registry through the gateway, the code texted to the owner typed back (wrong:
tries left; expired: a new one offered); each department's part shown, the missing ones named kindly."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from actions.property import GAVE_UP, VERIFIED, ActionLookupProperty, ValidatePropertyForm
from tests.actions.conftest import user_event

CERTIFICATE = "皖(2026)六安市不动产权第0012345号"
OWNER = "341502198003120020"
OWNER_CHECK = f"/api/property/{CERTIFICATE}/owner-check"
SENT = {"phone_last4": "1201", "expires_in_seconds": 300, "resend_after_seconds": 60}


def refusal(code, message, **extra):
    return {"detail": code, "message": message, **extra}


def part(source, label, department, ok=True, fields=None, error=None):
    return {
        "source": source,
        "label": label,
        "department": department,
        "ok": ok,
        "fields": fields or {},
        "error": error,
    }


def lookup(*parts):
    return {
        "certificate": CERTIFICATE,
        "parts": list(parts),
        "complete": all(p["ok"] for p in parts),
        "elapsed_ms": 812,
    }


LAND = part("land", "土地信息", "市自然资源和规划局", fields={"用途": "城镇住宅用地", "面积": "56.3平方米"})
HOUSING = part("housing", "房屋信息", "市住房和城乡建设局", fields={"建筑面积": "98.6平方米"})
TAX = part("tax", "税务信息", "国家税务总局六安市税务局", ok=False, error="税务部门暂时没有响应")


def test_the_certificate_is_checked_and_read_from_the_asking_message(gateway, dispatcher, make_tracker, domain):
    no_grant = (403, refusal("owner_not_verified", "查询不动产信息前需要先验证权利人身份。"))
    gateway.routes[("GET", OWNER_CHECK)] = no_grant
    gateway.routes[("GET", "/api/property/0012345/owner-check")] = gateway.routes[("GET", OWNER_CHECK)]
    form = ValidatePropertyForm(gateway.client())
    tracker = make_tracker(requested_slot="certificate_number")

    def validate(text: str) -> dict:
        return asyncio.run(form.validate_certificate_number(text, dispatcher, tracker, domain))

    typed = validate("皖（2026）六安市不动产权第0012345号")
    assert typed["certificate_number"] == CERTIFICATE and "owner_code" not in typed  # no grant: both are asked
    assert validate("0012345")["certificate_number"] == "0012345"
    assert validate("房产证")["certificate_number"] is None
    assert "0012345" in dispatcher.messages[-1]["text"]
    asking = make_tracker(events=[user_event(f"帮我查一下{CERTIFICATE}的信息", "lookup_property")])
    read = asyncio.run(form.extract_certificate_number(dispatcher, asking, domain))
    assert read == {"certificate_number": CERTIFICATE}


def test_the_answered_parts_are_shown_and_the_missing_one_named(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", f"/api/property/{CERTIFICATE}")] = (200, lookup(LAND, TAX, HOUSING))
    tracker = make_tracker(slots={"certificate_number": CERTIFICATE, "owner_code": VERIFIED})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, tracker, domain))
    text = dispatcher.messages[0]["text"]
    assert "土地信息（市自然资源和规划局）：用途：城镇住宅用地；面积：56.3平方米" in text
    assert "房屋信息（市住房和城乡建设局）：建筑面积：98.6平方米" in text
    assert text.endswith("税务信息暂时没有查到，请稍后再试。")


def test_nothing_answered_and_the_gateway_down_are_said_kindly(gateway, dispatcher, make_tracker, domain):
    nothing = [{**p, "ok": False, "fields": {}} for p in (LAND, TAX, HOUSING)]
    gateway.routes[("GET", f"/api/property/{CERTIFICATE}")] = (200, lookup(*nothing))
    tracker = make_tracker(slots={"certificate_number": CERTIFICATE, "owner_code": VERIFIED})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, tracker, domain))
    assert "土地信息、税务信息、房屋信息暂时都没有查到" in dispatcher.messages[0]["text"]
    down = make_tracker(slots={"certificate_number": "0000001", "owner_code": VERIFIED})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, down, domain))
    assert "暂时没有响应" in dispatcher.messages[1]["text"]


def asking(make_tracker, slot, **slots):
    return make_tracker(slots={"certificate_number": CERTIFICATE, **slots}, requested_slot=slot, sender="wx:owner")


def test_a_valid_id_number_is_checked_as_the_owners_and_the_code_sent(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", OWNER_CHECK)] = (202, SENT)
    form = ValidatePropertyForm(gateway.client())
    tracker = asking(make_tracker, "id_number")
    bad = asyncio.run(form.validate_id_number("341502198003120021", dispatcher, tracker, domain))
    assert bad["id_number"] is None and "没有通过校验" in dispatcher.messages[-1]["text"]
    assert gateway.requests == []  # a wrong check digit never reaches the land registry
    good = asyncio.run(form.validate_id_number(f"身份证是{OWNER}", dispatcher, tracker, domain))
    assert good["id_number"] == OWNER
    assert gateway.sent_json() == {"id_number": OWNER}
    assert gateway.requests[-1].headers["X-Resident-Sender"] == "wx%3Aowner"
    text = dispatcher.messages[-1]["text"]
    assert "尾号1201" in text and "5分钟内有效" in text and OWNER not in text


def test_an_id_number_that_is_no_owners_is_asked_again_and_a_lock_ends_the_check(
    gateway, dispatcher, make_tracker, domain
):
    form = ValidatePropertyForm(gateway.client())
    tracker = asking(make_tracker, "id_number")
    gateway.routes[("POST", OWNER_CHECK)] = (
        403,
        refusal("not_owner", "您提供的身份证号与这本不动产权证的登记信息不一致，无法查询。"),
    )
    mismatch = asyncio.run(form.validate_id_number(OWNER, dispatcher, tracker, domain))
    assert mismatch["id_number"] is None and "owner_code" not in mismatch  # asked again
    assert "不一致" in dispatcher.messages[-1]["text"]
    gateway.routes[("POST", OWNER_CHECK)] = (429, refusal("too_many_owner_checks", "身份核验未通过的次数太多了。"))
    locked = asyncio.run(form.validate_id_number(OWNER, dispatcher, tracker, domain))
    assert locked == {"id_number": None, "owner_code": GAVE_UP}
    assert dispatcher.messages[-1]["text"] == "身份核验未通过的次数太多了。"
    assert asyncio.run(form.required_slots(["certificate_number", "id_number", "owner_code"], dispatcher,
                                           asking(make_tracker, None, owner_code=GAVE_UP), domain)) == []  # fmt: skip


def test_the_code_wrong_then_expired_then_sent_again_then_right(gateway, dispatcher, make_tracker, domain):
    verify = ("POST", f"{OWNER_CHECK}/verify")
    form = ValidatePropertyForm(gateway.client())
    tracker = asking(make_tracker, "owner_code", id_number=OWNER)
    unreadable = asyncio.run(form.validate_owner_code("收到了", dispatcher, tracker, domain))
    assert unreadable["owner_code"] is None and "6位数字验证码" in dispatcher.messages[-1]["text"]
    assert gateway.requests == []

    gateway.routes[verify] = (400, refusal("wrong_code", "验证码不正确，还可以再试3次。", attempts_left=3))
    wrong = asyncio.run(form.validate_owner_code("123456", dispatcher, tracker, domain))
    assert wrong["owner_code"] is None and dispatcher.messages[-1]["text"] == "验证码不正确，还可以再试3次。"
    assert gateway.sent_json() == {"code": "123456"}

    gateway.routes[verify] = (400, refusal("code_expired", "验证码已过期或还没有获取，请重新获取验证码。"))
    expired = asyncio.run(form.validate_owner_code("123456", dispatcher, tracker, domain))
    assert expired == {"owner_code": None}
    assert "已过期" in dispatcher.messages[-1]["text"]
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == ["重新发送验证码"]

    gateway.routes[("POST", OWNER_CHECK)] = (202, SENT)
    again = asyncio.run(form.validate_owner_code("重新发送验证码", dispatcher, tracker, domain))
    assert again == {"owner_code": None} and gateway.sent_json() == {"id_number": OWNER}
    assert "尾号1201" in dispatcher.messages[-1]["text"]

    gateway.routes[verify] = (200, {"granted_until": "2026-12-01T08:15:00Z"})
    right = asyncio.run(form.validate_owner_code("验证码 654321", dispatcher, tracker, domain))
    assert right["owner_code"] == VERIFIED and gateway.sent_json() == {"code": "654321"}


def test_no_lookup_without_the_owners_code_and_an_expired_grant_said_kindly(gateway, dispatcher, make_tracker, domain):
    path = ("GET", f"/api/property/{CERTIFICATE}")
    gateway.routes[path] = (200, lookup(LAND, TAX, HOUSING))
    gave_up = make_tracker(slots={"certificate_number": CERTIFICATE, "owner_code": GAVE_UP})
    events = asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, gave_up, domain))
    assert gateway.requests == [] and dispatcher.messages == []
    assert {"event": "slot", "name": "id_number", "value": None, "timestamp": None} in events  # forgotten
    gateway.routes[path] = (403, refusal("owner_verification_expired", "权利人身份验证已过期，请重新验证后再查询。"))
    verified = make_tracker(slots={"certificate_number": CERTIFICATE, "owner_code": VERIFIED})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, verified, domain))
    assert "身份验证已过期" in dispatcher.messages[-1]["text"]


def test_an_owner_confirmed_minutes_ago_is_not_asked_again(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", OWNER_CHECK)] = (200, {"granted_until": "2026-12-04T10:15:00+00:00"})
    form = ValidatePropertyForm(gateway.client())
    tracker = make_tracker(requested_slot="certificate_number", sender="wx:owner")
    result = asyncio.run(form.validate_certificate_number(CERTIFICATE, dispatcher, tracker, domain))
    assert result["certificate_number"] == CERTIFICATE and result["owner_code"] == VERIFIED
    assert gateway.requests[-1].headers["X-Resident-Sender"] == "wx%3Aowner"
    assert "不用再验证" in dispatcher.messages[-1]["text"]
    verified = make_tracker(slots={"certificate_number": CERTIFICATE, "owner_code": VERIFIED})
    slots = ["certificate_number", "id_number", "owner_code"]
    assert asyncio.run(form.required_slots(slots, dispatcher, verified, domain)) == ["certificate_number", "owner_code"]


def test_the_grant_check_down_asks_as_usual(gateway, dispatcher, make_tracker, domain):
    form = ValidatePropertyForm(gateway.client())  # no route: the gateway does not answer
    tracker = make_tracker(requested_slot="certificate_number")
    result = asyncio.run(form.validate_certificate_number(CERTIFICATE, dispatcher, tracker, domain))
    assert result["certificate_number"] == CERTIFICATE and "owner_code" not in result
