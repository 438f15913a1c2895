"""The fixture site's whole output, file by file, against the expected tree kept in the repo.

tests/golden/fixture/ holds what the build writes for tests/fixtures/site (SOURCE_DATE_EPOCH as
every test build), except Pagefind's bundle (pagefind/: binary index files, which the search
tests compare with Pagefind's own command line) and the pictures the build draws (images/:
rasterised by the system's Cairo, whose versions may smooth edges differently; the sharing
tests check them). After an intended change, `make golden`
writes the tree again; the diff in review then shows what the change did to the site.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from conftest import PROJECT

GOLDEN = PROJECT / "tests" / "golden" / "fixture"
#: Folders of the output the golden tree leaves out.
LEFT_OUT = ("pagefind", "images", "admin")
REFRESH = "if the change is intended, run `make golden` and commit tests/golden/"


def files_of(root: Path) -> dict[str, Path]:
    """Return the output's files by path, without the folders left out."""
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] not in LEFT_OUT
    }


def first_difference(expected: bytes, actual: bytes, name: str) -> str:
    """Return a few lines of unified diff between two versions of a file."""
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"{name}: binary files differ"
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"expected/{name}", f"built/{name}", lineterm="", n=1
    )
    return "\n".join(list(diff)[:20])


def test_the_fixture_site_is_built_exactly_as_expected(fixture_site):
    expected, built = files_of(GOLDEN), files_of(fixture_site.root)
    assert expected, f"{GOLDEN} is empty: run `make golden`"
    missing, extra = sorted(expected.keys() - built.keys()), sorted(built.keys() - expected.keys())
    assert not missing and not extra, (
        f"files missing from the build: {missing[:10]}; files not expected: {extra[:10]}; "
        + REFRESH
    )
    differing = [
        name for name in expected if expected[name].read_bytes() != built[name].read_bytes()
    ]
    if differing:
        name = differing[0]
        shown = first_difference(expected[name].read_bytes(), built[name].read_bytes(), name)
        raise AssertionError(
            f"{len(differing)} of {len(expected)} files differ (first: {differing[:5]}):\n"
            f"{shown}\n{REFRESH}"
        )
