"""Growing lock-outs after failed log-ins (OWASP, "Slow Down Online Guessing Attacks with Device
Cookies"; Authentication Cheat Sheet, "Login Throttling")."""

from __future__ import annotations

import pytest

from portal.domain.login_throttle import lockout_seconds, parse_minutes

SCHEDULE = (60, 300, 900, 3600)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [
        (0, 0),
        (1, 0),
        (4, 0),
        (5, 60),  # the fifth failure: a minute
        (6, 0),  # the next ones start nothing new
        (9, 0),
        (10, 300),
        (15, 900),
        (20, 3600),
        (25, 3600),  # the last length repeats
        (500, 3600),
    ],
)
def test_every_fifth_failure_locks_out_for_longer(failures: int, seconds: int) -> None:
    assert lockout_seconds(failures, 5, SCHEDULE) == seconds


def test_no_threshold_or_no_schedule_locks_nothing() -> None:
    assert lockout_seconds(5, 0, SCHEDULE) == 0
    assert lockout_seconds(5, 5, ()) == 0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1, 5, 15, 60", (60, 300, 900, 3600)), ("2", (120,)), ("1;10", (60, 600))],
)
def test_a_schedule_is_written_in_minutes(text: str, seconds: tuple[int, ...]) -> None:
    assert parse_minutes(text) == seconds


@pytest.mark.parametrize("text", ["", "0, 5", "-1", "een"])
def test_a_schedule_without_positive_minutes_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_minutes(text)
