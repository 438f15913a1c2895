"""The portal's link-preview picture: drawn as SVG (social_card.svg), written as PNG.

Social sites do not take SVG, so the build rasterises the drawing with CairoSVG at the size
they ask for (1200 x 630). The drawing has no text: one picture serves all 24 languages,
and each page's title comes with it in og:title.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import cairosvg
from build_engine.front_door import FileOutput
from portal_core import social_card

DRAWING = Path(__file__).with_name("social_card.svg")


def png_of(svg: bytes) -> bytes:
    """Return the drawing as a PNG of the card's size."""
    return cairosvg.svg2png(
        bytestring=svg, output_width=social_card.WIDTH, output_height=social_card.HEIGHT
    )


def social_card_output(drawing: Path = DRAWING) -> FileOutput:
    """Return the picture as an output, made from the drawing when it is written."""
    svg = drawing.read_bytes()
    return FileOutput(
        social_card.PATH,
        lambda: png_of(svg),
        inputs=("social card", hashlib.sha256(svg).hexdigest(), cairosvg.__version__),
    )
