"""Single-line text: names, addresses and subjects have no line breaks or other control characters.

Source: RFC 5322 section 2.2 (a header field is one line; CR and LF end it) and OWASP's e-mail
header injection guidance: a CR/LF in a name that reaches a mail header would start a new header
(`Evil\\r\\nBcc: ...`). Unicode's C0 and C1 controls, DEL and the line and paragraph separators
(U+2028, U+2029) are all refused in one-line input; multi-line text (a textarea) keeps its breaks.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def single_line(value: str) -> str:
    """The value on one line: every run of control characters and spaces becomes one space."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())
