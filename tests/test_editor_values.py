"""Values as the browser editor writes them: its date rules are the build's, its empty fields none.

Decap CMS checks a date field against the pattern of cms/config.yml; the build against
record_fields.Day and When. Here both judge every candidate string. Decap writes a field an
editor cleared as "" (it has no option to leave it out); the build reads that as "none" where
the field is optional, and still refuses it where a value is required.
"""

from __future__ import annotations

import re
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from conftest import PROJECT
from directory.data_loading import read_yaml, validate
from directory.events import Event
from directory.record_fields import Day, When
from directory.supporters import Supporter
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML

from portal.editor_config import DAY_PATTERN, WHEN_PATTERN

SUPPORTER = PROJECT / "content" / "data" / "supporters" / "agence-energie-occitanie.yaml"


def build_accepts(kind, text: str) -> bool:
    try:
        TypeAdapter(kind).validate_python(text)
    except ValidationError:
        return False
    return True


def candidates() -> list[str]:
    """Every YYYY-MM-DD with months 00-13 and days 00-32 around the build's range of years."""
    return [
        f"{year:04d}-{month:02d}-{day:02d}"
        for year in (*range(1999, 2012), *range(2026, 2031), *range(2094, 2103))
        for month in range(14)
        for day in range(33)
    ]


def test_the_editors_day_pattern_accepts_exactly_the_days_the_build_accepts():
    pattern = re.compile(DAY_PATTERN)
    texts = candidates()
    differ = [t for t in texts if bool(pattern.match(t)) != build_accepts(Day, t)]
    assert differ == []
    assert pattern.match("2028-02-29") and not pattern.match("2026-02-29")
    assert not pattern.match("2026-04-31") and not pattern.match("2007-12-31")


def test_the_editors_event_time_pattern_accepts_exactly_what_the_build_accepts():
    pattern = re.compile(WHEN_PATTERN)
    days = ["2026-02-28", "2026-02-29", "2028-02-29", "2100-01-01", "2008-01-01"]
    times = [f"{h:02d}:{m:02d}" for h in (0, 9, 23, 24, 25) for m in (0, 30, 59, 60)]
    texts = [*days, *(f"{d} {t}" for d in days for t in times)]
    differ = [t for t in texts if bool(pattern.match(t)) != build_accepts(When, t)]
    assert differ == []


def editor_saved(changes: dict, path=SUPPORTER) -> tuple[object, list[str]]:
    """Validate a supporter file with `changes` made as the editor writes them."""
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        target = data
        *parents, last = key.split(".")
        for parent in parents:
            target = target[parent]
        target[last] = value
    out = StringIO()
    yaml.dump(data, out)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text(out.getvalue(), encoding="utf-8")
        loaded, source, problems = read_yaml(copy)
        assert problems == []
        record, problems = validate(Supporter, loaded, source, {"id": copy.stem})
    return record, [str(problem) for problem in problems]


def test_an_optional_field_cleared_in_the_editor_is_read_as_none():
    record, problems = editor_saved(
        {"city": "", "last_report": "", "description.sv": "", "description.fi": "  "}
    )
    assert problems == []
    assert record.city is None and record.last_report is None
    assert "sv" not in record.description and "fi" not in record.description
    assert record.description["en"].startswith("A local energy agency")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "name: must not be empty"),
        ({"description.en": ""}, "description.en: must not be empty"),
        ({"contact.email": ""}, "contact.email:"),
        ({"joined": ""}, "joined: give a date as YYYY-MM-DD"),
    ],
)
def test_a_required_field_left_empty_is_still_refused_with_its_line(changes, message):
    record, problems = editor_saved(changes)
    assert record is None
    assert any(message in problem for problem in problems), problems
    assert all(":" in problem.split(message)[0] for problem in problems)  # file:line first


def test_an_event_with_its_optional_end_and_link_cleared_is_valid():
    folder = PROJECT / "content" / "data" / "events"
    path = sorted(folder.glob("*.yaml"))[0]
    data, source, problems = read_yaml(path)
    assert problems == []
    cleared = {"end": "", "link": "", "organiser": ""}
    assert all(not Event.model_fields[name].is_required() for name in cleared)
    record, problems = validate(Event, {**data, **cleared}, source, {"slug": path.stem})
    assert problems == [], [str(p) for p in problems]
    assert (record.end, record.link, record.organiser) == (None, None, None)
