"""Facts that are the same in every language, written in content as ``{{name}}`` placeholders."""

import re

from .errors import PortalError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def substitute_facts(text: str, facts: dict[str, str], path: str) -> str:
    """Replace every ``{{name}}`` in `text` with ``facts[name]``.

    An unknown name is a PortalError naming the file, the line and the known names.
    """

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in facts:
            line = text.count("\n", 0, match.start()) + 1
            known = ", ".join(sorted(facts))
            raise PortalError(
                path,
                f"unknown placeholder {{{{{name}}}}}; use one of: {known} "
                "(or add it to FACTS in pelicanconf.py)",
                line,
            )
        return facts[name]

    return PLACEHOLDER.sub(replace, text)
