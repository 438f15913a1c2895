"""What every template gets: interface strings, Babel's formatting, language names.

Templates render a page in one language: the context's ``page_lang`` (the site's default
language where none is given). `install_template_helpers` gives a Jinja environment:

- ``_``, ``gettext`` and ``ngettext``: the interface strings of that language, escaped as text
  (`strings.interface_text`), never marked safe as Jinja's own newstyle gettext does;
- the filters ``format_date``, ``format_datetime`` (a width: short, medium, long, full; years
  always in four digits, `dates.py`), ``format_number`` and ``language_name`` (CLDR data
  through Babel, never the operating system's locales);
- ``json_ld(data)``: structured data as a ``<script type="application/ld+json">`` element;
- ``endonym(code)`` and ``template_name()`` (the template being rendered, for
  ``<body class="template-...">``).
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import format_decimal
from jinja2 import pass_context

from .dates import day_text, moment_text
from .languages import endonym, format_locale, language_name
from .strings import InterfaceStrings, interface_text
from .structured_data import json_ld_script


def current_lang(context) -> str:
    """Return the language of the page a template is rendering."""
    return context.get("page_lang") or context["DEFAULT_LANG"]


def memoised_gettext(gettext_of: Callable[[str], Callable[[str], str]]) -> Callable:
    """Return the ``gettext`` (and ``_``) of templates, remembering strings without variables.

    A call gives ``interface_text`` of the translation: escaped as text when autoescaping,
    with Markup variables kept and others escaped, always %-formatted (as Jinja's newstyle
    gettext, which marks the translation safe instead). The interface strings of a page are
    then looked up and formatted once per language and environment instead of on every page
    (100,000 calls for the shipped site). `gettext_of(lang)` is the language's catalogue
    lookup.
    """
    remembered: dict[tuple[str, bool, str], str] = {}

    @pass_context
    def gettext(__context, __string, **variables):
        lang = current_lang(__context)
        autoescape = __context.eval_ctx.autoescape
        key = (lang, autoescape, __string)
        if not variables and key in remembered:
            return remembered[key]
        rv = interface_text(gettext_of(lang)(__string), variables, autoescape)
        if not variables:
            remembered[key] = rv
        return rv

    return gettext


def interface_ngettext(ngettext_of: Callable[[str], Callable[[str, str, int], str]]) -> Callable:
    """Return the ``ngettext`` of templates: `ngettext_of(lang)`'s plural form as text.

    As Jinja's newstyle ngettext, `num` is a variable unless given, and the string is always
    %-formatted; the translation is escaped as text (``interface_text``), not marked safe.
    """

    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        translation = ngettext_of(current_lang(__context))(__singular, __plural, __num)
        return interface_text(translation, variables, __context.eval_ctx.autoescape)

    return ngettext


def install_template_helpers(env, strings: InterfaceStrings) -> None:
    """Give a Jinja environment the interface strings, Babel's filters and language helpers."""

    @pass_context
    def date_filter(context, value, format="long"):
        return day_text(value, current_lang(context), format)

    @pass_context
    def datetime_filter(context, value, format="medium"):
        return moment_text(value, current_lang(context), format)

    @pass_context
    def number_filter(context, value):
        return format_decimal(value, locale=format_locale(current_lang(context)))

    @pass_context
    def language_name_in_page(context, code):
        return language_name(code, current_lang(context))

    @pass_context
    def template_name(context):
        # the template being rendered ("page" for page.html, also inside base.html), so that
        # <body class="template-..."> tells checks and stylesheets which template made a page
        return context.name.rsplit("/", 1)[-1].split(".", 1)[0]

    # Not install_gettext_callables: Jinja's newstyle wrappers mark every translation safe,
    # so markup in a msgstr would reach the page. Ours escape it (strings.interface_text).
    # `{% trans %}` blocks call these same globals; newstyle_gettext tells Jinja to leave the
    # %-formatting of their variables to them.
    env.newstyle_gettext = True
    text_gettext = memoised_gettext(lambda lang: strings.catalogue(lang).gettext)
    text_ngettext = interface_ngettext(lambda lang: strings.catalogue(lang).ngettext)
    # `_` is ours too: Jinja's alias would look `gettext` up again on every call.
    env.globals.update(gettext=text_gettext, _=text_gettext, ngettext=text_ngettext)
    env.filters.update(
        {
            "format_date": date_filter,
            "format_datetime": datetime_filter,
            "format_number": number_filter,
            "language_name": language_name_in_page,
        }
    )
    env.globals.update(
        {"endonym": endonym, "template_name": template_name, "json_ld": json_ld_script}
    )
