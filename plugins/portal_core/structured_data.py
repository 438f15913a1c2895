"""Structured data (schema.org in JSON-LD) as a page's <head> carries it.

JSON-LD sits in ``<script type="application/ld+json">``: a data block, which browsers never
run, so the strict Content-Security-Policy (``script-src 'self'``) holds and the checks'
page policy lets it pass. The text inside must not end the element early: every ``<``,
``>`` and ``&`` is written as a JSON escape (``\\u003c``...), so neither ``</script>`` nor
``<!--`` can appear whatever the records say, and a JSON parser reads the same values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from markupsafe import Markup

SCHEMA_ORG = "https://schema.org"
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def json_ld_text(data: Mapping) -> str:
    """Return `data` as JSON safe to place inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in _ESCAPES.items():
        text = text.replace(character, escape)
    return text


def json_ld_script(data: Mapping | None) -> Markup:
    """Return the <script type="application/ld+json"> element of `data` ("" for None)."""
    if not data:
        return Markup("")
    return Markup('<script type="application/ld+json">%s</script>') % Markup(json_ld_text(data))
