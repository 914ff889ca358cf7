"""Growing lock-outs after failed log-ins.

Source: OWASP, "Slow Down Online Guessing Attacks with Device Cookies" (lock out untrusted
clients after N failures, with a separate counter per trusted device) and the OWASP
Authentication Cheat Sheet, "Login Throttling" (delays that grow with each lock-out, so that
guessing gets slower and slower while a real user who mistypes waits a minute at most).
"""

from __future__ import annotations

from collections.abc import Sequence


def lockout_seconds(failures: int, threshold: int, schedule: Sequence[int]) -> int:
    """How long a client waits after its `failures`-th failure: every `threshold`-th failure
    starts a lock-out, the first lasting `schedule[0]` seconds, the next `schedule[1]`, and so
    on; the last length repeats. Other failures start none (0).

    With 5 and (60, 300, 900, 3600): failures 5, 10, 15 and 20 lock for 1, 5, 15 and 60
    minutes, and every fifth failure after that for an hour again.
    """
    if threshold < 1 or failures < threshold or failures % threshold or not schedule:
        return 0
    return schedule[min(failures // threshold, len(schedule)) - 1]


def parse_minutes(text: str) -> tuple[int, ...]:
    """A schedule written as minutes, "1, 5, 15, 60", in seconds. Raises ValueError for
    anything but positive whole numbers."""
    minutes = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    if not minutes or any(m < 1 for m in minutes):
        raise ValueError(f"a lock-out schedule needs positive minutes: {text!r}")
    return tuple(m * 60 for m in minutes)
