/* Show a part of a form only when a choice asks for it (the GOV.UK "conditional reveal"):
   an element with data-reveal-for="<radio name>" and data-reveal-value="<value>" is hidden
   while another value of that radio is chosen, or none (unless the address points into it).
   Without JavaScript everything stays visible. */
(function () {
  "use strict";
  var parts = document.querySelectorAll("[data-reveal-for]");
  Array.prototype.forEach.call(parts, function (part) {
    var name = part.getAttribute("data-reveal-for");
    var value = part.getAttribute("data-reveal-value");
    var radios = document.querySelectorAll('input[type=radio][name="' + name + '"]');
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    var pointedAt = target !== null && part.contains(target);
    function update() {
      var chosen = null;
      Array.prototype.forEach.call(radios, function (radio) {
        if (radio.checked) {
          chosen = radio.value;
        }
      });
      part.hidden = chosen !== value && !(chosen === null && pointedAt);
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.setAttribute("aria-controls", part.id);
      radio.addEventListener("change", update);
    });
    update();
  });
})();
