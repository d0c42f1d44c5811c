"""The forms table (actions/forms.py) is the one source of the forms' triggers, slots and interruptions:
the domain, the regexes and the rules must agree with it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("ruamel.yaml", reason="the generator runs in the Rasa environment (.venv-rasa)")

from actions.forms import FORM_BY_TRIGGER, FORMS, not_intent  # noqa: E402
from contract.case_kinds import CASE_KINDS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import generate_rasa_data  # noqa: E402


def test_generated_parts_of_the_rasa_data_are_up_to_date():
    assert generate_rasa_data.main(["--check"]) == 0


def test_the_generator_would_rewrite_a_list_that_drifted():
    domain = (ROOT / "domain.yml").read_text(encoding="utf-8")
    drifted = domain.replace("not_intent: [cancel, request_human", "not_intent: [request_human", 1)
    assert drifted != domain
    assert generate_rasa_data.domain_text(drifted) == domain


def test_case_number_regex_takes_every_prefix_in_either_case():
    regex = yaml.safe_load((ROOT / "nlu_data" / "regex.yml").read_text(encoding="utf-8"))
    pattern = next(e["examples"] for e in regex["nlu"] if e["regex"] == "case_number").strip().removeprefix("- ")
    for kind in CASE_KINDS.values():
        assert re.search(pattern, f"编号{kind.prefix}2026112200001")
        assert re.search(pattern, f"{kind.prefix.lower()}2026112200001")
    assert not re.search(pattern, "XX2026112200001")


def test_domain_forms_are_the_table():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["forms"]) == set(FORMS)
    for name, spec in domain["forms"].items():
        assert set(spec["required_slots"]) <= set(FORMS[name].slots), name
        assert FORMS[name].trigger in domain["intents"]


def test_every_form_starts_through_the_switch_with_one_rule():
    rules = yaml.safe_load((ROOT / "nlu_data" / "rules" / "forms.yml").read_text(encoding="utf-8"))["rules"]
    starts = {}
    for rule in rules:
        steps = rule["steps"]
        if "intent" in steps[0] and steps[0]["intent"] in FORM_BY_TRIGGER and "condition" not in rule:
            assert steps[1] == {"action": "action_switch_task"}, rule["rule"]
            starts[steps[0]["intent"]] = steps[3]["action"]
    assert starts == {form.trigger: form.name for form in FORMS.values()}
    # Switching needs no rule per pair of forms any more.
    assert not (ROOT / "nlu_data" / "rules" / "switch_task.yml").exists()


def test_short_answers_step_aside_for_other_tasks_and_free_text_does_not():
    complaint, status = FORMS["complaint_form"], FORMS["status_form"]
    assert "check_status" in not_intent(complaint, "phone")
    assert "submit_complaint" not in not_intent(complaint, "phone")  # its own trigger: part of the answer
    assert not_intent(complaint, "complaint_description") == [
        "cancel",
        "request_human",
        "bot_challenge",
        "continue_form",
        "share_photo",
    ]
    assert "apply_service" in not_intent(FORMS["apply_form"], "id_number")  # "我要申请" starts it over
    assert "bot_challenge" not in not_intent(FORMS["apply_form"], "applicant_name")
    assert not_intent(FORMS["rate_form"], "rating_comment")[0] == "deny"
    assert "ask_service" in not_intent(status, "case_number")


def test_a_trigger_message_fills_free_text_only_while_no_form_is_active():
    # Inside the complaint form, a later message read as submit_complaint must not overwrite the description
    # (nor a consultation title read as give_suggestion the suggestion).
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for form in FORMS.values():
        for slot in form.free_text:
            for mapping in domain["slots"][slot]["mappings"]:
                if mapping.get("intent") == form.trigger:
                    assert mapping["conditions"] == [{"active_loop": None}], slot
