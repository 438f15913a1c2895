"""``{% memo "name", key, ... %}…{% endmemo %}``: render a part of a template once per key.

A part that is the same on many pages (the footer of a language, the main menu) is rendered
the first time and then reused for every page that gives the same key, within one build: each
build, each generator gets a new Jinja environment, and with it an empty memory. The key must
name everything the part shows that differs between pages; what is the same for the whole
build (settings, the page tree, FACTS) need not be in it.

With BUILD_ENGINE off (`memory_on` not called) every part is rendered every time, which is how
the byte-identity tests (tests/test_build_engine.py) check that the keys are complete.

Jinja has no fragment cache of its own; Flask-Caching's ``{% cache %}`` needs Flask and a cache
server, and keeps fragments across builds, which a build must not do.
"""

from __future__ import annotations

from jinja2 import nodes
from jinja2.ext import Extension


class MemoExtension(Extension):
    """The ``memo`` tag; the environment's ``memo_parts`` dict is the memory (None: off)."""

    tags = frozenset({"memo"})

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(memo_parts=None)

    def parse(self, parser):
        """Parse ``memo expr, expr, ...`` and the body up to ``endmemo``."""
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endmemo",), drop_needle=True)
        call = self.call_method("_part", [nodes.Tuple(key, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _part(self, key, caller):
        parts = self.environment.memo_parts
        if parts is None:
            return caller()
        if key not in parts:
            parts[key] = caller()
        return parts[key]


def memory_on(environment) -> None:
    """Let the ``memo`` parts of this environment be rendered once per key."""
    environment.memo_parts = {}
