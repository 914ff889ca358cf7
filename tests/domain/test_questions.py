"""What a question or an answer may hold (portal.domain.questions)."""

from __future__ import annotations

import pytest

from portal.domain.questions import (
    MAX_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    TextProblem,
    answer_problem,
    normalised,
    question_problem,
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Mag een onderaannemer de eisen aantonen?", None),
        ("Regel een\r\nregel twee\n\tmet een tab", None),
        ("", TextProblem.EMPTY),
        (" \n\t ", TextProblem.EMPTY),
        ("Waarom?", TextProblem.TOO_SHORT),
        ("  Waarom?  ", TextProblem.TOO_SHORT),
        ("x" * MAX_QUESTION_LENGTH, None),
        ("x" * (MAX_QUESTION_LENGTH + 1), TextProblem.TOO_LONG),
        # Blanks around the text do not count towards its length.
        ("  " + "x" * MAX_QUESTION_LENGTH + "  ", None),
        ("Een NUL \x00 in een vraag", TextProblem.CONTROL_CHARACTERS),
        ("Een bel \x07 in een vraag", TextProblem.CONTROL_CHARACTERS),
        ("Een escape \x1b[0m in een vraag", TextProblem.CONTROL_CHARACTERS),
        ("Een C1-teken \x85 in een vraag", TextProblem.CONTROL_CHARACTERS),
        ("Een DEL \x7f in een vraag", TextProblem.CONTROL_CHARACTERS),
        ("Een scheiding \u2029 in een vraag", TextProblem.CONTROL_CHARACTERS),
        ("Emoji 🙂 en accenten: één, ä, ﬁ mogen", None),
    ],
)
def test_question_problem(text: str, problem: TextProblem | None) -> None:
    assert question_problem(text) is problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Ja.", None),
        ("", TextProblem.EMPTY),
        ("x" * MAX_ANSWER_LENGTH, None),
        ("x" * (MAX_ANSWER_LENGTH + 1), TextProblem.TOO_LONG),
        ("Ja\x0b.", TextProblem.CONTROL_CHARACTERS),
    ],
)
def test_answer_problem(text: str, problem: TextProblem | None) -> None:
    assert answer_problem(text) is problem


def test_normalised_keeps_line_breaks_as_newlines() -> None:
    assert normalised("  een\r\ntwee\rdrie\n  ") == "een\ntwee\ndrie"
