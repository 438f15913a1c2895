"""Markdown to HTML for one page: the body, the metadata lines, and the formatted fields.

This is the pure core of the reader: text in, `Converted` out, nothing read from disk. The
plain path (`convert_markdown`) builds a new Markdown instance for every page, as Pelican's own
reader does; `ReusableConverter` keeps two instances and resets them between pages, which gives
the same HTML without paying for building the extensions again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markdown import Markdown


@dataclass(frozen=True)
class Converted:
    """What Markdown made of one page."""

    html: str
    meta: dict[str, list[str]] | None  # the metadata lines, as the meta extension read them
    fields: dict[str, str]  # formatted fields (such as summary) converted to HTML, by lower name


def _formatted(md: Markdown, meta: dict[str, list[str]], formatted_fields: Iterable[str]) -> dict:
    """Convert the formatted metadata fields with `md` (its meta extension switched off)."""
    fields = {}
    wanted = set(formatted_fields)
    for name, value in meta.items():
        if name.lower() in wanted:
            md.reset()
            fields[name.lower()] = md.convert("\n".join(value))
    return fields


def convert_markdown(text: str, settings: dict, formatted_fields: Iterable[str]) -> Converted:
    """Convert one page with a Markdown instance of its own (the plain, unoptimised path)."""
    md = Markdown(**settings)
    html = md.convert(text)
    meta = getattr(md, "Meta", None)
    if meta is None:
        return Converted(html, None, {})
    md.preprocessors.deregister("meta")
    return Converted(html, meta, _formatted(md, meta, formatted_fields))


class ReusableConverter:
    """Converts page after page with two long-lived Markdown instances.

    One converts bodies (with the meta extension), the other formatted fields (without it,
    as Pelican converts them). Both are reset before every conversion, so no state passes
    from one page to the next.
    """

    def __init__(self, settings: dict, formatted_fields: Iterable[str]) -> None:
        self.settings = settings
        self.formatted_fields = tuple(formatted_fields)
        self.body = Markdown(**settings)
        self.fields = Markdown(**settings)
        if "meta" in self.fields.preprocessors:
            self.fields.preprocessors.deregister("meta")

    def convert(self, text: str) -> Converted:
        """Convert one page; the result equals `convert_markdown` on the same text."""
        self.body.reset()
        html = self.body.convert(text)
        meta = getattr(self.body, "Meta", None)
        if meta is None:
            return Converted(html, None, {})
        meta = dict(meta)
        return Converted(html, meta, _formatted(self.fields, meta, self.formatted_fields))
