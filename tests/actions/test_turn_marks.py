"""The turn markers the actions send beside their replies (contract/turns.py): what the gateway's turn log and
unanswered-question inbox learn from, and never a second bot message (the actions read the last one's text)."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from actions.answer import ActionAnswerService
from actions.complaint import ActionSubmitComplaint
from actions.escalation import ActionEscalateToHuman, ActionHandleFallback
from contract.turns import TurnMark, read_mark
from tests.actions.conftest import bot_event, knowledge, receipt, user_event

TICKET = (201, receipt("GD2024060100003", deadline="2024-06-01T18:00:00+08:00"))


def marks(dispatcher):
    """Each message's marker (None when it has none), in order."""
    return [read_mark(message.get("custom")) for message in dispatcher.messages]


def test_a_confident_answer_is_marked_answered_with_its_service(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("居住证怎么办", "ask_service", knowledge(True, ("居住证办理", 0.8)))])
    asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert marks(dispatcher) == [TurnMark("answered", service="居住证办理")]
    assert dispatcher.messages[0]["text"].startswith("居住证办理的办理指南")


@pytest.mark.parametrize(
    "found",
    [knowledge(False), knowledge(False, ("社会保障卡申领", 0.3), ("社会保障卡挂失补换", 0.29))],
    ids=["nothing fits", "only candidates"],
)
def test_a_question_not_answered_as_asked_is_marked_unanswered(found, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("火星上怎么办证", "ask_service", found)])
    asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert marks(dispatcher) == [TurnMark("unanswered", question="火星上怎么办证")]


def test_fallbacks_are_unanswered_and_the_second_in_a_row_hands_over(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/tickets")] = TICKET
    once = [user_event("啊吧啊吧", "nlu_fallback", knowledge(False))]
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=once), domain))
    assert marks(dispatcher) == [TurnMark("unanswered", question="啊吧啊吧")]
    # The marker rides on the visible reply: the second fallback still sees "没太明白" as the last thing said.
    twice = [*once, bot_event(dispatcher.messages[0]["text"]), user_event("嗯嗯嗯", "greet", knowledge(False))]
    dispatcher.messages.clear()
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=twice), domain))
    assert marks(dispatcher) == [TurnMark("unanswered", question="嗯嗯嗯"), TurnMark("handoff")]


def test_not_satisfied_hands_over_and_names_the_question_that_was_not_solved(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/tickets")] = TICKET
    events = [
        user_event("社保卡丢了怎么办", "ask_service", knowledge(True, ("社会保障卡挂失补换", 0.8))),
        bot_event("社会保障卡挂失补换的办理指南……"),
        user_event("/not_satisfied", "not_satisfied"),
    ]
    asyncio.run(ActionEscalateToHuman(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert marks(dispatcher)[-1] == TurnMark("handoff", question="社保卡丢了怎么办")
    assert "GD2024060100003" in dispatcher.messages[-1]["text"]


def test_a_filed_case_is_marked_case(gateway, dispatcher, make_tracker, domain):
    filed = receipt("TS2024060100009", deadline="2024-06-05T17:00:00+08:00")
    gateway.routes[("POST", "/api/complaints")] = (201, filed)
    slots = {"complaint_description": "社保窗口排队三个小时", "phone": "13812345678"}
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert marks(dispatcher)[0] == TurnMark("case") and "TS2024060100009" in dispatcher.messages[0]["text"]
