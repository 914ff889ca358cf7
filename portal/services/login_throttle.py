"""Failed log-ins slow guessing down without locking the real user out.

OWASP's device cookies ("Slow Down Online Guessing Attacks with Device Cookies"): a browser
that logged in to an account before carries a signed device cookie for it (portal/auth/
devices.py). Failures from clients without one count per account and per client address, and
every so many lock those untrusted clients out for longer (domain/login_throttle.py). A client
presenting a valid device cookie for the account is not held by that lock-out, so an attacker
cannot keep the owner out; it has a small counter of its own, so a stolen device cookie is no
licence to guess either. A password reset (the mailed link proves the mailbox) lifts the
account's lock-out.

The counters live in the rate limiter's storage: in memory per process, or in Redis shared by
every instance (RATELIMIT_STORAGE_URI), as the other limits do.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from limits.storage import MemoryStorage, Storage

from portal.domain.login_throttle import lockout_seconds, parse_minutes
from portal.extensions import limiter

PREFIX = "login-throttle"


@dataclass(frozen=True)
class Policy:
    per_account: int  # failures from untrusted clients before the account locks for them
    per_address: int  # failures from one address, whatever the account
    per_device: int  # failures with one device cookie
    schedule: tuple[int, ...]  # lock-out lengths in seconds, growing
    window: int  # seconds: failures are forgotten this long after the first one


def policy(config: Mapping[str, Any]) -> Policy:
    return Policy(
        per_account=int(config["LOCKOUT_FAILURES_PER_ACCOUNT"]),
        per_address=int(config["LOCKOUT_FAILURES_PER_ADDRESS"]),
        per_device=int(config["LOCKOUT_FAILURES_PER_DEVICE"]),
        schedule=parse_minutes(str(config["LOCKOUT_MINUTES"])),
        window=int(config["LOCKOUT_WINDOW_HOURS"]) * 3600,
    )


def account_key(email: str) -> str:
    """An account as the counters and device cookies name it: a hash of the address as typed
    (normalised), so unknown addresses count alike and no address is stored in the clear."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Attempt:
    email: str
    address: str
    device: str | None  # the nonce of a valid device cookie for this account, if any

    def subjects(self, rules: Policy) -> list[tuple[str, int]]:
        if self.device:
            return [(f"device:{self.device}", rules.per_device)]
        return [
            (f"account:{account_key(self.email)}", rules.per_account),
            (f"address:{self.address}", rules.per_address),
        ]


# When an operator turns the HTTP rate limits off (RATELIMIT_ENABLED), the limiter has no
# storage; the lock-outs of accounts still count, in this process's memory.
_OWN_STORAGE = MemoryStorage()


def _storage() -> Storage:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return _OWN_STORAGE
    return limiter.storage


def _key(kind: str, subject: str) -> str:
    return f"{PREFIX}/{kind}/{subject}"


def wait_seconds(attempt: Attempt, rules: Policy) -> int:
    """Seconds before this client may try this account again; 0 when it may now."""
    storage = _storage()
    waits = [
        storage.get_expiry(_key("lock", subject)) - time.time()
        for subject, _threshold in attempt.subjects(rules)
        if storage.get(_key("lock", subject)) > 0
    ]
    return max(1, math.ceil(max(waits))) if waits else 0


def failed(attempt: Attempt, rules: Policy) -> int:
    """Count a wrong password; returns the length of the lock-out it started (0: none)."""
    storage = _storage()
    started = 0
    for subject, threshold in attempt.subjects(rules):
        failures = storage.incr(_key("failures", subject), rules.window)
        seconds = lockout_seconds(failures, threshold, rules.schedule)
        if seconds:
            storage.incr(_key("lock", subject), seconds)
            started = max(started, seconds)
    return started


def succeeded(attempt: Attempt) -> None:
    """The right password: a trusted device starts counting afresh. The account's and the
    address's counters are left alone; an attacker guessing elsewhere gains nothing."""
    if attempt.device:
        _storage().clear(_key("failures", f"device:{attempt.device}"))


def unlock_account(email: str) -> None:
    """Lift the lock-out of untrusted clients (after a password reset through the mailed link)."""
    _storage().clear(_key("lock", f"account:{account_key(email)}"))
