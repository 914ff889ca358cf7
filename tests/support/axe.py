"""Every page a browser test visits is checked by axe-core (WCAG 2.1 A and AA rules).

Each document the browser loads audits itself: axe-core is added to every page as an init
script and runs when the page has loaded. Before any action that can leave a page (a click,
a key press, `goto`), the test waits for that audit and collects its result, so no page escapes
the check however quickly a test moves on; the last page is collected when the test ends. Forms
are thus checked as the user filled them in, and pages answering a POST (a refused form with
its error summary) are checked too. Playwright's route handlers cannot wait on the page in the
synchronous API, hence the wrapped actions.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error, Keyboard, Locator, Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

SELF_AUDIT = """
window.__auditId = Math.random().toString(36).slice(2);
window.__audit = new Promise((resolve) => {
  const run = () => {
    if (document.contentType !== "text/html" || typeof axe === "undefined") { resolve([]); return; }
    axe.run(document, {runOnly: {type: "tag", values: __TAGS__}, resultTypes: ["violations"]})
      .then((results) => resolve(results.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
        }))),
        (error) => resolve([{id: "axe-error", help: String(error), nodes: []}]));
  };
  if (document.readyState === "complete") run();
  else window.addEventListener("load", run, {once: true});
});
""".replace("__TAGS__", json.dumps(WCAG_21_AA))

COLLECT = """() => window.__audit
  ? window.__audit.then((violations) => ({id: window.__auditId, url: location.href, violations}))
  : null"""

ACTIVE: list[AxeAudit] = []


@dataclass
class AxeAudit:
    """Collects axe violations for every document shown in one browser page."""

    page: Page
    audited: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def attach(self) -> AxeAudit:
        install_waits()
        self.page.add_init_script(AXE_SCRIPT + "\n" + SELF_AUDIT)
        ACTIVE.append(self)
        return self

    def detach(self) -> None:
        if self in ACTIVE:
            ACTIVE.remove(self)

    def collect(self) -> None:
        """Wait for the audit of the document on screen and keep its result (once)."""
        if self.page.is_closed() or not self.page.url.startswith("http"):
            return
        for _attempt in range(3):
            try:
                result = self.page.evaluate(COLLECT)
                break
            except Error:  # the document was replaced while we asked: ask the new one
                self.page.wait_for_load_state()
        else:
            raise AssertionError(f"axe-core could not audit {self.page.url}")
        if not result or result["id"] in self._seen:
            return
        self._seen.add(result["id"])
        self.audited.append(result["url"])
        for violation in result["violations"]:
            self.violations.append({"url": result["url"], **violation})

    def report(self) -> str:
        lines = []
        for v in self.violations:
            lines.append(f"{v['url']}: {v['id']} ({v.get('impact')}) {v.get('help')}")
            lines.extend(f"    {node}" for node in v.get("nodes", []))
        return "\n".join(lines)


def collect_all() -> None:
    for audit in list(ACTIVE):
        audit.collect()


def _collect_first(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        collect_all()
        return method(*args, **kwargs)

    vars(wrapper)["__audit_wrapped__"] = True
    return wrapper


# The actions through which a test can leave a page.
LEAVING_ACTIONS = {
    Locator: ("click", "dblclick", "press", "press_sequentially", "tap", "dispatch_event"),
    Page: ("goto", "click", "reload", "go_back", "go_forward", "press"),
    Keyboard: ("press", "type"),
}


def install_waits() -> None:
    for cls, names in LEAVING_ACTIONS.items():
        for name in names:
            method = getattr(cls, name)
            if not getattr(method, "__audit_wrapped__", False):
                setattr(cls, name, _collect_first(method))
