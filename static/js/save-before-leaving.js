/* Save before leaving (issue 17): on a form marked data-save-before-leaving, once something in it
   has changed, following a link on this site posts the form instead, with the link's target in
   its hidden field `volgende`; the page saves the draft and then goes there. Another form on the
   page (the language switch, logging out) waits until the draft is saved, then posts.
   Without JavaScript links leave as they always did. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-save-before-leaving]");
  if (!form) {
    return;
  }
  var changed = false;
  var leaving = false;
  function markChanged() {
    changed = true;
  }
  form.addEventListener("input", markChanged);
  form.addEventListener("change", markChanged);
  form.addEventListener("submit", function () {
    leaving = true;
  });

  function nextField() {
    var field = form.querySelector("input[name=volgende]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "volgende";
      form.appendChild(field);
    }
    return field;
  }

  document.addEventListener("click", function (event) {
    if (!changed || leaving || event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // a new tab or window: this page stays, and so does the form
    }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || form.contains(link) && link.getAttribute("href").charAt(0) === "#") {
      return;
    }
    if ((link.target && link.target !== "_self") || link.hasAttribute("download")) {
      return;
    }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) {
      return;
    }
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) {
      return; // a place on this page (the skip link)
    }
    event.preventDefault();
    leaving = true;
    nextField().value = url.pathname + url.search + url.hash;
    form.submit();
  });

  // Other forms on the page: save the draft first (without following its redirect), then post.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form || !changed || leaving || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    leaving = true;
    var data = new FormData(form);
    data.set("volgende", window.location.pathname + window.location.search);
    window.fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",
      keepalive: false
    }).catch(function () {
      return null;
    }).then(function () {
      HTMLFormElement.prototype.submit.call(other);
    });
  }, true);
})();
