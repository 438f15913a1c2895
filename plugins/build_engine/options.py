"""The BUILD_ENGINE setting: its keys, their defaults, and the check that names a bad key."""

from __future__ import annotations

from portal_core.errors import PortalError

#: BUILD_ENGINE keys and their defaults.
DEFAULTS = {
    # False: the plain path (new Markdown per page, one process, every output made and
    # written, nothing kept); the output is byte-identical either way, which the tests check.
    "enabled": True,
    # Worker processes for Markdown and for rendering; 0: one per CPU core, 1: none.
    "workers": 0,
    # Fewest pages (to convert or to render) worth starting workers for.
    "parallel_from": 64,
    # Keep converted Markdown and parsed records between builds in CACHE_PATH/build_engine/.
    "cache": True,
    # In the dev server, keep pages whose inputs did not change since the previous build.
    "incremental": True,
}


def options(settings: dict) -> dict:
    """Return BUILD_ENGINE merged over the defaults; an unknown key or a wrong type is an error."""
    given = settings.get("BUILD_ENGINE") or {}
    where = "pelicanconf.py"
    if not isinstance(given, dict):
        raise PortalError(where, "BUILD_ENGINE must be a dict, e.g. BUILD_ENGINE = {'workers': 2}")
    for key, value in given.items():
        if key not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise PortalError(where, f"BUILD_ENGINE has no key {key!r}; use one of: {known}")
        if type(value) is not type(DEFAULTS[key]):
            expected = type(DEFAULTS[key]).__name__
            raise PortalError(
                where, f"BUILD_ENGINE[{key!r}] must be of type {expected}, not {value!r}"
            )
    return {**DEFAULTS, **given}
