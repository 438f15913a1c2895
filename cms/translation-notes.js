// Translation notes for texts written in the browser editor (Decap CMS) at /admin/.
//
// A record's text in a language other than English needs a note saying how it was made and
// from which English text (translations: fi: {method: human, source: <hash>}); without one the
// build stops, and a translator in the browser cannot run `make l10n-stamp`. Before a news
// item, event or supporter is saved, this script gives every language that has text and no
// note the note `make l10n-stamp METHOD=human` would write: the first 12 hexadecimal digits of
// the SHA-256 of the English text (plugins/directory/record_translations.py, source_text).
// A note already there is left as it is, so a changed English text still shows as outdated.
//
// The fields each kind of record translates come from translated-fields.json, written with
// cms/config.yml by `make cms-config`. tests/test_editor_format.py runs this file in node and
// compares its hashes with the build's on every record of the site.
(function (root) {
  "use strict";

  var SOURCE = "en";
  var HASH_LENGTH = 12;
  var METHOD = "human";
  var NOTES = "translations";
  var PARAGRAPH_BREAK = /\n[ \t]*\n/;

  function isText(value) {
    return typeof value === "string" && value.trim() !== "";
  }

  // White space inside a paragraph made one space, paragraphs kept (as _normalised does).
  function normalised(text) {
    return String(text)
      .split(PARAGRAPH_BREAK)
      .map(function (part) {
        return part.split(/\s+/).filter(Boolean).join(" ");
      })
      .filter(Boolean)
      .join("\n\n");
  }

  // The English text a record's translations are made from, field by field.
  function sourceText(data, fields) {
    var parts = [];
    fields.forEach(function (name) {
      var text = data[name];
      if (text && isText(text[SOURCE])) parts.push(name + ": " + normalised(text[SOURCE]));
    });
    return parts.join("\n") + "\n";
  }

  function sourceHash(data, fields) {
    var bytes = new TextEncoder().encode(sourceText(data, fields));
    return root.crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      return Array.from(new Uint8Array(digest))
        .map(function (byte) {
          return byte.toString(16).padStart(2, "0");
        })
        .join("")
        .slice(0, HASH_LENGTH);
    });
  }

  function hasNote(notes, lang) {
    var note = notes && notes[lang];
    return Boolean(note && (isText(note.method) || isText(note.source)));
  }

  // Return the languages with text in one of `fields` and no note, in the order first met.
  function unnoted(data, fields) {
    var found = [];
    fields.forEach(function (name) {
      Object.keys(data[name] || {}).forEach(function (lang) {
        if (lang === SOURCE || found.indexOf(lang) >= 0) return;
        if (isText(data[name][lang]) && !hasNote(data[NOTES], lang)) found.push(lang);
      });
    });
    return found;
  }

  // Return the record's notes with one for each language that lacks it, or null if none does.
  function stampedNotes(data, fields) {
    var langs = unnoted(data, fields);
    if (!langs.length) return Promise.resolve(null);
    return sourceHash(data, fields).then(function (hash) {
      var notes = {};
      Object.keys(data[NOTES] || {}).forEach(function (lang) {
        if (hasNote(data[NOTES], lang)) notes[lang] = data[NOTES][lang];
      });
      langs.forEach(function (lang) {
        notes[lang] = { method: METHOD, source: hash };
      });
      return notes;
    });
  }

  var exported = {
    sourceText: sourceText,
    sourceHash: sourceHash,
    unnoted: unnoted,
    stampedNotes: stampedNotes,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = exported;

  if (root.CMS && root.fetch) {
    var translated = root.fetch("translated-fields.json").then(function (response) {
      return response.json();
    });
    root.CMS.registerEventListener({
      name: "preSave",
      handler: function (event) {
        var entry = event.entry;
        return translated.then(function (fieldsOf) {
          var fields = fieldsOf[entry.get("collection")];
          if (!fields) return undefined;
          var data = entry.get("data");
          return stampedNotes(data.toJS(), fields).then(function (notes) {
            return notes ? data.set(NOTES, notes) : undefined;
          });
        });
      },
    });
  }
})(typeof window !== "undefined" ? window : globalThis);
