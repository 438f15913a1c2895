"""The portal's picture for link previews (Open Graph, Twitter cards, structured data).

Social sites show a picture beside a shared link, and take PNG or JPEG, not SVG. The sharing
feature draws it from its SVG at build time and writes it here; pages and structured data
point at it.
"""

from .strings import N_

PATH = "images/social-card.png"
WIDTH = 1200
HEIGHT = 630
MEDIA_TYPE = "image/png"
#: What the picture shows, for readers who cannot see it (og:image:alt, twitter:image:alt).
ALT = N_("Houses with solar panels and wind turbines under the sun, linked in a network")


def url(public: str) -> str:
    """Return the picture's absolute address on the site at `public`."""
    return f"{public}/{PATH}"
