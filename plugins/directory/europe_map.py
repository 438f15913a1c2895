"""A map of Europe with the number of supporters per country, drawn as SVG at build time.

The shapes come from Natural Earth's countries at 1:50 million, as the npm package
`world-atlas` ships them (TopoJSON, countries keyed by ISO 3166-1 numeric code; CLDR, through
Babel, gives the two-letter code of each). They are projected once per build with the
Lambert azimuthal equal-area projection centred on Europe (the projection of the EU's
statistical maps, EPSG:3035, here on a sphere), thinned (Douglas-Peucker on each shared border,
so neighbours keep meeting), cut to the frame and written with whole-number coordinates.
Each language's map then only adds its numbers and names (`map_svg`).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from babel.core import get_global
from portal_core.errors import PortalError

#: Centre of the projection (EPSG:3035: 10° E, 52° N).
CENTRE_LON, CENTRE_LAT = 10.0, 52.0
#: The frame, in projected units (the unit sphere's radius): from Iceland and Portugal to
#: Georgia and Cyprus, from Crete and Cyprus to the North Cape.
FRAME = (-0.43, -0.345, 0.47, 0.365)  # left, top, right, bottom (y grows southwards)
#: Width of the drawing in SVG user units; the height follows the frame.
WIDTH = 800
#: Largest distance, in SVG units, by which a thinned border may leave the original.
TOLERANCE = 0.9
#: Countries without a numeric ISO code in Natural Earth, by the name it gives them.
CODES_BY_NAME = {"Kosovo": "XK"}
#: Fills: land without supporters, then the classes from few to most supporters.
NO_SUPPORTERS = "#e4e4e4"
CLASSES = ("#c6dbef", "#8fb5dc", "#5489c4", "#2a5d9f")
SEA = "#f3f7fb"


@dataclass(frozen=True)
class Shape:
    """One country's outline in SVG coordinates, and where its number is written."""

    code: str | None  # ISO 3166-1 alpha-2, None for land without a code
    path: str  # SVG path data
    label_at: tuple[int, int]


@dataclass(frozen=True)
class BaseMap:
    """The projected, thinned and framed countries: what every language's map is drawn on."""

    width: int
    height: int
    shapes: tuple[Shape, ...]

    def codes(self) -> set[str]:
        """Return the codes of the countries drawn."""
        return {shape.code for shape in self.shapes if shape.code}


def numeric_codes() -> dict[str, str]:
    """Return the two-letter code of each three-digit ISO 3166-1 code, from CLDR."""
    aliases = get_global("territory_aliases")
    return {
        number: codes[0]
        for number, codes in aliases.items()
        if number.isdigit() and len(codes) == 1 and len(codes[0]) == 2
    }


def project(lon: float, lat: float) -> tuple[float, float]:
    """Return the point on the map plane (y southwards) of a longitude and latitude."""
    lam = math.radians(lon - CENTRE_LON)
    phi = math.radians(lat)
    phi0 = math.radians(CENTRE_LAT)
    cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)
    k = math.sqrt(2 / max(1 + cos_c, 1e-12))
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return x, -y


def thin(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Return the points Douglas-Peucker keeps within `tolerance` of the line (ends kept)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def clip(ring: list[tuple[float, float]], box: tuple[float, float, float, float]):
    """Return the part of a closed ring inside `box` (Sutherland-Hodgman), maybe empty."""
    left, top, right, bottom = box
    edges = (
        (lambda p: p[0] >= left, lambda a, b: _cross_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _cross_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _cross_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _cross_y(a, b, bottom)),
    )
    points = ring
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


def area_and_centre(ring: Sequence[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """Return a ring's area (unsigned) and centroid."""
    twice, cx, cy = 0.0, 0.0, 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        twice += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if twice == 0:
        xs, ys = zip(*ring, strict=True)
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(twice) / 2, (cx / (3 * twice), cy / (3 * twice))


def path_data(rings: Iterable[Sequence[tuple[int, int]]]) -> str:
    """Return SVG path data for closed rings of whole-number points.

    The first move is absolute, so that the paths of several countries can be joined into one.
    """
    parts = []
    here = None
    for ring in rings:
        x, y = ring[0]
        parts.append(f"M{x} {y}" if here is None else f"m{x - here[0]} {y - here[1]}")
        steps = []
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            steps.append(f"{x2 - x1} {y2 - y1}")
        parts.append("l" + " ".join(steps) + "z")
        here = (x, y)
    return "".join(parts).replace(" -", "-")


def read_atlas(path: Path) -> dict:
    """Read the TopoJSON file, or say what to install."""
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise PortalError(
            str(path),
            "(file): missing; the directory's map is drawn from the npm package world-atlas "
            "(Natural Earth): run `make node-deps` to install it",
        ) from None
    except (OSError, ValueError) as error:
        raise PortalError(str(path), f"(file): cannot read it as TopoJSON: {error}") from None


def base_map(topology: Mapping) -> BaseMap:
    """Project, thin and frame the countries of a world-atlas TopoJSON topology."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    left, top, right, bottom = FRAME
    unit = WIDTH / (right - left)
    height = round((bottom - top) * unit)

    def to_svg(lon: float, lat: float) -> tuple[float, float]:
        x, y = project(lon, lat)
        return (x - left) * unit, (y - top) * unit

    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append(to_svg(x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(thin(points, TOLERANCE))

    def ring_points(indexes: Sequence[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    box = (-2.0, -2.0, WIDTH + 2.0, height + 2.0)  # borders cut just outside the drawing
    codes = numeric_codes()
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = []
        for polygon in polygons:
            for indexes in polygon:
                ring = clip(ring_points(indexes), box)
                whole = _whole_numbers(ring)
                if len(whole) >= 3:
                    rings.append(whole)
        if not rings:
            continue
        name = geometry.get("properties", {}).get("name", "")
        code = codes.get(str(geometry.get("id", ""))) or CODES_BY_NAME.get(name)
        largest = max(rings, key=lambda ring: area_and_centre(ring)[0])
        cx, cy = area_and_centre(largest)[1]
        shapes.append(Shape(code, path_data(rings), (round(cx), round(cy))))
    shapes.sort(key=lambda shape: (shape.code or "", shape.path))
    return BaseMap(WIDTH, height, tuple(shapes))


def _whole_numbers(ring: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Return the ring rounded to whole numbers, without repeated points."""
    result: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x), round(y))
        if not result or result[-1] != point:
            result.append(point)
    while len(result) > 1 and result[0] == result[-1]:
        result.pop()
    return result


def fill_for(count: int, most: int) -> str:
    """Return the fill of a country with `count` supporters when the most in one is `most`."""
    if count <= 0:
        return NO_SUPPORTERS
    step = max(1, math.ceil(most / len(CLASSES)))
    return CLASSES[min(len(CLASSES) - 1, (count - 1) // step)]


def map_svg(
    base: BaseMap,
    counts: Mapping[str, int],
    numbers: Mapping[str, str],
    names: Mapping[str, str],
    title: str,
    lang: str,
) -> bytes:
    """Return the SVG map of one language.

    `counts` are the supporters per country code, `numbers` the same counts written the way
    the language writes numbers, `names` the country names in the language. Each country with
    supporters carries data-country and data-count, a <title> with its name and number, and
    its number is written on it; other land is grey. No style sheet or script: presentation
    attributes only, so the file keeps to the site's Content-Security-Policy.
    """
    most = max(counts.values(), default=0)
    lines = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {base.width} {base.height}" width="{base.width}" '
        f'height="{base.height}" role="img" aria-labelledby="map-title" lang={quoteattr(lang)}>',
        f'<title id="map-title">{escape(title)}</title>',
        f'<rect width="{base.width}" height="{base.height}" fill="{SEA}"/>',
        '<g stroke="#fff" stroke-width=".7" stroke-linejoin="round">',
    ]
    grey = [shape.path for shape in base.shapes if not counts.get(shape.code or "")]
    if grey:
        lines.append(f'<path fill="{NO_SUPPORTERS}" d="{"".join(grey)}"/>')
    labelled = [shape for shape in base.shapes if counts.get(shape.code or "")]
    for shape in labelled:
        code = shape.code or ""
        lines.append(
            f'<path data-country="{code}" data-count="{counts[code]}" '
            f'fill="{fill_for(counts[code], most)}" d="{shape.path}">'
            f"<title>{escape(names.get(code, code))}: {escape(numbers[code])}</title></path>"
        )
    lines.append("</g>")
    lines.append(
        '<g font-family="sans-serif" font-size="16" font-weight="700" text-anchor="middle" '
        'fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke" aria-hidden="true">'
    )
    for shape in labelled:
        x, y = shape.label_at
        number = escape(numbers[shape.code or ""])
        lines.append(f'<text x="{x}" y="{y + 6}" data-country="{shape.code}">{number}</text>')
    lines.append("</g>")
    lines.append("</svg>")
    return ("\n".join(lines) + "\n").encode("utf-8")
