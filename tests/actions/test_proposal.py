"""Participatory budgeting in the chat: the round taken or offered, a rough cost read, the proposal filed; the
ballot listed, checked and cast for a WeChat resident, the page's link for the others; the results."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import SlotSet

from actions.budget import (
    NO_ROUND,
    ActionAskBallotChoices,
    ActionBudgetResults,
    ActionCastBallot,
    ActionSubmitProposal,
    ValidateBallotForm,
    ValidateProposalForm,
    parse_cost,
)
from tests.actions.conftest import receipt, user_event


def budget_round(round_id=1, phase="proposals", **extra):
    return {
        "id": round_id,
        "title": f"样例·梅山街道民生预算{round_id}",
        "area": "样例·梅山街道",
        "phase": phase,
        "budget_yuan": 3000000,
        "max_choices": 2,
        "proposals_until": "2026-12-20",
        "voting_until": "2027-01-10",
        "page_url": f"/budget?round={round_id}",
        **extra,
    }


def project(number, title, status="accepted", votes=None, cost=300000):
    return {
        "number": number,
        "title": title,
        "cost_yuan": cost,
        "place": "样例·梅山小区",
        "status": status,
        "votes": votes,
    }


VOTING = budget_round(2, "voting")
DETAIL = {
    **VOTING,
    "projects": [
        project("YS2026110100001", "老楼加装电梯"),
        project("YS2026110100002", "社区食堂"),
        project("YS2026110100003", "停车场", status="rejected"),
        project("YS2026110100004", "儿童乐园"),
    ],
}


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("20万", 200000), ("约5万元", 50000), ("300000", 300000), ("1.5万", 15000), ("三十万", 300000), ("5000块", 5000)],
)
def test_a_rough_cost_is_read_in_yuan(text, yuan):
    assert parse_cost(text) == yuan


def test_no_cost_in_words_is_refused():
    assert parse_cost("不知道") is None and parse_cost("0") is None


def test_the_only_open_round_is_taken_several_are_asked_none_ends_the_form(gateway, dispatcher, make_tracker, domain):
    form, tracker = ValidateProposalForm(gateway.client()), make_tracker()
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [budget_round()])
    assert asyncio.run(form.extract_budget_round(dispatcher, tracker, domain)) == {"budget_round": "1"}
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [budget_round(1), budget_round(3)])
    assert asyncio.run(form.extract_budget_round(dispatcher, tracker, domain)) == {}
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [])
    assert asyncio.run(form.extract_budget_round(dispatcher, tracker, domain)) == {"budget_round": NO_ROUND}
    no_round = make_tracker(slots={"budget_round": NO_ROUND})
    assert asyncio.run(form.required_slots(["budget_round", "proposal_title"], dispatcher, no_round, domain)) == []


def test_no_round_open_for_proposals_says_so_and_points_to_a_vote(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [VOTING])
    tracker = make_tracker(slots={"budget_round": NO_ROUND})
    asyncio.run(ActionSubmitProposal(gateway.client()).run(dispatcher, tracker, domain))
    text = dispatcher.messages[0]["text"]
    assert "没有正在征集" in text and "我要投票" in text and "2027年1月10日" in text
    assert not any(r.method == "POST" for r in gateway.requests)


def test_a_proposal_is_filed_with_the_resident_in_the_header(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds/1")] = (200, {**budget_round(), "projects": []})
    gateway.routes[("POST", "/api/budget/rounds/1/proposals")] = (201, receipt("YS2026120400003"))
    slots = {
        "budget_round": "1",
        "proposal_title": "社区食堂",
        "proposal_description": "给小区老人办个社区食堂，解决吃饭难",
        "proposal_cost": 200000,
        "proposal_place": "样例·梅山小区北门",
        "phone": "13812345678",
    }
    events = asyncio.run(ActionSubmitProposal(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert gateway.sent_json() == {
        "title": "社区食堂",
        "description": "给小区老人办个社区食堂，解决吃饭难",
        "cost_yuan": 200000,
        "place": "样例·梅山小区北门",
        "phone": "13812345678",
        "channel": "api",
    }
    assert gateway.requests[-1].headers["X-Resident-Sender"] == "resident-1"
    assert "YS2026120400003" in dispatcher.messages[0]["text"] and "2026年12月20日" in dispatcher.messages[0]["text"]
    assert SlotSet("last_case_number", "YS2026120400003") in events


def wechat(make_tracker, **kwargs):
    return make_tracker(events=[user_event("我要投票", "vote_budget", metadata={"channel": "wechat"})], **kwargs)


def test_only_wechat_residents_vote_in_the_chat(gateway, dispatcher, make_tracker, domain):
    form, slots = ValidateBallotForm(gateway.client()), ["budget_round", "ballot_choices", "ballot_confirmed"]
    assert asyncio.run(form.required_slots(slots, dispatcher, wechat(make_tracker), domain)) == slots
    web = make_tracker(events=[user_event("我要投票", "vote_budget", metadata={"channel": "web"})])
    assert asyncio.run(form.required_slots(slots, dispatcher, web, domain)) == []
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [VOTING])
    asyncio.run(ActionCastBallot(gateway.client()).run(dispatcher, web, domain))
    assert "/budget?round=2" in dispatcher.messages[0]["text"] and "最多选2个" in dispatcher.messages[0]["text"]
    assert not any(r.method == "PUT" for r in gateway.requests)


def test_the_ballot_lists_only_projects_on_it(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds/2")] = (200, DETAIL)
    asyncio.run(
        ActionAskBallotChoices(gateway.client()).run(dispatcher, make_tracker(slots={"budget_round": "2"}), domain)
    )
    text = dispatcher.messages[0]["text"]
    assert "1. 老楼加装电梯（约30万元" in text and "3. 儿童乐园" in text and "停车场" not in text


def test_choices_are_checked_against_the_list_and_the_limit(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds/2")] = (200, DETAIL)
    form, tracker = ValidateBallotForm(gateway.client()), wechat(make_tracker, slots={"budget_round": "2"})
    ok = asyncio.run(form.validate_ballot_choices("1、3", dispatcher, tracker, domain))
    assert ok["ballot_choices"] == "YS2026110100001,YS2026110100004"
    too_many = asyncio.run(form.validate_ballot_choices("1 2 3", dispatcher, tracker, domain))
    assert too_many["ballot_choices"] is None and "最多只能选2个" in dispatcher.messages[-1]["text"]
    unknown = asyncio.run(form.validate_ballot_choices("4", dispatcher, tracker, domain))
    assert unknown["ballot_choices"] is None and "第4个" in dispatcher.messages[-1]["text"]
    again = form.validate_ballot_confirmed(False, dispatcher, tracker, domain)
    assert again == {"ballot_confirmed": None, "ballot_choices": None}


def test_a_wechat_ballot_is_cast_and_a_change_is_said_so(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds/2")] = (200, DETAIL)
    cast = {"round_id": 2, "choices": ["YS2026110100002"], "replaced": True, "voting_until": "2027-01-10"}
    gateway.routes[("PUT", "/api/budget/rounds/2/ballot")] = (200, cast)
    tracker = wechat(
        make_tracker, slots={"budget_round": "2", "ballot_choices": "YS2026110100002", "ballot_confirmed": True}
    )
    events = asyncio.run(ActionCastBallot(gateway.client()).run(dispatcher, tracker, domain))
    assert gateway.sent_json() == {"choices": ["YS2026110100002"], "channel": "wechat"}
    assert "已为您改票" in dispatcher.messages[0]["text"] and "社区食堂" in dispatcher.messages[0]["text"]
    assert SlotSet("ballot_choices", None) in events


def test_a_refused_ballot_shows_the_gateways_reason(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds/2")] = (200, DETAIL)
    gateway.routes[("PUT", "/api/budget/rounds/2/ballot")] = (
        409,
        {"detail": "not_voting", "message": "投票已经结束了。"},
    )
    tracker = wechat(make_tracker, slots={"budget_round": "2", "ballot_choices": "YS2026110100001"})
    asyncio.run(ActionCastBallot(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == "投票已经结束了。"


def test_results_list_votes_and_the_funded_projects(gateway, dispatcher, make_tracker, domain):
    published = budget_round(4, "results")
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [published])
    gateway.routes[("GET", "/api/budget/rounds/4")] = (
        200,
        {
            **published,
            "projects": [
                project("YS1", "社区食堂", "not_funded", votes=80),
                project("YS2", "老楼加装电梯", "funded", votes=120),
            ],
        },
    )
    asyncio.run(ActionBudgetResults(gateway.client()).run(dispatcher, make_tracker(), domain))
    text = dispatcher.messages[0]["text"]
    assert text.index("老楼加装电梯：120票") < text.index("社区食堂：80票")
    assert "120票，约30万元，入选" in text and "80票，约30万元\n" in text and "跳过它" in text


def test_no_results_yet_names_the_vote_in_progress(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/budget/rounds")] = (200, [])
    asyncio.run(ActionBudgetResults(gateway.client()).run(dispatcher, make_tracker(), domain))
    assert dispatcher.messages[0]["text"].startswith("社区预算的投票结果还没有公布")
