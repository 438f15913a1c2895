"""What the portal relies on in Pelican beyond its documented plugin interface, in one place.

Pelican documents its settings, its signals and the plugin structure. Everything else the
portal uses is listed here with the reason, checked against one Pelican version:
tests/test_pelican_contract.py fails when the installed version is another one, or when a name
below is gone, so that someone reads this list again before upgrading.
"""

from __future__ import annotations

#: The Pelican version this list was checked against (requirements.txt pins it).
CHECKED_VERSION = "4.12.0"

#: Dotted name -> why the portal uses it. Attributes of instances are given on their class
#: (``pelican.contents.Content.relative_source_path``) and checked on an instance by the test.
RELIED_ON = {
    "pelican.parse_arguments": "portal/build.py: Pelican's own command-line options",
    "pelican.get_config": (
        "portal/build.py: the settings the command line overrides, as `pelican` reads them"
    ),
    "pelican.DEFAULT_CONFIG_NAME": "portal/build.py: pelicanconf.py when no -s is given",
    "pelican.settings.DEFAULT_CONFIG": (
        "portal/build.py: the PELICAN_CLASS to make the instance with, as `pelican` does"
    ),
    "pelican.readers.DUPLICATES_DEFINITIONS_ALLOWED": (
        "build_engine/reader.py: which metadata may be given twice, as Pelican's Markdown "
        "reader decides"
    ),
    "pelican.readers.Readers.reader_classes": (
        "build_engine/engine.py: the engine's Markdown reader replaces Pelican's (the "
        "readers_init signal hands over this mapping)"
    ),
    "pelican.generators.Generator.get_files": (
        "build_engine/reader.py: the pages Pelican will read, in its order, to read them ahead"
    ),
    "pelican.generators.Generator.get_template": (
        "build_engine/writing.py: a template by name, with the theme's overrides"
    ),
    "pelican.generators.PelicanTemplateNotFound": (
        "build_engine/writing.py: a page's `Template:` that the theme does not have"
    ),
    "pelican.contents.Content.relative_source_path": (
        "multilingual/multilingual.py: a page's path below content/, its identity"
    ),
    "pelican.contents.Content.override_url": (
        "multilingual/multilingual.py: a language's home page is /<lang>/, not /<lang>/index/"
    ),
    "pelican.utils.sanitised_join": (
        "build_engine/writing.py: an output path that cannot leave the output folder"
    ),
    "pelican.utils.get_relative_path": "build_engine/writing.py: RELATIVE_URLS, as Pelican",
    "pelican.utils.path_to_url": "build_engine/writing.py: RELATIVE_URLS, as Pelican",
    "pelican.utils.pelican_open": (
        "build_engine/reader.py: reads a page as Pelican's readers do (BOM, UTF-8)"
    ),
}

#: How Pelican runs a build, which the engine's lifecycle (engine.py) follows.
RUN_ORDER = (
    "Pelican.run sends get_generators once per build, before any generator exists; then "
    "makes every generator (generator_init, after its Jinja environment), calls every "
    "generate_context, then every generate_output, then sends finalized. Every generator "
    "gets the instance's settings dict itself (not a copy), and a context that is a copy of it."
)
