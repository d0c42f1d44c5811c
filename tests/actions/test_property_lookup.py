"""不动产信息查询 in the chat: the certificate checked and read from the asking message, each department's part
shown, the missing ones named kindly."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from actions.property import ActionLookupProperty, ValidatePropertyForm
from tests.actions.conftest import user_event

CERTIFICATE = "皖(2026)六安市不动产权第0012345号"


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


def test_the_certificate_is_checked_and_read_from_the_asking_message(dispatcher, make_tracker, domain):
    form = ValidatePropertyForm()
    tracker = make_tracker(requested_slot="certificate_number")
    typed = form.validate_certificate_number("皖（2026）六安市不动产权第0012345号", dispatcher, tracker, domain)
    assert typed["certificate_number"] == CERTIFICATE
    assert form.validate_certificate_number("0012345", dispatcher, tracker, domain)["certificate_number"] == "0012345"
    assert form.validate_certificate_number("房产证", dispatcher, tracker, domain)["certificate_number"] is None
    assert "0012345" in dispatcher.messages[-1]["text"]
    asking = make_tracker(events=[user_event(f"帮我查一下{CERTIFICATE}的信息", "lookup_property")])
    read = asyncio.run(form.extract_certificate_number(dispatcher, asking, domain))
    assert read == {"certificate_number": CERTIFICATE}


def test_the_answered_parts_are_shown_and_the_missing_one_named(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", f"/api/property/{CERTIFICATE}")] = (200, lookup(LAND, TAX, HOUSING))
    tracker = make_tracker(slots={"certificate_number": CERTIFICATE})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, tracker, domain))
    text = dispatcher.messages[0]["text"]
    assert "土地信息（市自然资源和规划局）：用途：城镇住宅用地；面积：56.3平方米" in text
    assert "房屋信息（市住房和城乡建设局）：建筑面积：98.6平方米" in text
    assert text.endswith("税务信息暂时没有查到，请稍后再试。")


def test_nothing_answered_and_the_gateway_down_are_said_kindly(gateway, dispatcher, make_tracker, domain):
    nothing = [{**p, "ok": False, "fields": {}} for p in (LAND, TAX, HOUSING)]
    gateway.routes[("GET", f"/api/property/{CERTIFICATE}")] = (200, lookup(*nothing))
    tracker = make_tracker(slots={"certificate_number": CERTIFICATE})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, tracker, domain))
    assert "土地信息、税务信息、房屋信息暂时都没有查到" in dispatcher.messages[0]["text"]
    down = make_tracker(slots={"certificate_number": "0000001"})
    asyncio.run(ActionLookupProperty(gateway.client()).run(dispatcher, down, domain))
    assert "暂时没有响应" in dispatcher.messages[1]["text"]
