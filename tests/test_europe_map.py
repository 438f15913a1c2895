"""The directory's map of Europe (plugins/directory/europe_map.py): projection, thinning, framing,
country codes, and what happens when the geographic data package is missing."""

from __future__ import annotations

import math

import lxml.etree
import pytest
from conftest import PROJECT, run_build
from directory import europe_map
from portal_core.errors import PortalError

ATLAS = PROJECT / "node_modules" / "world-atlas" / "countries-50m.json"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def base():
    return europe_map.base_map(europe_map.read_atlas(ATLAS))


def test_projection_centre_is_the_origin_and_north_is_up():
    assert europe_map.project(10, 52) == pytest.approx((0, 0), abs=1e-12)
    _, north = europe_map.project(10, 60)
    _, south = europe_map.project(10, 40)
    assert north < 0 < south  # SVG's y grows southwards
    west, _ = europe_map.project(0, 52)
    assert west < 0


def test_thinning_keeps_the_ends_and_the_corners_and_drops_what_lies_on_the_line():
    line = [(0, 0), (1, 0.01), (2, 0), (3, 5), (4, 0)]
    assert europe_map.thin(line, 0.5) == [(0, 0), (2, 0), (3, 5), (4, 0)]


def test_clipping_cuts_a_ring_to_the_box():
    square = [(-5, -5), (5, -5), (5, 5), (-5, 5)]
    clipped = europe_map.clip(square, (0, 0, 10, 10))
    assert sorted(clipped) == [(0, 0), (0, 5), (5, 0), (5, 5)]
    assert europe_map.clip(square, (20, 20, 30, 30)) == []


def test_numeric_codes_come_from_cldr():
    codes = europe_map.numeric_codes()
    assert codes["246"] == "FI" and codes["470"] == "MT" and codes["300"] == "GR"


def test_base_map_has_every_country_the_directory_can_hold(base):
    drawn = base.codes()
    # the EU, the EFTA countries, and the neighbours with supporters in the shipped data
    europe = set(
        [
            "AT",
            "BE",
            "BG",
            "CY",
            "CZ",
            "DE",
            "DK",
            "EE",
            "ES",
            "FI",
            "FR",
            "GR",
            "HR",
            "HU",
            "IE",
            "IT",
            "LT",
            "LU",
            "LV",
            "MT",
            "NL",
            "PL",
            "PT",
            "RO",
            "SE",
            "SI",
            "SK",
        ]
    )
    assert europe | {"IS", "NO", "CH", "LI", "UA", "MD", "GE", "XK"} <= drawn
    assert "US" not in drawn and "JP" not in drawn
    for shape in base.shapes:
        x, y = shape.label_at
        assert -2 <= x <= base.width + 2 and -2 <= y <= base.height + 2


def test_map_writes_each_count_once_with_the_names_and_colours_by_class(base):
    counts = {"FI": 12, "MT": 1, "DE": 3}
    svg = europe_map.map_svg(
        base, counts, {"FI": "12", "MT": "1", "DE": "3"}, {"FI": "Suomi"}, "Kartta", "fi"
    )
    root = lxml.etree.fromstring(svg)
    assert root.get("lang") == "fi" and root.find(f"{SVG}title").text == "Kartta"
    paths = {p.get("data-country"): p for p in root.iter(f"{SVG}path") if p.get("data-country")}
    assert set(paths) == set(counts)
    assert paths["FI"].find(f"{SVG}title").text == "Suomi: 12"
    assert paths["FI"].get("fill") == europe_map.CLASSES[-1]
    assert paths["MT"].get("fill") == europe_map.CLASSES[0]
    assert [t.text for t in root.iter(f"{SVG}text")] == ["3", "12", "1"]  # DE, FI, MT


def test_fill_classes_cover_every_count_up_to_the_most():
    most = 37
    fills = [europe_map.fill_for(count, most) for count in range(0, most + 1)]
    assert fills[0] == europe_map.NO_SUPPORTERS
    assert fills[1] == europe_map.CLASSES[0] and fills[most] == europe_map.CLASSES[-1]
    assert all(fill in europe_map.CLASSES for fill in fills[1:])


def test_paths_are_whole_numbers_and_close(base):
    for shape in base.shapes:
        numbers = shape.path.replace("M", " ").replace("m", " ").replace("l", " ")
        numbers = numbers.replace("z", " ").replace("-", " -").split()
        assert all(number.lstrip("-").isdigit() for number in numbers)
        assert shape.path.endswith("z")
    assert not math.isnan(base.height)


def test_a_missing_data_package_is_named_with_what_to_run(tmp_path):
    with pytest.raises(PortalError) as raised:
        europe_map.read_atlas(tmp_path / "countries-50m.json")
    assert "world-atlas" in str(raised.value) and "make node-deps" in str(raised.value)


def test_build_without_the_data_package_stops_and_says_so(tmp_path):
    content = tmp_path / "content"
    (content / "en" / "supporters").mkdir(parents=True)
    (content / "en" / "index.md").write_text("Title: Home\n\nHome.\n")
    result = run_build(
        content,
        tmp_path / "output",
        "-e",
        'DIRECTORY_SETTINGS={"map_data": "no/such/countries.json"}',
    )
    assert result.returncode != 0
    assert "no/such/countries.json" in result.stdout + result.stderr
    assert "make node-deps" in result.stdout + result.stderr
