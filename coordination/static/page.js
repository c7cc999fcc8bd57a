/* Small page behaviours that used to be inline handlers (the Content-Security-Policy allows no inline script):
 * - [data-select-on-click]: a click selects the field's text (the calendar link, to copy it);
 * - [data-print]: a click opens the browser's print dialog (the compliance report);
 * - form[data-confirm]: asks before the form is sent (activate, close, merge, delete a row);
 * - [data-export-job]: an export made in the background; its state is polled until it is done or failed. */
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

  var job = document.querySelector("[data-export-job]");
  if (job && window.fetch) {
    var part = function (name) {
      return job.querySelector("[data-job-" + name + "]");
    };
    var poll = function () {
      fetch(job.getAttribute("data-export-job"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (!state) {
            return;
          }
          var bar = part("bar");
          bar.style.width = state.progress.percent + "%";
          bar.setAttribute("aria-valuenow", state.progress.percent);
          bar.textContent = Math.round(state.progress.percent) + "%";
          part("status").textContent = state.status_label;
          part("progress").textContent = state.progress.text;
          if (state.status === "failed") {
            part("error").textContent = state.error || "";
            part("error").classList.remove("d-none");
          }
          if (state.file_url) {
            part("download").querySelector("a").setAttribute("href", state.file_url);
            part("download").classList.remove("d-none");
          }
          if (state.status === "queued" || state.status === "running") {
            window.setTimeout(poll, 2000);
          } else {
            part("refresh").classList.add("d-none");
          }
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    };
    var status = job.getAttribute("data-status");
    if (status === "queued" || status === "running") {
      window.setTimeout(poll, 1000);
    }
  }
})();
