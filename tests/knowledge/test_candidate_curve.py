"""How the candidate floor is chosen (knowledge/evaluation.py candidate_curve), on made-up scores."""

from __future__ import annotations

import numpy as np

from knowledge.evaluation import Question, candidate_curve

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
