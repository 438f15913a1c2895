// The format of the portal's Markdown pages, for the browser editor (Decap CMS) at /admin/.
//
// A page starts with `Key: value` metadata lines, the header of Python-Markdown's meta
// extension that the build reads (plugins/portal_core/page_metadata.py): optionally between
// `---` lines, continuation lines indented by four spaces, ended by the first blank line. Decap's
// own front-matter formats read and write YAML, whose quoting ("Title: 'A: b'") the build would
// keep as part of the value; this format reads and writes the header exactly as the build does,
// so a page saved in the editor is byte for byte what a person would have typed.
//
// Served as /admin/page-format.js after Decap's bundle (plugins/serving/editor.py); also loaded
// by tests/test_editor_format.py with node, which checks it against the build's parser on every
// page of the site.
(function (root) {
  "use strict";

  var NAME = "pelican-page";
  var EXTENSION = "md";
  var META_LINE = /^[ ]{0,3}([A-Za-z0-9_-]+):\s*(.*)$/;
  var META_MORE = /^[ ]{4,}(.*)$/;
  var BEGIN = /^-{3}(\s.*)?$/;
  var END = /^(-{3}|\.{3})(\s.*)?$/;
  var BODY = "body";

  // Return {key: value, ..., body: text} of a page; keys lower-cased, continuation lines
  // joined by newlines, as page_metadata.parse_page reads them.
  function fromFile(text) {
    var lines = String(text).replace(/^\ufeff/, "").replace(/\r\n?/g, "\n").split("\n");
    var data = {};
    var index = lines.length && BEGIN.test(lines[0]) ? 1 : 0;
    var key = null;
    var found = false;
    for (; index < lines.length; index++) {
      var line = lines[index];
      if (line.trim() === "" || END.test(line)) {
        index++;
        break;
      }
      var match = META_LINE.exec(line);
      var more = META_MORE.exec(line);
      if (match) {
        key = match[1].toLowerCase();
        data[key] = key in data ? data[key] + "\n" + match[2].trim() : match[2].trim();
        found = true;
      } else if (more && key) {
        data[key] += "\n" + more[1].trim();
      } else {
        break;
      }
    }
    data[BODY] = found ? lines.slice(index).join("\n") : lines.join("\n");
    return data;
  }

  // "translation-method" -> "Translation-Method", the spelling of the site's pages.
  function spelled(key) {
    return key
      .split("-")
      .map(function (part) {
        return part.charAt(0).toUpperCase() + part.slice(1);
      })
      .join("-");
  }

  // The lines of one value: trimmed, blank ones left out (a blank line would end the header).
  function valueLines(value) {
    return String(value)
      .replace(/\r\n?/g, "\n")
      .split("\n")
      .map(function (line) {
        return line.trim();
      })
      .filter(function (line) {
        return line !== "";
      });
  }

  // Return the text of a page: the header in the editor's field order, then a blank line and
  // the body. A field left empty (an optional one cleared in the editor) is left out, as a
  // person would leave it out, never written as an empty value.
  function toFile(data, sortedKeys) {
    var keys = (sortedKeys || []).filter(function (key) {
      return key !== BODY && Object.prototype.hasOwnProperty.call(data, key);
    });
    Object.keys(data).forEach(function (key) {
      if (key !== BODY && keys.indexOf(key) < 0) keys.push(key);
    });
    var header = [];
    keys.forEach(function (key) {
      var value = data[key];
      if (value === null || value === undefined) return;
      var lines = valueLines(value);
      if (!lines.length) return;
      header.push(spelled(key) + ": " + lines[0]);
      lines.slice(1).forEach(function (line) {
        header.push("    " + line);
      });
    });
    var body = data[BODY] === null || data[BODY] === undefined ? "" : String(data[BODY]);
    body = body.replace(/\r\n?/g, "\n");
    if (!header.length) return body;
    return header.join("\n") + "\n\n" + body;
  }

  var format = { fromFile: fromFile, toFile: toFile };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = { NAME: NAME, EXTENSION: EXTENSION, fromFile: fromFile, toFile: toFile };
  }
  if (root.CMS) {
    root.CMS.registerCustomFormat(NAME, EXTENSION, format);
  }
})(typeof window !== "undefined" ? window : globalThis);
