"""Mixed journeys for the load test (`make bench`; the driver is bench/run_load.py).

Three kinds of simulated user, weighted as in bench/accounts.py:

- the public: home, a DAS announcement, its products, tariff sheets and one sheet, the OCDS
  release package, the accessibility and privacy statements, and one page that does not exist
  (an expected 404);
- providers, each logged in once with an account of its own: dashboard, documents, the
  application and its sections, saving the exclusion grounds (a POST with the form's CSRF
  token), and the agreement, KPI and SROI pages when the provider has an agreement;
- reviewers, each logged in once with its own account and a TOTP code: the queue, and an
  application from it.

A request fails when its status is 400 or more (except the 404 asked for), when a page that
needs a log-in lands on the log-in page, or when a form is shown again instead of saved.
Request names start with their group ("public", "login", "provider", "reviewer"); at the end
the figures per name and per group are written as JSON to $BENCH_LOAD_STATS for the driver.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

import pyotp
from locust import HttpUser, between, events, task
from locust.stats import StatsEntry

from bench import accounts
from bench.forms import csrf_token

DAS_SLUG = "ambulante-jeugdhulp-en-wonen-midden-limburg"
EXCLUSION_VALUE = re.compile(r'name="(c\d+_value)"')
# Think time between pages: people read before they click.
WAIT = between(2, 6)


class PortalUser(HttpUser):
    abstract = True
    wait_time = WAIT

    def page(self, name: str, url: str, *, signed_in: bool = True) -> str:
        """GET a page that must answer 200 (after redirects) and not send us to the log-in."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif signed_in and "/inloggen" in response.url:
                response.failure("sent to the log-in page")
            return response.text or ""

    def log_in(self, email: str, expect: str) -> None:
        """Password step; `expect` is where the portal should send us next."""
        form = self.page("login: form", "/inloggen", signed_in=False)
        with self.client.post(
            "/inloggen",
            data={"csrf_token": csrf_token(form), "email": email, "password": accounts.PASSWORD},
            name="login: password",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or expect not in response.headers.get("Location", ""):
                response.failure(f"log-in of {email} refused (status {response.status_code})")


class PublicVisitor(PortalUser):
    weight = accounts.PUBLIC_WEIGHT

    def on_start(self) -> None:
        html = self.page("public: tariff sheets", f"/das/{DAS_SLUG}/tarieven", signed_in=False)
        self.sheets = sorted(set(re.findall(rf"/das/{DAS_SLUG}/tarieven/(\d+)\"", html)))

    @task(4)
    def home(self) -> None:
        self.page("public: home", "/", signed_in=False)

    @task(3)
    def announcement(self) -> None:
        self.page("public: DAS announcement", f"/das/{DAS_SLUG}", signed_in=False)

    @task(2)
    def products(self) -> None:
        self.page("public: products", f"/das/{DAS_SLUG}/producten", signed_in=False)

    @task(2)
    def tariff_sheets(self) -> None:
        self.page("public: tariff sheets", f"/das/{DAS_SLUG}/tarieven", signed_in=False)

    @task(2)
    def tariff_sheet(self) -> None:
        if self.sheets:
            sheet = random.choice(self.sheets)
            url = f"/das/{DAS_SLUG}/tarieven/{sheet}"
            self.page("public: tariff sheet", url, signed_in=False)

    @task(1)
    def ocds(self) -> None:
        with self.client.get(
            f"/das/{DAS_SLUG}/ocds.json", name="public: OCDS JSON", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            else:
                try:
                    package = response.json()
                except ValueError:
                    response.failure("not JSON")
                else:
                    if not package.get("releases"):
                        response.failure("no releases in the package")

    @task(1)
    def statements(self) -> None:
        self.page("public: statements", "/toegankelijkheid", signed_in=False)
        self.page("public: statements", "/privacy", signed_in=False)

    @task(1)
    def missing(self) -> None:
        with self.client.get(
            "/das/bestaat-niet", name="public: 404 (expected)", catch_response=True
        ) as response:
            if response.status_code == 404:
                response.success()
            else:
                response.failure(f"expected 404, got {response.status_code}")


class Provider(PortalUser):
    weight = accounts.PROVIDER_WEIGHT
    numbers = itertools.count(1)  # each simulated provider takes the next account

    def on_start(self) -> None:
        self.number = next(Provider.numbers)
        self.kind = accounts.provider_kind(self.number)
        self.log_in(accounts.provider_email(self.number), expect="/aanbieder/")
        html = self.page("provider: dashboard", "/aanbieder/")
        applications = re.findall(r'/aanbieder/aanmeldingen/(\d+)"', html)
        agreements = re.findall(r'/aanbieder/overeenkomsten/(\d+)"', html)
        self.application = applications[0] if applications else None
        self.agreement = agreements[0] if agreements else None

    @task(3)
    def dashboard(self) -> None:
        self.page("provider: dashboard", "/aanbieder/")

    @task(2)
    def documents(self) -> None:
        self.page("provider: documents", "/aanbieder/documenten")

    @task(3)
    def application_overview(self) -> None:
        if self.application:
            self.page("provider: application", f"/aanbieder/aanmeldingen/{self.application}")

    @task(3)
    def sections(self) -> None:
        if self.application and self.kind == accounts.DRAFT:
            base = f"/aanbieder/aanmeldingen/{self.application}"
            section = random.choice(["percelen", "uitsluitingsgronden", "geschiktheidseisen"])
            self.page("provider: application section", f"{base}/{section}")

    @task(2)
    def save_exclusion_grounds(self) -> None:
        if not (self.application and self.kind == accounts.DRAFT):
            return
        url = f"/aanbieder/aanmeldingen/{self.application}/uitsluitingsgronden"
        html = self.page("provider: application section", url)
        data = {"csrf_token": csrf_token(html)}
        for field in sorted(set(EXCLUSION_VALUE.findall(html))):
            data[field] = "nee"
        with self.client.post(
            url,
            data=data,
            name="provider: save exclusion grounds",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            saved = response.status_code == 302 and response.headers.get("Location", "").endswith(
                f"/aanbieder/aanmeldingen/{self.application}"
            )
            if not saved:
                response.failure(f"not saved (status {response.status_code})")

    @task(2)
    def agreement_pages(self) -> None:
        if self.agreement:
            base = f"/aanbieder/overeenkomsten/{self.agreement}"
            self.page("provider: agreement", base)
            self.page("provider: KPI and SROI", f"{base}/kpi")
            self.page("provider: KPI and SROI", f"{base}/sroi")


class Reviewer(PortalUser):
    weight = accounts.REVIEWER_WEIGHT
    numbers = itertools.count(1)

    def on_start(self) -> None:
        number = next(Reviewer.numbers)
        self.log_in(accounts.reviewer_email(number), expect="/inloggen/code")
        form = self.page("login: second step", "/inloggen/code", signed_in=False)
        with self.client.post(
            "/inloggen/code",
            data={"csrf_token": csrf_token(form), "code": pyotp.TOTP(accounts.TOTP_SECRET).now()},
            name="login: second step",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/beoordeling/" not in response.headers.get(
                "Location", ""
            ):
                response.failure(f"code refused (status {response.status_code})")
        self.applications: list[str] = []
        self.queue()

    @task(2)
    def queue(self) -> None:
        html = self.page("reviewer: queue", "/beoordeling/")
        self.applications = sorted(set(re.findall(r'/beoordeling/aanmeldingen/(\d+)"', html)))

    @task(3)
    def open_application(self) -> None:
        if self.applications:
            chosen = random.choice(self.applications)
            self.page("reviewer: application", f"/beoordeling/aanmeldingen/{chosen}")


def _figures(entry: StatsEntry) -> dict[str, float | int]:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "requests_per_second": round(entry.total_rps, 2),
        "median_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "max_ms": round(entry.max_response_time or 0),
        "average_ms": round(entry.avg_response_time, 1),
    }


@events.quitting.add_listener
def write_figures(environment, **_kwargs) -> None:
    """Figures per request name, per group and in total, with the failures, for the driver."""
    target = os.environ.get("BENCH_LOAD_STATS")
    if not target:
        return
    stats = environment.stats
    groups: dict[str, StatsEntry] = {}
    endpoints = {}
    for (name, method), entry in sorted(stats.entries.items()):
        endpoints[f"{method} {name}"] = _figures(entry)
        group = name.split(":", 1)[0]
        if group not in groups:
            groups[group] = StatsEntry(stats, group, "", use_response_times_cache=False)
        groups[group].extend(entry)
    failures = [
        {"method": f.method, "name": f.name, "error": str(f.error), "occurrences": f.occurrences}
        for f in stats.errors.values()
    ]
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "endpoints": endpoints,
                "groups": {name: _figures(entry) for name, entry in sorted(groups.items())},
                "total": _figures(stats.total),
                "failures": failures,
            },
            handle,
            indent=2,
        )
