/* Language negotiation: RFC 4647 lookup over Accept-Language ranges (RFC 9110 quality values).
   The same algorithm as plugins/serving/negotiation.py; nginx runs this file too (njs), so it
   stays within what njs understands: var, function declarations, no DOM. */
var PortalLanguageLookup = (function () {
  "use strict";
  var RANGE = /^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/;
  var QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

  /* Return [{range, quality, position}] for the valid entries of an Accept-Language header. */
  function parse(header) {
    var ranges = [];
    var items = String(header || "").split(",");
    for (var i = 0; i < items.length; i++) {
      var parts = items[i].split(";");
      var tag = parts[0].trim();
      if (!tag || !RANGE.test(tag)) {
        continue;
      }
      var quality = 1;
      var valid = true;
      for (var j = 1; j < parts.length; j++) {
        var parameter = parts[j];
        var equals = parameter.indexOf("=");
        var name = (equals < 0 ? parameter : parameter.slice(0, equals)).trim().toLowerCase();
        if (name === "q") {
          var value = equals < 0 ? "" : parameter.slice(equals + 1).trim();
          if (!QVALUE.test(value)) {
            valid = false;
            break;
          }
          quality = parseFloat(value);
        }
      }
      if (valid) {
        ranges.push({ range: tag.toLowerCase(), quality: quality, position: ranges.length });
      }
    }
    return ranges;
  }

  /* Return the ranges of a browser's ordered language list (navigator.languages). */
  function fromList(languages) {
    var ranges = [];
    for (var i = 0; i < languages.length; i++) {
      var tag = String(languages[i]);
      if (RANGE.test(tag)) {
        ranges.push({ range: tag.toLowerCase(), quality: 1, position: ranges.length });
      }
    }
    return ranges;
  }

  /* Return tag and each shorter tag lookup falls back to ("de-at" -> "de"). */
  function truncations(tag) {
    var subtags = tag.split("-");
    var result = [];
    while (subtags.length) {
      result.push(subtags.join("-"));
      subtags.pop();
      if (subtags.length >= 2 && subtags[subtags.length - 1].length === 1) {
        subtags.pop();
      }
    }
    return result;
  }

  /* Return the language of `available` that best matches `ranges`, or null. */
  function lookup(ranges, available, defaultLanguage) {
    var offered = {};
    for (var i = 0; i < available.length; i++) {
      offered[available[i].toLowerCase()] = available[i];
    }
    var excluded = {};
    var ordered = [];
    for (var k = 0; k < ranges.length; k++) {
      if (ranges[k].quality === 0) {
        excluded[ranges[k].range] = true;
      } else {
        ordered.push(ranges[k]);
      }
    }
    ordered.sort(function (a, b) {
      return b.quality - a.quality || a.position - b.position;
    });
    var fallback = String(defaultLanguage || "").toLowerCase();
    for (var m = 0; m < ordered.length; m++) {
      if (ordered[m].range === "*") {
        if (offered.hasOwnProperty(fallback) && !excluded.hasOwnProperty(fallback)) {
          return offered[fallback];
        }
        continue;
      }
      var candidates = truncations(ordered[m].range);
      for (var n = 0; n < candidates.length; n++) {
        if (offered.hasOwnProperty(candidates[n]) && !excluded.hasOwnProperty(candidates[n])) {
          return offered[candidates[n]];
        }
      }
    }
    return null;
  }

  return { parse: parse, fromList: fromList, lookup: lookup };
})();
