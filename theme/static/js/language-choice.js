/* Language choice, as progressive enhancement (every page works without it):
   - a language the visitor picks by hand (language selector, chooser) is remembered;
   - at the site root only, a visitor is sent to the remembered language or, the first time,
     to the best match among the browser's languages (the same lookup as the server's).
   No other address is ever redirected. */
(function () {
  "use strict";
  var STORAGE_KEY = "portal-language";
  var COOKIE = "nf_lang"; /* plugins/serving/policy.py LANGUAGE_COOKIE; nginx reads it too */
  var YEAR = 365 * 24 * 60 * 60;

  function rootPath() {
    var canonical = document.querySelector('link[rel="canonical"]');
    if (document.body && document.body.classList.contains("language-chooser") && canonical) {
      return new URL(canonical.href, document.baseURI).pathname;
    }
    return null;
  }

  /* The site's root path: the chooser's own, or above the language home the header links to. */
  function cookiePath() {
    var root = rootPath();
    if (root) {
      return root;
    }
    var home = document.querySelector(".site-name");
    if (home) {
      return new URL(home.getAttribute("href"), document.baseURI).pathname.replace(/[^/]+\/$/, "");
    }
    return "/";
  }

  function remember(lang) {
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (error) {
      /* storage disabled: the cookie still works */
    }
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      COOKIE + "=" + encodeURIComponent(lang) + "; path=" + cookiePath() +
      "; max-age=" + YEAR + "; SameSite=Lax" + secure;
  }

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null;
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[hreflang]") : null;
    if (link && link.closest(".language-list, .chooser-list")) {
      remember(link.getAttribute("hreflang"));
    }
  });

  var root = rootPath();
  if (root === null || window.location.pathname !== root) {
    return;
  }
  var links = document.querySelectorAll(".chooser-list a[hreflang]");
  var byLanguage = {};
  var available = [];
  for (var i = 0; i < links.length; i++) {
    var code = links[i].getAttribute("hreflang");
    byLanguage[code] = links[i].href;
    available.push(code);
  }
  var target = remembered();
  if (!target || !byLanguage.hasOwnProperty(target)) {
    var lookup = window.PortalLanguageLookup;
    var languages = navigator.languages && navigator.languages.length
      ? navigator.languages
      : [navigator.language || ""];
    target = lookup ? lookup.lookup(lookup.fromList(languages), available, null) : null;
  }
  if (target && byLanguage.hasOwnProperty(target)) {
    window.location.replace(byLanguage[target]);
  }
})();
