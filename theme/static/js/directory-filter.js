// Filters and sorting for the supporter directory (progressive enhancement).
// Without JavaScript the directory is a table in pages, with links by country, type, status and
// overdue report. With it, the hidden form is shown; the table shows every supporter that
// matches, drawn from the page language's JSON index (data-index on the form), in the order
// chosen. The choices live in the address (?q=&country=&type=&status=&overdue=1&sort=), so a
// filtered list can be shared as a link and the back button returns to earlier choices.
// Text is only ever set with textContent.
(function () {
  "use strict";

  var form = document.getElementById("directory-search");
  var table = document.getElementById("supporter-table");
  if (!form || !table || !window.fetch || !window.history || !window.URLSearchParams) {
    return;
  }
  var FIELDS = ["q", "country", "type", "status", "overdue", "sort"];
  var DEFAULTS = { q: "", country: "", type: "", status: "", overdue: "", sort: "name" };

  function fold(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function control(name) {
    return form.elements[name];
  }

  function valueOf(name) {
    var element = control(name);
    if (element.type === "checkbox") {
      return element.checked ? element.value : "";
    }
    return element.value;
  }

  // Set the form from the address; values the form does not offer fall back to the default.
  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      var element = control(name);
      var value = params.get(name) || DEFAULTS[name];
      if (element.type === "checkbox") {
        element.checked = value === element.value;
      } else if (element.tagName === "SELECT") {
        var offered = Array.prototype.some.call(element.options, function (option) {
          return option.value === value;
        });
        element.value = offered ? value : DEFAULTS[name];
      } else {
        element.value = value;
      }
    });
  }

  function address() {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var value = valueOf(name);
      if (value && value !== DEFAULTS[name]) {
        params.set(name, value);
      }
    });
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "") + window.location.hash;
  }

  var ORDERS = {
    name: function (a, b) {
      return a.position - b.position;
    },
    country: function (a, b) {
      return a.country_rank - b.country_rank || a.position - b.position;
    },
    signatories: function (a, b) {
      return b.signatories - a.signatories || a.position - b.position;
    },
    joined: function (a, b) {
      return (a.joined < b.joined ? 1 : a.joined > b.joined ? -1 : 0) || a.position - b.position;
    },
  };

  function cell(tag, text, href) {
    var element = document.createElement(tag);
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      element.appendChild(link);
    } else {
      element.textContent = text;
    }
    return element;
  }

  function badge(kind, text) {
    var span = document.createElement("span");
    span.className = "badge badge-" + kind;
    span.textContent = text;
    return span;
  }

  function row(supporter, index) {
    var labels = index.labels;
    var tr = document.createElement("tr");
    tr.setAttribute("data-id", supporter.id);
    var name = cell("th", supporter.name, index.base + supporter.id + "/");
    name.scope = "row";
    tr.appendChild(name);
    var country = supporter.country;
    tr.appendChild(
      cell("td", index.countries[country].name, index.base + "country/" + country.toLowerCase() + "/")
    );
    tr.appendChild(cell("td", index.types[supporter.type], index.base + "type/" + supporter.type + "/"));
    var count = cell("td", supporter.signatories_text);
    count.className = "numeric";
    tr.appendChild(count);
    var joined = document.createElement("td");
    var time = document.createElement("time");
    time.dateTime = supporter.joined;
    time.textContent = supporter.joined_text;
    joined.appendChild(time);
    tr.appendChild(joined);
    var status = document.createElement("td");
    status.appendChild(badge(supporter.status, labels[supporter.status]));
    if (supporter.overdue) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(badge("overdue", labels.overdue));
    }
    tr.appendChild(status);
    return tr;
  }

  fetch(form.getAttribute("data-index"))
    .then(function (response) {
      if (!response.ok) {
        throw new Error("index " + response.status);
      }
      return response.json();
    })
    .then(function (index) {
      index.supporters.forEach(function (supporter, position) {
        supporter.position = position;
        supporter.country_rank = index.countries[supporter.country].rank;
      });
      var body = table.tBodies[0];
      var found = document.getElementById("directory-found");
      var pagers = document.querySelectorAll(".pager");

      function apply() {
        var words = fold(valueOf("q")).split(/\s+/).filter(Boolean);
        var country = valueOf("country");
        var type = valueOf("type");
        var status = valueOf("status");
        var overdue = valueOf("overdue");
        var shown = index.supporters.filter(function (supporter) {
          return (
            (!country || supporter.country === country) &&
            (!type || supporter.type === type) &&
            (!status || supporter.status === status) &&
            (!overdue || supporter.overdue) &&
            words.every(function (word) {
              return supporter.match.indexOf(word) !== -1;
            })
          );
        });
        shown.sort(ORDERS[valueOf("sort")] || ORDERS.name);
        var rows = document.createDocumentFragment();
        shown.forEach(function (supporter) {
          rows.appendChild(row(supporter, index));
        });
        body.replaceChildren(rows);
        found.textContent = index.found[shown.length];
        if (table.caption) {
          // the count is shown above, in the form; the caption keeps it for screen readers
          table.caption.textContent = index.found[shown.length];
          table.caption.className = "visually-hidden";
        }
      }

      // A choice in a list or box is a step back can return from; typing replaces the step.
      function changed(event) {
        apply();
        var next = address();
        if (next !== window.location.pathname + window.location.search + window.location.hash) {
          if (event.type === "input" && event.target.type === "search") {
            window.history.replaceState(null, "", next);
          } else {
            window.history.pushState(null, "", next);
          }
        }
      }

      form.addEventListener("input", changed);
      form.addEventListener("change", function (event) {
        if (event.target.type !== "search") {
          changed(event);
        }
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        apply();
      });
      window.addEventListener("popstate", function () {
        readAddress();
        apply();
      });
      readAddress();
      Array.prototype.forEach.call(pagers, function (pager) {
        pager.hidden = true;
      });
      form.hidden = false;
      apply();
    })
    .catch(function () {
      form.hidden = true;
    });
})();
