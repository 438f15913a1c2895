"""The directory's JSON index for one language, read by the instant filter (directory-filter.js)."""

from __future__ import annotations

import json
import unicodedata

from .directory_pages import Directory


def folded(text: str) -> str:
    """Return `text` lower-cased without accents, as the filter compares it ("Å" -> "a")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_index(directory: Directory, lang: str, siteurl: str) -> bytes:
    """Return the JSON index of every supporter as shown in `lang`.

    Each entry has the id (the table row's data-id), the name, its folded form for matching,
    the country (its rank in the language's order of country names), type and status, the
    signatories and joining date (as numbers for sorting and as text for showing), and the
    URLs of its profile, country and type pages: the script draws the table's rows from them.
    The entries come in the language's alphabetical order of names. `found` holds the result
    count text for every possible number of matches, with the plural forms of `lang`. `<`,
    `>` and `&` are written as \\u escapes so the file is safe even if served as HTML by mistake.
    """
    entries = directory.supporters(lang)
    catalogue = directory.catalogue(lang)
    total = len(entries)
    country_rank = {group.key: rank for rank, group in enumerate(directory.countries(lang))}
    index = {
        "lang": lang,
        "total": total,
        "found": [
            catalogue.ngettext("%(num)s supporter found", "%(num)s supporters found", n)
            % {"num": directory.number(n, lang)}
            for n in range(total + 1)
        ],
        "labels": {
            "overdue": catalogue.gettext("Report overdue"),
            "active": catalogue.gettext("Active"),
            "suspended": catalogue.gettext("Suspended"),
        },
        "supporters": [
            {
                "id": entry.id,
                "name": entry.supporter.name,
                "match": folded(f"{entry.supporter.name} {entry.supporter.city or ''}"),
                "country": entry.supporter.country,
                "country_name": entry.country_name,
                "country_rank": country_rank[entry.supporter.country],
                "country_url": f"{siteurl}/{entry.country_url}",
                "type": entry.supporter.type.value,
                "type_name": catalogue.gettext(entry.supporter.type_label),
                "type_url": f"{siteurl}/{entry.type_url}",
                "status": entry.supporter.status.value,
                "overdue": entry.overdue,
                "signatories": entry.supporter.signatories,
                "signatories_text": entry.signatories,
                "joined": entry.supporter.joined.isoformat(),
                "joined_text": entry.joined,
                "url": f"{siteurl}/{entry.url}",
            }
            for entry in entries
        ],
    }
    text = json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.encode("utf-8")
