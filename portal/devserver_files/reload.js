// The dev server's live reload (added to pages as they are served, never to the built site):
// reload the page when a build newer than the one it shows has finished.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = script ? script.getAttribute("data-build") : null;
  var events = new EventSource("/_devserver/events");
  events.addEventListener("build", function (event) {
    if (event.data !== shown) {
      events.close();
      window.location.reload();
    }
  });
})();
