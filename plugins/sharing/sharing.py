"""Pelican wiring of what makes pages good to share: Open Graph tags and the preview picture.

Templates get ``open_graph(...)``, the <meta> elements of open_graph.py; the generator writes
the picture (social_card_image.py). Structured data of the directory's records comes from the
directory itself (its records, its pages).
"""

from __future__ import annotations

from build_engine.front_door import write
from jinja2 import pass_context
from pelican import signals
from pelican.generators import Generator
from portal_core import social_card
from portal_core.site import public_url, site_of

from .open_graph import SharedPage, open_graph
from .social_card_image import social_card_output


def install_sharing_globals(generator) -> None:
    """Give templates `open_graph(site_name, title, path, lang, languages, description,
    kind)`: the <meta> elements of a page (path: its canonical address below the site's;
    languages: those it is really published in)."""
    public = public_url(generator.settings)

    @pass_context
    def page_open_graph(
        context, site_name, title, path, lang, languages, description="", kind="website"
    ):
        page = SharedPage(title, description, path, lang, tuple(languages), kind or "website")
        image_alt = site_of(context).translator(lang)(social_card.ALT)
        return open_graph(page, public, site_name, image_alt)

    generator.env.globals["open_graph"] = page_open_graph


class SharingGenerator(Generator):
    """Writes the link-preview picture."""

    def generate_output(self, writer):
        """Write images/social-card.png."""
        write(self, [social_card_output()])


def get_generators(pelican):
    """Add the sharing generator."""
    return SharingGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(install_sharing_globals)
    signals.get_generators.connect(get_generators)
