"""The directory's JSON index for one language, read by the instant filter (directory-filter.js)."""

from __future__ import annotations

import json
import unicodedata

from . import urls
from .directory_pages import Directory


def folded(text: str) -> str:
    """Return `text` lower-cased without accents, as the filter compares it ("Å" -> "a")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_index(directory: Directory, lang: str, siteurl: str) -> bytes:
    """Return the JSON index of every supporter as shown in `lang`.

    Each entry has the id (the table row's data-id), the name, its folded form for matching,
    the country, type and status, and the signatories and joining date (as numbers for sorting
    and as text for showing); the country names (with their rank in the language's order) and
    type names are given once, and the pages' URLs follow from `base`: the script draws the
    table's rows from them. The entries come in the language's alphabetical order of names.
    `found` holds the result count text for every possible number of matches, with the plural
    forms of `lang`. `<`, `>` and `&` are written as \\u escapes so the file is safe even if
    served as HTML by mistake.
    """
    entries = directory.supporters(lang)
    catalogue = directory.catalogue(lang)
    total = len(entries)
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
        # the supporters' pages are below it: <id>/, country/<code>/, type/<type>/
        "base": f"{siteurl}/{urls.directory_url(lang)}",
        "countries": {
            group.key: {"name": group.label, "rank": rank}
            for rank, group in enumerate(directory.countries(lang))
        },
        "types": {group.key: catalogue.gettext(group.label) for group in directory.types(lang)},
        "supporters": [
            {
                "id": entry.id,
                "name": entry.supporter.name,
                "match": folded(f"{entry.supporter.name} {entry.supporter.city or ''}"),
                "country": entry.supporter.country,
                "type": entry.supporter.type.value,
                "status": entry.supporter.status.value,
                "overdue": entry.overdue,
                "signatories": entry.supporter.signatories,
                "signatories_text": entry.signatories,
                "joined": entry.supporter.joined.isoformat(),
                "joined_text": entry.joined,
            }
            for entry in entries
        ],
    }
    text = json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.encode("utf-8")
