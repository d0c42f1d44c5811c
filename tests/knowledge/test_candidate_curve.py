"""How the candidate floor is chosen (knowledge/evaluation.py candidate_curve), on made-up scores, and what the
assistant answers as it does (as_answered)."""

from __future__ import annotations

import numpy as np

from knowledge import KnowledgeBase
from knowledge.evaluation import Question, as_answered, candidate_curve

NAMES = ["社会保障卡申领", "结婚登记", "居住证办理", "户口迁移"]


def test_the_curve_counts_what_unsure_questions_are_offered() -> None:
    questions = [
        Question("社保卡", "社会保障卡申领", "tune"),  # unsure, its service second and close to the threshold
        Question("领证", "结婚登记", "tune"),  # unsure, its service first but weak
        Question("天气", "", "tune"),  # out of scope, a weak unrelated guide
        Question("护照", "", "tune"),  # out of scope, a fairly strong unrelated guide
        Question("居住证", "居住证办理", "tune"),  # answered: not counted
    ]
    scores = np.array(
        [
            [0.40, 0.05, 0.42, 0.01],
            [0.00, 0.33, 0.10, 0.02],
            [0.10, 0.20, 0.05, 0.01],
            [0.05, 0.02, 0.01, 0.44],
            [0.10, 0.00, 0.90, 0.00],
        ]
    )
    curve = {fraction: (in_scope, oos) for fraction, in_scope, oos in candidate_curve(questions, scores, 0.5, NAMES)}
    # floors 0.30, 0.35, 0.40, 0.45
    assert curve == {
        0.6: ("2/2", "1/2"),
        0.7: ("1/2", "1/2"),
        0.8: ("1/2", "1/2"),
        0.9: ("0/2", "0/2"),
    }


def test_as_answered_counts_what_the_checks_turn_away(lexical_kb: KnowledgeBase) -> None:
    # No guide covers closing a business; 个体工商户设立登记 reaches the threshold on the question's other words.
    questions = [
        Question("个体户不干了 营业执照怎么注销", "", "tune"),
        Question("社保卡丢了怎么挂失补办", "社会保障卡挂失补换", "tune"),
        Question("社保卡丢了怎么挂失补办", "社会保障卡申领", "tune"),  # the right guide is another: wrong
        Question("今天六安天气怎么样", "", "tune"),
    ]
    assert lexical_kb.search(questions[0].text).hits[0].score >= lexical_kb.settings.threshold
    assert as_answered(lexical_kb, questions) == (0.5, 0.5, 0.0)
