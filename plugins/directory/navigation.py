"""The main menu and the footer links: content/data/navigation.yaml, checked like every record.

The file lists page paths (the path below content/<lang>/, without .md): `main` is the menu in
every page's header, `footer` the links at the foot of every page, each in its order. A path
that names no English page stops the build, with the file and line of the entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from portal_core.errors import PortalError
from pydantic import BeforeValidator, Field, field_validator

from .data_loading import Source, read_yaml, validate
from .record_fields import Record, once_each

#: The file below the data folder.
NAVIGATION_FILE = "navigation.yaml"
#: A page path: lower-case words of letters, digits and hyphens, separated by slashes.
PAGE_PATH = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*")


def _page_path(value: object) -> str:
    if not isinstance(value, str) or not PAGE_PATH.fullmatch(value):
        raise ValueError(
            f"give the page's path below content/en/ without .md, such as supporters/benefits "
            f"(got {value!r})"
        )
    return value


#: The path of a content page below its language folder ("supporters/benefits").
PagePath = Annotated[str, BeforeValidator(_page_path)]


class Navigation(Record):
    """The menu and the footer links, as page paths in the order they are shown."""

    main: list[PagePath] = Field(default_factory=list)
    footer: list[PagePath] = Field(default_factory=list)

    @field_validator("main", "footer")
    @classmethod
    def _each_page_once(cls, value: list[str]) -> list[str]:
        return once_each(value)


def load_navigation(data_dir: Path) -> tuple[Navigation, Source | None, list[PortalError]]:
    """Read `data_dir`/navigation.yaml; a missing file is an empty menu and footer.

    Returns the navigation, its Source (None without a file) and every problem in the file.
    """
    path = Path(data_dir) / NAVIGATION_FILE
    if not path.is_file():
        return Navigation(), None, []
    data, source, problems = read_yaml(path)
    if data is None and problems:
        return Navigation(), source, problems
    navigation, found = validate(Navigation, data, source, {})
    problems = sorted([*problems, *found], key=lambda problem: problem.line or 0)
    return navigation or Navigation(), source, problems


def missing_pages(
    navigation: Navigation, source: Source | None, has_page, source_lang: str
) -> list[PortalError]:
    """Return a problem for each listed path that names no page in `source_lang`.

    `has_page(path)` tells whether content/<source_lang>/<path>.md exists.
    """
    problems = []
    for name in ("main", "footer"):
        for index, path in enumerate(getattr(navigation, name)):
            if not has_page(path):
                problems.append(
                    source.error(
                        (name, index),
                        f"no page content/{source_lang}/{path}.md; correct the path, or create "
                        "the page first",
                    )
                )
    return problems
