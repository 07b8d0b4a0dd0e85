// OpenDPM's own document only: no URL box and no ?url= (queryConfigEnabled stays off), so the page cannot be
// pointed at another document. Calls from the page need the API's credentials (Authorize, HTTP Basic).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "./openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
