/* The little the workflow pages need from JavaScript; every page also works without it.
 * - directive form: "add a task / sub-item row" copies the <template> row with the next free index,
 *   "remove" drops a row, a sub-item row is indented;
 * (a form with data-confirm asks before it is sent: page.js, on every page) */
(function () {
  "use strict";

  var form = document.querySelector("[data-directive-form]");
  var template = document.getElementById("task-row-template");
  if (!form || !template) {
    return;
  }
  var list = form.querySelector("[data-task-rows]");

  function rows() {
    return list.querySelectorAll("[data-task-row]");
  }

  function levelOf(row) {
    return row.querySelector("select[name$='-level']");
  }

  function mark(row) {
    var level = levelOf(row);
    row.classList.toggle("task-row-sub", !!level && level.value === "1");
  }

  function renumber() {
    rows().forEach(function (row, position) {
      row.querySelector("[data-row-number]").textContent = String(position + 1);
    });
  }

  function nextIndex() {
    var next = 0;
    rows().forEach(function (row) {
      var index = parseInt(row.getAttribute("data-index"), 10);
      if (!isNaN(index) && index >= next) {
        next = index + 1;
      }
    });
    return next;
  }

  function addRow(level) {
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__i__/g, String(nextIndex())).trim();
    var row = holder.firstElementChild;
    list.appendChild(row);
    levelOf(row).value = level === "1" ? "1" : "0";
    mark(row);
    renumber();
    row.querySelector("input[name$='-label']").focus();
  }

  function clearRow(row) {
    row.querySelectorAll("input, textarea").forEach(function (field) {
      field.value = "";
    });
    row.querySelectorAll("select").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        option.selected = option.defaultSelected = false;
      });
      select.selectedIndex = select.multiple ? -1 : 0;
    });
    mark(row);
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute("data-add-row"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-task-row]");
      if (rows().length > 1) {
        row.remove();
      } else {
        clearRow(row); // the form keeps one row to type into
      }
      renumber();
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-level']")) {
      mark(event.target.closest("[data-task-row]"));
    }
  });
})();
