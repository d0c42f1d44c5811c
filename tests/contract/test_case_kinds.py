import re

import pytest

from contract.case_kinds import (
    CASE_KINDS,
    CaseKind,
    find_case_number,
    kind_of_number,
    prefixes_text,
)

LATIN = re.compile(r"[A-Za-z_]")


@pytest.mark.parametrize("kind", list(CASE_KINDS.values()), ids=list(CASE_KINDS))
def test_every_status_has_a_chinese_text(kind: CaseKind):
    reachable = {kind.initial_status, *kind.transitions, *(t for ts in kind.transitions.values() for t in ts)}
    assert reachable == set(kind.statuses)
    for status in kind.statuses:
        text = kind.status_text(status)
        assert text and not LATIN.search(text), (kind.kind, status, text)
    assert not LATIN.search(kind.name)


def test_a_status_without_a_text_is_refused():
    with pytest.raises(ValueError, match="without a resident text"):
        CaseKind("x", "XX", "某事", "new", {"new": "新"}, {"new": frozenset({"gone"})})


def test_a_report_must_be_known_and_move_to_a_status_of_the_kind():
    with pytest.raises(ValueError, match="without a resident text"):
        CaseKind("x", "XX", "某事", "new", {"new": "新"}, {}, report_statuses={"resolved": "done"})
    with pytest.raises(ValueError, match="unknown reports"):
        CaseKind("x", "XX", "某事", "new", {"new": "新"}, {}, report_statuses={"rejected": "new"})


def test_closed_statuses_have_no_way_on():
    complaint = CASE_KINDS["complaint"]
    assert complaint.is_closed("resolved") and not complaint.is_closed("pending")
    assert complaint.can_move("pending", "resolved") and not complaint.can_move("resolved", "pending")


def test_prefixes_are_unique_and_read_as_a_list():
    prefixes = [kind.prefix for kind in CASE_KINDS.values()]
    assert len(set(prefixes)) == len(prefixes)
    assert prefixes_text().startswith("LA、TS、JY、GD、SQ")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ts2026112200001", "TS2026112200001"),
        ("我的编号是 LA 2026 1122 00001 谢谢", "LA2026112200001"),
        ("GD202611220000", "GD202611220000"),
        ("XX2026112200001", None),
        ("TS1234", None),
    ],
)
def test_case_numbers_are_found_in_what_residents_type(text, number):
    assert find_case_number(text) == number


def test_kind_of_number():
    assert kind_of_number("jy2026112200001") is CASE_KINDS["suggestion"]
    assert kind_of_number("ZZ1") is None
