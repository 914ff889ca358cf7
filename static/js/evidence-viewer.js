/* Evidence beside the answer (issue 18). A link marked data-evidence-panel (the review grid's
   evidence links, templates/review/_evidence.html) opens the evidence viewer in a panel beside
   the grid instead of a page of its own: the viewer page is fetched (which records that the
   reviewer opened the document) and the part of it marked data-evidence-viewer is shown.
   The panel is a non-modal <dialog>, so the grid stays usable beside it: focus moves to its
   heading (the document's name), Escape or its close button closes it, and focus returns to the
   link that opened it. Without JavaScript, or when the viewer cannot be fetched, the link opens
   the viewer page itself, which has a link back. */
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function" || !window.fetch || !window.DOMParser) {
    return;
  }
  var container = document.getElementById("inhoud") || document.body;
  var panel = null;
  var heading = null;
  var closeButton = null;
  var body = null;
  var trigger = null;

  function close() {
    if (panel !== null && panel.open) {
      panel.close();
    }
  }

  function build() {
    panel = document.createElement("dialog");
    panel.className = "evidence-panel";
    panel.setAttribute("aria-labelledby", "evidence-panel-title");
    var bar = document.createElement("div");
    bar.className = "evidence-panel-bar";
    heading = document.createElement("h2");
    heading.id = "evidence-panel-title";
    heading.tabIndex = -1;
    closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.className = "button secondary evidence-panel-close";
    closeButton.addEventListener("click", close);
    bar.appendChild(heading);
    bar.appendChild(closeButton);
    body = document.createElement("div");
    body.className = "evidence-panel-body";
    panel.appendChild(bar);
    panel.appendChild(body);
    panel.addEventListener("click", function (event) {
      if (event.target.closest("[data-evidence-close]")) {
        event.preventDefault();
        close();
      }
    });
    panel.addEventListener("close", function () {
      document.body.classList.remove("evidence-panel-open");
      body.replaceChildren();
      if (trigger !== null && document.contains(trigger)) {
        trigger.focus();
      }
    });
    container.appendChild(panel);
  }

  function show(link, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var viewer = page.querySelector("[data-evidence-viewer]");
    var title = page.getElementById("evidence-title");
    if (viewer === null || title === null) {
      throw new Error("no evidence viewer in the page");
    }
    if (panel === null) {
      build();
    }
    heading.textContent = title.textContent;
    closeButton.textContent = viewer.getAttribute("data-close-label") || "×";
    body.replaceChildren(document.importNode(viewer, true));
    trigger = link;
    document.body.classList.add("evidence-panel-open");
    if (!panel.open) {
      panel.show();
    }
    panel.scrollTop = 0;
    heading.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-evidence-panel]") : null;
    if (link === null || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        show(link, html);
      })
      .catch(function () {
        window.location.href = link.href;
      });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || panel === null || !panel.open) {
      return;
    }
    // Escape in a field of the grid is the field's own (a select's list, an autocomplete).
    var target = event.target;
    if (!panel.contains(target) && target.closest && target.closest("input, select, textarea")) {
      return;
    }
    event.preventDefault();
    close();
  });
})();
