/* The import review page: selecting a task row highlights its text in the original beside the form.
 * The text is found by its first words, whatever the line and page breaks between them. */
(function () {
  "use strict";

  var source = document.querySelector("[data-import-source]");
  var form = document.querySelector("[data-import-review]");
  if (!source || !form) {
    return;
  }
  var original = source.textContent;

  function escape(word) {
    return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function find(text) {
    var words = (text || "").split(/\s+/).filter(Boolean).slice(0, 8);
    while (words.length >= 2) {
      var match = new RegExp(words.map(escape).join("[\\s*_~|#>-]+"), "i").exec(original);
      if (match) {
        return match;
      }
      words.pop();
    }
    return null;
  }

  function highlight(row) {
    var text = row.querySelector("textarea[name$='-text']");
    var match = text && find(text.value);
    source.textContent = original;
    if (!match) {
      return;
    }
    // From the first words to the end of their paragraph: the task as the original prints it.
    var end = original.indexOf("\n\n", match.index + match[0].length);
    end = end < 0 ? original.length : end;
    var mark = document.createElement("mark");
    mark.className = "import-highlight";
    mark.textContent = original.slice(match.index, end);
    source.textContent = "";
    source.appendChild(document.createTextNode(original.slice(0, match.index)));
    source.appendChild(mark);
    source.appendChild(document.createTextNode(original.slice(end)));
    source.scrollTop = Math.max(0, mark.offsetTop - source.offsetTop - 40);
  }

  form.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-task-row]");
    if (row) {
      highlight(row);
    }
  });
})();
