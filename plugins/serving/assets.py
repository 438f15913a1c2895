"""Fingerprinted theme assets: ``css/portal.css`` is served as ``assets/css/portal.<hash>.css``.

A name that changes whenever the content does lets servers tell browsers to keep the file for
a year (see policy.IMMUTABLE_PREFIXES) without anyone ever seeing a stale stylesheet.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from build_engine.front_door import FileOutput
from portal_core.errors import PortalError

from .policy import ASSET_DIR

#: Where the theme's static files are also served under their own names.
THEME_COPY = "theme"

#: Theme files served under a fingerprinted name (none of them refers to another by URL).
FINGERPRINTED_SUFFIXES = (".css", ".js", ".svg")


def fingerprinted_name(relative: str, data: bytes) -> str:
    """Return the URL path (no leading slash) of a theme file with its content hash."""
    path = PurePosixPath(relative)
    digest = hashlib.sha256(data).hexdigest()[:12]
    return str(PurePosixPath(ASSET_DIR) / path.parent / f"{path.stem}.{digest}{path.suffix}")


def theme_assets(static_dir: Path) -> dict[str, Path]:
    """Return the theme's fingerprinted files: relative name -> file."""
    static_dir = Path(static_dir)
    return {
        file.relative_to(static_dir).as_posix(): file
        for file in sorted(static_dir.rglob("*"))
        if file.is_file() and file.suffix in FINGERPRINTED_SUFFIXES
    }


def asset_names(static_dir: Path) -> dict[str, str]:
    """Return relative name -> fingerprinted URL path for every fingerprinted theme file."""
    return {
        relative: fingerprinted_name(relative, file.read_bytes())
        for relative, file in theme_assets(static_dir).items()
    }


def asset_outputs(static_dir: Path) -> list[FileOutput]:
    """Return the theme's static files as outputs: each fingerprinted file under its
    fingerprinted name (assets/...), and every file as it is under theme/ (for links written
    by hand, such as an image in a page's Markdown)."""
    static_dir = Path(static_dir)
    outputs = []
    for relative, file in theme_assets(static_dir).items():
        name = fingerprinted_name(relative, file.read_bytes())
        outputs.append(FileOutput(name, file.read_bytes, inputs=name))
    for file in sorted(static_dir.rglob("*")):
        if file.is_file():
            relative = file.relative_to(static_dir).as_posix()
            stat = file.stat()
            stamp = (relative, stat.st_size, stat.st_mtime_ns)
            outputs.append(FileOutput(f"{THEME_COPY}/{relative}", file.read_bytes, inputs=stamp))
    return outputs


def lookup_asset(names: dict[str, str], relative: str, static_dir: Path) -> str:
    """Return the fingerprinted URL path of `relative`; an unknown file is a PortalError."""
    try:
        return names[relative]
    except KeyError:
        raise PortalError(
            Path(static_dir) / relative,
            f"the template asks for asset {relative!r}, which is not a .css, .js or .svg file in "
            "the theme's static folder; fix the name in the template",
        ) from None
