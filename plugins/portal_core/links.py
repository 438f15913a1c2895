"""Internal links written as ``{filename}path.md`` in Markdown, resolved to page URLs.

A link to a page that is not translated into the linking page's language still points to that
language's URL: the page exists there as an English fallback, so readers stay in their language.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .errors import PortalError
from .page_tree import page_url

LINK = re.compile(r"\{filename\}([^\s)\]>\"'#?]+)([#?][^\s)\]>\"']*)?")


def resolve_links(
    text: str, source: Path, content_root: Path, source_lang: str, siteurl: str
) -> str:
    """Replace every ``{filename}`` link in `text` with the URL of the page it names.

    The target must exist in the linking page's language or in the source language; otherwise
    a PortalError names the file, the line and the missing target.
    """
    content_root = Path(content_root).resolve()
    relative_dir = Path(source).resolve().parent.relative_to(content_root).as_posix()

    def replace(match: re.Match) -> str:
        target, suffix = match.group(1), match.group(2) or ""
        if target.startswith("/"):
            joined = posixpath.normpath(target.lstrip("/"))
        else:
            joined = posixpath.normpath(posixpath.join(relative_dir, target))
        parts = joined.split("/")
        line = text.count("\n", 0, match.start()) + 1
        if len(parts) < 2 or not joined.endswith(".md") or joined.startswith(".."):
            raise PortalError(
                source,
                f"link {{filename}}{target} does not name a Markdown page inside content/",
                line,
            )
        lang, path = parts[0], "/".join(parts[1:])[: -len(".md")]
        in_lang = content_root / joined
        in_source = content_root / source_lang / f"{path}.md"
        if not in_lang.is_file() and not in_source.is_file():
            raise PortalError(
                source,
                f"broken link {{filename}}{target}: neither content/{joined} nor "
                f"content/{source_lang}/{path}.md exists; fix the path or create the page",
                line,
            )
        return f"{siteurl}/{page_url(path, lang)}{suffix}"

    return LINK.sub(replace, text)
