"""Questions and answers on a DAS (nota van inlichtingen): what a question or answer may hold.

Source: the issue (issue 20) and the equal treatment of candidates (Aanbestedingswet 2012 art.
1.8): every candidate reads the same answers, so they are published, without the asker's name.
The text itself follows portal.domain.text: a textarea keeps its line
breaks and tabs, and refuses every other control character (NUL, escape, the C1 controls ...),
which no one types and which break mails and exports.
"""

from __future__ import annotations

import enum
import re

#: The longest question and answer (characters): a page of text. A longer question is two.
MAX_QUESTION_LENGTH = 4_000
MAX_ANSWER_LENGTH = 10_000
#: A question shorter than this says nothing answerable ("?", "zie bijlage").
MIN_QUESTION_LENGTH = 10

# Unicode's C0 and C1 controls, DEL and the line and paragraph separators, but not the line
# feed, carriage return and tab a textarea sends.
_MULTI_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


class TextProblem(enum.StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"


def normalised(text: str) -> str:
    """The text as stored: line breaks as "\\n", no blanks at either end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_problem(text: str, maximum: int, minimum: int = 1) -> TextProblem | None:
    """What is wrong with a multi-line text, or None when it may be stored as `normalised(text)`."""
    if _MULTI_LINE_CONTROL.search(text):
        return TextProblem.CONTROL_CHARACTERS
    clean = normalised(text)
    if not clean:
        return TextProblem.EMPTY
    if len(clean) < minimum:
        return TextProblem.TOO_SHORT
    if len(clean) > maximum:
        return TextProblem.TOO_LONG
    return None


def question_problem(text: str) -> TextProblem | None:
    return text_problem(text, MAX_QUESTION_LENGTH, MIN_QUESTION_LENGTH)


def answer_problem(text: str) -> TextProblem | None:
    return text_problem(text, MAX_ANSWER_LENGTH)
