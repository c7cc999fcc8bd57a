/* Type-to-search pickers with chips, on Tom Select (static/vendor/tom-select, see its README.md).
 *
 * - select[data-picker="agencies"]: an agency choice of a form; the options come grouped by level
 *   (cấp tỉnh / huyện / xã) in Vietnamese order; an option's data-search (short name, aliases) is
 *   searched too; chosen agencies stay visible as chips;
 * - select[data-picker="search"]: a long filter choice, searched among the options the page has;
 * - select[data-picker="remote"]: a choice too long to embed (the directives): the page holds a few, the
 *   rest come from data-picker-url (JSON {results: [{value, text, search}], more}) page by page.
 *
 * Searching ignores diacritics and đ ("tu phap" finds "Sở Tư pháp", "dong son" finds "xã Đông Sơn").
 * Texts come translated from the attributes of this script's tag. Without JavaScript the selects work as
 * they are. No inline script anywhere: this file is loaded by admin/app_base.html. */
(function () {
  "use strict";

  if (typeof window.TomSelect !== "function") {
    return;
  }
  var script = document.currentScript;
  var texts = {
    noResults: (script && script.getAttribute("data-no-results")) || "—",
    loading: (script && script.getAttribute("data-loading")) || "…",
    remove: (script && script.getAttribute("data-remove")) || "×",
    more: (script && script.getAttribute("data-more")) || "…"
  };

  function fold(text) {
    return String(text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  // Every word typed must occur in the folded name; the order stays the server's (Vietnamese collation).
  function score(search) {
    var words = fold(search).split(" ").filter(Boolean);
    return function (item) {
      if (!words.length) {
        return 1;
      }
      var haystack = item.$fold || (item.$fold = fold((item.search || "") + " " + item.text));
      for (var i = 0; i < words.length; i++) {
        if (haystack.indexOf(words[i]) < 0) {
          return 0;
        }
      }
      return 1;
    };
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  var render = {
    no_results: function () {
      return '<div class="no-results">' + escapeHtml(texts.noResults) + "</div>";
    },
    loading: function () {
      return '<div class="spinner" role="status"><span class="sr-only">' + escapeHtml(texts.loading) + "</span></div>";
    },
    loading_more: function () {
      return '<div class="loading-more-results py-2 d-flex align-items-center">' + escapeHtml(texts.more) + "</div>";
    },
    no_more_results: function () {
      return "";
    }
  };

  function nextPageUrl(url) {
    var next = new URL(url, window.location.href);
    next.searchParams.set("page", String((parseInt(next.searchParams.get("page"), 10) || 1) + 1));
    return next.toString();
  }

  function settingsFor(select) {
    var kind = select.getAttribute("data-picker");
    var settings = {
      score: score,
      render: render,
      maxOptions: null, // a province has several hundred agencies: offer them all, grouped
      lockOptgroupOrder: true,
      sortField: [{ field: "$score", direction: "desc" }, { field: "$order" }],
      allowEmptyOption: !select.multiple,
      placeholder: select.getAttribute("data-placeholder") || "",
      plugins: {}
    };
    if (select.multiple) {
      settings.plugins.remove_button = { title: texts.remove, label: "×" };
      settings.closeAfterSelect = false;
      settings.clearAfterSelect = true; // the next name is typed into an empty box
      settings.hideSelected = true;
    }
    if (kind === "remote") {
      var base = select.getAttribute("data-picker-url");
      settings.plugins.virtual_scroll = {};
      settings.valueField = "value";
      settings.labelField = "text";
      settings.firstUrl = function (query) {
        var url = new URL(base, window.location.href);
        url.searchParams.set("q", query);
        url.searchParams.set("page", "1");
        return url.toString();
      };
      settings.load = function (query, callback) {
        var picker = this;
        var url = picker.getUrl(query);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : { results: [], more: false };
          })
          .then(function (data) {
            if (data.more) {
              picker.setNextUrl(query, nextPageUrl(url));
            }
            callback(data.results || []);
          })
          .catch(function () {
            callback();
          });
      };
    }
    return settings;
  }

  function init(select) {
    if (select.tomselect || select.closest("template")) {
      return;
    }
    var picker = new window.TomSelect(select, settingsFor(select));
    // The chips are the choice: a screen reader hears the field's own label on the typing box.
    var label = select.id && document.querySelector('label[for="' + picker.control_input.id + '"]');
    if (label && !picker.control_input.getAttribute("aria-label")) {
      picker.control_input.setAttribute("aria-label", label.textContent.trim());
    }
  }

  function initAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-picker]"), init);
  }

  initAll(document);
  // Rows added later (the directive form's "add a task") bring their own pickers.
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      Array.prototype.forEach.call(mutation.addedNodes, function (node) {
        if (node.nodeType === 1) {
          if (node.matches("select[data-picker]")) {
            init(node);
          } else {
            initAll(node);
          }
        }
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
