/* Search page: mounts Pagefind's interface (pagefind/pagefind-ui.js) in the page's language.
   Pagefind keeps one index per <html lang>; a language without pages of its own has no index,
   and Pagefind would silently search another language's, so the page offers the English
   search instead. ?q=words starts a search. */
(function () {
  "use strict";
  var container = document.getElementById("search");
  if (!container || typeof window.PagefindUI !== "function" || !window.fetch) {
    return;
  }
  var needsScript = document.getElementById("search-needs-script");
  var unavailable = document.getElementById("search-unavailable");
  var sourceLink = document.getElementById("search-in-source");
  var bundle = container.getAttribute("data-bundle");
  var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
  var query = new URLSearchParams(window.location.search).get("q") || "";
  if (needsScript) {
    needsScript.hidden = true; // the script runs, so the no-script notice is not true here
  }

  window
    .fetch(bundle + "pagefind-entry.json")
    .then(function (response) {
      return response.json();
    })
    .then(function (entry) {
      if (!entry.languages || !Object.prototype.hasOwnProperty.call(entry.languages, lang)) {
        if (sourceLink && query) {
          sourceLink.href += "?q=" + encodeURIComponent(query);
        }
        unavailable.hidden = false;
        return;
      }
      var ui = new window.PagefindUI({
        element: "#search",
        bundlePath: bundle,
        showImages: false,
        showSubResults: true,
        autofocus: !query
      });
      if (query) {
        ui.triggerSearch(query);
      }
    })
    .catch(function (error) {
      unavailable.hidden = false;
      window.console.error("search is not available:", error);
    });
})();
