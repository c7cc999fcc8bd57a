/* Start Swagger UI on the API docs page; the spec URL and options come from the container's data attributes,
 * so that the page needs no inline script. */
(function () {
  "use strict";

  window.addEventListener("load", function () {
    var container = document.getElementById("swagger-ui-container");
    var config = JSON.parse(container.getAttribute("data-config") || "{}");
    config.url = container.getAttribute("data-spec-url");
    config.dom_id = "#swagger-ui-container";
    window.ui = window.SwaggerUIBundle(config);
  });
})();
