"""The load-test accounts, shared by the data loader (bench/seed_load.py, which imports the
portal) and the Locust file (which must not: it runs under gevent, far from the application).

Every simulated user logs in with an account of its own: a staff member's one-time code works
once per 30-second step per user, and a provider's draft is saved by one person at a time.
"""

from __future__ import annotations

PASSWORD = "bench-wachtwoord-belasting-2026"
# Public and only for throwaway load-test databases, like the demo's key.
TOTP_SECRET = "BENCHDASPORTAALBELASTINGSTAPTWEE"

DRAFT = "draft"
ADMITTED = "admitted"
SUBMITTED = "submitted"


def provider_email(number: int) -> str:
    return f"aanbieder{number:04d}@bench.das-portaal.nl"


def reviewer_email(number: int) -> str:
    return f"beoordelaar{number:04d}@bench.das-portaal.nl"


def provider_kind(number: int) -> str:
    """One provider in ten has an admitted application (agreement and KPI pages) and one in ten
    a submitted one (work for the reviewers); the others have a draft to fill in. Admitting
    renders two PDFs (about a second each), so admitted providers are kept few."""
    if number % 10 == 0:
        return ADMITTED
    if number % 10 == 5:
        return SUBMITTED
    return DRAFT


# How the simulated users are spread over the journeys (Locust weights, bench/locustfile.py).
PUBLIC_WEIGHT = 5
PROVIDER_WEIGHT = 4
REVIEWER_WEIGHT = 1


def accounts_needed(users: int) -> tuple[int, int]:
    """Provider and reviewer accounts for a run with this many simulated users: Locust spreads
    users by weight, rounding, so a few spare accounts are made."""
    total = PUBLIC_WEIGHT + PROVIDER_WEIGHT + REVIEWER_WEIGHT
    providers = -(-users * PROVIDER_WEIGHT // total) + 5
    reviewers = -(-users * REVIEWER_WEIGHT // total) + 5
    return providers, reviewers
