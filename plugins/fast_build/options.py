"""The FAST_BUILD setting: its keys, their defaults, and the check that names a bad key."""

from __future__ import annotations

from multilingual.errors import PortalError

#: FAST_BUILD keys and their defaults.
DEFAULTS = {
    # False: the plain path (new Markdown per page, one process, every page rendered and
    # written); the output is byte-identical either way, which the tests check.
    "enabled": True,
    # Worker processes for Markdown and for rendering; 0: one per CPU core, 1: none.
    "workers": 0,
    # Fewest pages (to convert or to render) worth starting workers for.
    "parallel_from": 64,
    # Keep converted Markdown between builds in CACHE_PATH/fast_build/.
    "cache": True,
    # In the dev server, keep pages whose inputs did not change since the previous build.
    "incremental": True,
}


def options(settings: dict) -> dict:
    """Return FAST_BUILD merged over the defaults; an unknown key or a wrong type is an error."""
    given = settings.get("FAST_BUILD") or {}
    where = "pelicanconf.py"
    if not isinstance(given, dict):
        raise PortalError(where, "FAST_BUILD must be a dict, e.g. FAST_BUILD = {'workers': 2}")
    for key, value in given.items():
        if key not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise PortalError(where, f"FAST_BUILD has no key {key!r}; use one of: {known}")
        if type(value) is not type(DEFAULTS[key]):
            expected = type(DEFAULTS[key]).__name__
            raise PortalError(
                where, f"FAST_BUILD[{key!r}] must be of type {expected}, not {value!r}"
            )
    return {**DEFAULTS, **given}
