// Instant filter and name search for the supporter directory (progressive enhancement).
// Without JavaScript the directory is a plain table with links by country, type and status;
// with it, the hidden search form is shown and filters the table's rows using the page
// language's JSON index (data-index on the form). Text is only ever set with textContent.
(function () {
  "use strict";

  var form = document.getElementById("directory-search");
  var table = document.getElementById("supporter-table");
  if (!form || !table || !window.fetch) {
    return;
  }

  function fold(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  fetch(form.getAttribute("data-index"))
    .then(function (response) {
      if (!response.ok) {
        throw new Error("index " + response.status);
      }
      return response.json();
    })
    .then(function (index) {
      var rows = {};
      table.querySelectorAll("tbody tr[data-id]").forEach(function (row) {
        rows[row.getAttribute("data-id")] = row;
      });
      var query = form.querySelector("[name=q]");
      var country = form.querySelector("[name=country]");
      var type = form.querySelector("[name=type]");
      var status = form.querySelector("[name=status]");
      var found = document.getElementById("directory-found");

      function apply() {
        var words = fold(query.value).split(/\s+/).filter(Boolean);
        var shown = 0;
        index.supporters.forEach(function (supporter) {
          var match =
            (!country.value || supporter.country === country.value) &&
            (!type.value || supporter.type === type.value) &&
            (!status.value || supporter.status === status.value) &&
            words.every(function (word) {
              return supporter.match.indexOf(word) !== -1;
            });
          var row = rows[supporter.id];
          if (row) {
            row.hidden = !match;
          }
          if (match) {
            shown += 1;
          }
        });
        found.textContent = index.found[shown];
      }

      form.addEventListener("input", apply);
      form.addEventListener("change", apply);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        apply();
      });
      form.hidden = false;
      apply();
    })
    .catch(function () {
      form.hidden = true;
    });
})();
