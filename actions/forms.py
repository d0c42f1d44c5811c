"""The forms in one table: what each one is called by residents, the intent that starts it, the slots it
owns, and which of them take free text or may be skipped.

Everything that depends on the set of forms reads it from here: leaving and switching forms
(actions/leave_form.py), resetting their slots, and the `not_intent` lists of the slot mappings in
domain.yml, which scripts/generate_rasa_data.py writes from `not_intent()` (a test keeps them equal).
Adding a form is one row here, its slots and form in domain.yml, and its rules in nlu_data/rules/forms.yml.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Form:
    name: str
    task: str  # what residents call it: "刚才的投诉先不办了"
    trigger: str  # the intent that starts it (and, asked in the middle of another form, switches to it)
    slots: tuple[str, ...]  # every slot it fills; all are forgotten when it ends
    free_text: tuple[str, ...] = ()  # slots that take any text: residents describe problems in task words
    optional: tuple[str, ...] = ()  # slots a "不用了" (deny) skips
    takes_bot_challenge: tuple[str, ...] = ()  # "名字是何文斌" can read as "who are you"; the validator decides
    opening: str | None = None  # the slot the starting message may already fill ("我要投诉，窗口排了三小时")
    # Its own trigger on a short answer starts it over ("我要申请" half way through an application).
    restarts_on_trigger: bool = False


# One row a form: name, task as residents say it, trigger intent, slots, then what is special about them.
_ROWS = (
    Form("apply_form", "办事申请", "apply_service", ("service", "applicant_name", "id_number", "phone",
         "apply_confirmed"), takes_bot_challenge=("applicant_name",), restarts_on_trigger=True),
    Form("complaint_form", "投诉", "submit_complaint", ("complaint_description", "complaint_opening",
         "complaint_place", "place_needed", "phone", "service", "department"),
         free_text=("complaint_description", "complaint_place"), optional=("complaint_place",),
         opening="complaint_description"),
    Form("suggest_form", "建议", "give_suggestion", ("consultation", "suggestion_topic", "suggestion_content",
         "suggestion_phone"), free_text=("suggestion_content",), optional=("suggestion_phone",),
         opening="suggestion_content"),
    # urge_requested: 催办 asked before the case was known (actions/urge.py); the check urges the case it finds.
    Form("status_form", "进度查询", "check_status", ("case_number", "phone_last4", "status_tries", "urge_requested")),
    Form("praise_form", "表扬", "praise", ("praise_text", "department"), free_text=("praise_text",),
         opening="praise_text"),
    Form("rate_form", "评价", "rate_service", ("stars", "rating_comment"),
         free_text=("rating_comment",), optional=("rating_comment",)),
    Form("incident_form", "小区报事", "report_incident", ("incident_kind", "community", "incident_place",
         "incident_description", "phone", "photo_id"), free_text=("incident_description",),
         optional=("incident_place",), opening="incident_description"),
    Form("proposal_form", "预算项目提议", "propose_project", ("budget_round", "proposal_title",
         "proposal_description", "proposal_cost", "proposal_place", "phone"),
         free_text=("proposal_description",), opening="proposal_description"),
    Form("ballot_form", "预算项目投票", "vote_budget", ("budget_round", "ballot_choices", "ballot_confirmed")),
    # The code answer takes any text: "重新发送" asks for a new code, whatever the NLU reads it as.
    Form("property_form", "不动产信息查询", "lookup_property", ("certificate_number", "id_number", "owner_code"),
         free_text=("owner_code",)),
)  # fmt: skip
FORMS: dict[str, Form] = {form.name: form for form in _ROWS}
FORM_BY_TRIGGER: dict[str, Form] = {form.trigger: form for form in FORMS.values()}

# What interrupts any form, whatever it asks: the resident leaves, wants a person, is unsure who answers,
# or presses "继续填写" after answers the form could not use. (not_satisfied is no interruption here: inside
# a form "还是不知道" means the resident does not know the answer, not that an answer failed them.)
# A photo (the gateway's /share_photo message) is no answer to any question either: it is kept for the incident
# form, and the form asks its question again.
LEAVING = ("cancel", "request_human", "bot_challenge", "continue_form", "share_photo")
# A question, "what can you do" and a farewell interrupt a short answer; free text may well be phrased as one.
SHORT_ANSWER_INTERRUPTIONS = ("ask_service", "ask_capabilities", "goodbye")
# A status check is a detour, not another task: asked in the middle of a form it is answered and the form then
# goes on with what it had (actions/leave_form.py). So it is no answer to a short free-text question ("在哪里"),
# while an opening description may well cite an earlier case ("上次投诉TS…还没处理").
DETOURS = ("check_status",)


def not_intent(form: Form, slot: str) -> list[str]:
    """The intents whose messages never fill `slot` while `form` asks for it: the form steps aside and the
    rules answer them (a question, 取消, a person, or another task, which ends this form)."""
    skip = ["deny"] if slot in form.optional else []
    if slot in form.free_text:
        return [*skip, *LEAVING, *(DETOURS if slot != form.opening else ())]
    leaving = [i for i in LEAVING if not (i == "bot_challenge" and slot in form.takes_bot_challenge)]
    tasks = [f.trigger for f in FORMS.values() if f is not form or form.restarts_on_trigger]
    return [*skip, *leaving, *SHORT_ANSWER_INTERRUPTIONS, *tasks]
