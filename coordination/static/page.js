/* Small page behaviours that used to be inline handlers (the Content-Security-Policy allows no inline script):
 * - [data-select-on-click]: a click selects the field's text (the calendar link, to copy it);
 * - [data-print]: a click opens the browser's print dialog (the compliance report);
 * - form[data-confirm]: asks before the form is sent (activate, close, merge, delete a row). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) {
      return;
    }
    var field = target.closest("[data-select-on-click]");
    if (field && typeof field.select === "function") {
      field.select();
    }
    if (target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
