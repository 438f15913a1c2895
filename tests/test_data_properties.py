"""Property tests of the YAML loader: any file gives a valid record or plain problems, no crash.

Hypothesis writes arbitrary text, arbitrary bytes, arbitrary YAML documents and valid records
with one field replaced by an arbitrary value, and loads each as a supporter, news item and
event file. The loader must return either exactly one record (of the model's type) and no
problem, or no record and problems that each name the file, without raising anything.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar
import lxml.etree
from directory.calendar_files import TimeZones, build_calendar
from directory.data_loading import load_folder
from directory.directory_pages import Directory
from directory.events import Event
from directory.feeds import build_feed
from directory.news import NewsItem
from directory.record_fields import (
    EARLIEST_DAY,
    LATEST_DAY,
    LINE_LIMIT,
    LONG_TEXT_LIMIT,
    SUMMARY_LIMIT,
    refused_at,
)
from directory.search_index import search_index
from directory.site_data import SiteData, load_site_data
from directory.supporters import Supporter
from directory.urls import FEED_FORMATS, FEED_KINDS
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from portal_core.dates import day_text
from portal_core.errors import PortalError, PortalErrors
from ruamel.yaml import YAML

MODELS = {"supporters": (Supporter, "id"), "news": (NewsItem, "slug"), "events": (Event, "slug")}
GOOD = {
    "supporters": {
        "name": "Testiverkosto",
        "type": "national-association",
        "country": "NO",
        "website": "https://testiverkosto.example/",
        "contact": {"name": "A", "position": "B", "email": "a@testiverkosto.example"},
        "head": {"title": "Director", "name": "C"},
        "joined": "2020-01-15",
        "status": "active",
        "signatories": 12,
        "working_languages": ["fi", "sv"],
        "description": {"en": "An association.", "fi": "Yhdistys."},
    },
    "news": {
        "date": "2026-01-02",
        "title": {"en": "Title"},
        "summary": {"en": "Summary."},
        "link": "https://example.eu/",
    },
    "events": {
        "title": {"en": "Meeting"},
        "start": "2027-01-20 09:00",
        "end": "2027-01-20 11:00",
        "timezone": "Europe/Helsinki",
        "city": "Helsinki",
        "country": "FI",
        "published": "2026-10-15",
    },
}
FIELD_NAMES = sorted(
    {name for record in GOOD.values() for name in record}
    | {"en", "fi", "xx", "EN", "id", "slug", "body", "supporters", "online", "venue", "email"}
)
TRICKY = [
    "NO", "yes", "off", "~", "null", "0x1F", "1e3", ".inf", "-.nan", "2026-02-30",
    "2026-13-01 25:61", "javascript:alert(1)", "<script>alert(1)</script>", "a@", "@b",
    "https://", "http://exa mple.eu/", "Europe/Nowhere", "\u0000", "\ufeff", "\U0001f600",
    "x" * 1000, "", " ", "\n", "'", '"', "&a", "*a", "!!python/object:os.system", "%TAG",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.dates(min_value=date(1, 1, 1)).map(date.isoformat)
    | st.sampled_from(TRICKY)
)
keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=16,
)
documents = st.dictionaries(keys, values, max_size=14)
kinds = st.sampled_from(sorted(MODELS))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dump(document) -> str:
    """Return a document as YAML text."""
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(document, stream)
    return stream.getvalue()


def assert_record_or_problems(kind: str, data: str | bytes) -> None:
    """Load `data` as one file of `kind`; it must give a record or plain problems."""
    model, id_field = MODELS[kind]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / kind / "record-one.yaml"
        path.parent.mkdir()
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", errors="surrogatepass")
        records, problems = load_folder(path.parent, model, id_field)
    if problems:
        assert records == [] or all(isinstance(r, model) for r, _source in records)
        for problem in problems:
            assert isinstance(problem, PortalError)
            assert problem.path.endswith("record-one.yaml")
            assert problem.message.strip()
            assert "Traceback" not in str(problem)
    else:
        assert len(records) == 1
        record, _source = records[0]
        assert isinstance(record, model)
        assert getattr(record, id_field) == "record-one"


@SETTINGS
@given(kind=kinds, document=documents)
@example(kind="supporters", document=GOOD["supporters"])
@example(kind="news", document=GOOD["news"])
@example(kind="events", document=GOOD["events"])
def test_any_yaml_document_gives_a_record_or_problems(kind, document):
    assert_record_or_problems(kind, dump(document))


@SETTINGS
@given(kind=kinds, data=st.data())
def test_a_good_record_with_one_field_changed_gives_a_record_or_problems(kind, data):
    record = dict(GOOD[kind])
    name = data.draw(st.sampled_from([*sorted(record), *FIELD_NAMES]))
    record[name] = data.draw(values)
    assert_record_or_problems(kind, dump(record))


@SETTINGS
@given(kind=kinds, text=st.text(max_size=300))
@example(kind="news", text="title: [unclosed\n")
@example(kind="news", text="a: &a [1]\nb: *a\n")
@example(kind="news", text="--- \n...\n--- \n")
@example(kind="news", text="title: !!python/object/apply:os.system [ls]\n")
@example(kind="events", text="title: !local {en: x}\n")
def test_any_text_gives_a_record_or_problems(kind, text):
    assert_record_or_problems(kind, text)


@SETTINGS
@given(kind=kinds, data=st.binary(max_size=300))
def test_any_bytes_give_a_record_or_problems(kind, data):
    assert_record_or_problems(kind, data)


def test_the_good_records_are_valid():
    """The generators' starting points load, so the properties also see valid records."""
    for kind, record in GOOD.items():
        model, id_field = MODELS[kind]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / kind / "record-one.yaml"
            path.parent.mkdir()
            path.write_text(dump(record), encoding="utf-8")
            records, problems = load_folder(path.parent, model, id_field)
        assert problems == [] and len(records) == 1, problems


# -- whatever validates also renders -------------------------------------------------------------

#: Characters that have broken or disguised output before: controls, a lone surrogate, XML's
#: forbidden noncharacters, bidirectional overrides, line separators, markup, combining marks.
ODD_CHARACTERS = (
    "\x00", "\x07", "\t", "\n", "\r", "\x85", "\ud800", "\udfff", "\ufffe", "\uffff",
    "\U0010ffff", "\u202e", "\u2066", "\u200f", "\u2028", "\ufeff", "\u0301", "\u200d",
    "<", "&", '"', "\\", ";", ",", ":", "#", "%", "{", "}", "\U0001f600", "ß", "İ", "ﬃ", "ع",
)  # fmt: skip
ZONES = ("Europe/Brussels", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "Europe/Dublin")
SITE_LANGS = ("en", "fi", "el")
BASE = "https://portal.example.eu"


class Fields:
    """Strategies for one generated site: plausible values, or anything at all.

    Wild text comes from every code point (surrogates included) and odd characters; wild dates
    from all of Python's calendar; wild values are codes and counts out of range. Plausible ones
    keep to printable text and to dates the build date `today` allows, so that many sites
    validate and reach the renderers, each kind of wildness alone or with others.
    """

    def __init__(self, today: date, text: bool, dates: bool, values: bool) -> None:
        if text:
            characters = st.characters(exclude_categories=()) | st.sampled_from(ODD_CHARACTERS)
        else:
            characters = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
        if dates:
            self.facts = self.planned = (
                st.dates()
                | st.dates(EARLIEST_DAY, LATEST_DAY)
                | st.sampled_from([date.min, date.max, EARLIEST_DAY, LATEST_DAY])
            )
        else:
            self.facts = st.dates(EARLIEST_DAY, min(LATEST_DAY, max(today, EARLIEST_DAY)))
            ahead = date(min(today.year + 3, 9999), 1, 1)
            self.planned = st.dates(EARLIEST_DAY, min(LATEST_DAY, max(ahead, EARLIEST_DAY)))
        if values:
            self.countries = st.sampled_from(("FI", "UK", "EL", "Suomi", "fi", "EU", "XK"))
            self.counts = st.integers(0, 10**9)
        else:
            self.countries = st.sampled_from(("FI", "NO", "GB", "GR", "UA", "XK"))
            self.counts = st.integers(0, 20_000)
        self.line = (
            st.text(characters, min_size=1, max_size=24)
            | st.sampled_from(["Ålands energikontor", "Ελληνικό Δίκτυο", "<b>x</b> & y", "ع"])
            | st.integers(LINE_LIMIT - 2, LINE_LIMIT + (2 if text else 0)).map(lambda n: "N" * n)
        )
        longest = LONG_TEXT_LIMIT + (1 if text else 0)
        self.long = self.line | st.integers(SUMMARY_LIMIT - 1, longest).map(
            lambda n: ("Word.\n\n" * n)[:n]
        )
        self.summary = self.line | st.just("x" * SUMMARY_LIMIT)

    def localized(self, strategy):
        """Return a strategy for {en: ..., and maybe fi: ..., el: ...}."""
        return st.fixed_dictionaries({"en": strategy}, optional={"fi": strategy, "el": strategy})


@st.composite
def supporter_files(draw, fields: Fields) -> dict:
    joined = draw(fields.facts)
    record = {
        "name": draw(fields.line),
        "type": draw(st.sampled_from(["other", "energy-agency", "european-network"])),
        "country": draw(fields.countries),
        "website": "https://network.example/",
        "contact": {"name": draw(fields.line), "position": "Adviser", "email": "a@n.example"},
        "head": {"title": "Director", "name": draw(fields.line)},
        "joined": joined.isoformat(),
        "status": draw(st.sampled_from(["active", "suspended"])),
        "signatories": draw(fields.counts),
        "working_languages": draw(
            st.lists(st.sampled_from(["fi", "sv", "uk"]), min_size=1, max_size=3, unique=True)
        ),
        "description": draw(fields.localized(fields.long)),
    }
    if draw(st.booleans()):
        record["city"] = draw(fields.line)
    if draw(st.booleans()):
        record["last_report"] = max(joined, draw(fields.facts)).isoformat()
    return record


@st.composite
def news_files(draw, fields: Fields, ids: list[str]) -> dict:
    record = {
        "date": draw(fields.planned).isoformat(),
        "title": draw(fields.localized(fields.line)),
        "summary": draw(fields.localized(fields.summary)),
        "supporters": draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else [],
    }
    if draw(st.booleans()):
        record["body"] = draw(fields.localized(fields.long))
    return record


@st.composite
def event_files(draw, fields: Fields, ids: list[str]) -> dict:
    start_day = draw(fields.planned)
    length = timedelta(days=draw(st.integers(0, 3)), minutes=draw(st.integers(0, 24 * 60)))
    record = {
        "title": draw(fields.localized(fields.line)),
        "timezone": draw(st.sampled_from(ZONES)),
        "published": min(start_day, draw(fields.planned)).isoformat(),
        "online": draw(st.booleans()),
        "city": draw(fields.line),
    }
    if draw(st.booleans()):  # all day
        record["start"] = start_day.isoformat()
        if draw(st.booleans()) and start_day <= date.max - length:
            record["end"] = (start_day + length).isoformat()
    else:
        clock = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
        start = datetime.combine(start_day, clock)
        record["start"] = start.isoformat(" ", "minutes")
        if draw(st.booleans()) and start <= datetime.max - length:
            record["end"] = (start + length).isoformat(" ", "minutes")
    if draw(st.booleans()):
        record["summary"] = draw(fields.localized(fields.summary))
    if ids and draw(st.booleans()):
        record["organiser"] = draw(st.sampled_from(ids))
    return record


@st.composite
def sites(draw) -> tuple[dict[str, dict[str, dict]], date]:
    """Return (files by folder and id, build date): a few records of each kind."""
    today = draw(
        st.dates(EARLIEST_DAY, LATEST_DAY) | st.dates() | st.sampled_from([date.min, date.max])
    )
    wild = draw(st.sets(st.sampled_from(["text", "dates", "values"])))
    fields = Fields(today, "text" in wild, "dates" in wild, "values" in wild)
    ids = [f"supporter-{n}" for n in range(draw(st.integers(0, 3)))]
    folders = {
        "supporters": {key: draw(supporter_files(fields)) for key in ids},
        "news": {
            f"news-{n}": draw(news_files(fields, ids)) for n in range(draw(st.integers(0, 2)))
        },
        "events": {
            f"event-{n}": draw(event_files(fields, ids)) for n in range(draw(st.integers(0, 2)))
        },
    }
    return folders, today


def render_everything(data: SiteData, today: date) -> None:
    """Make and parse every view, feed, calendar and index the directory makes of `data`."""
    directory = Directory(data, today, SITE_LANGS, {})
    built_at = datetime.combine(today, time(), UTC)
    zones = TimeZones.for_events(data.events.values())
    directory.digest()
    for lang in SITE_LANGS:
        for entry in directory.supporters(lang):
            day_text(entry.supporter.joined, lang)
            day_text(entry.report_due, lang)
            directory.news_about(entry.id, lang)
            directory.events_by(entry.id, lang)
        directory.groups(lang)
        directory.newly_joined(lang, limit=20)
        for entry in directory.news(lang):
            day_text(entry.item.date, lang)
        events = [*directory.upcoming_events(lang), *directory.past_events(lang)]
        for entry in events:
            icalendar.Calendar.from_ical(build_calendar([entry], lang, BASE, "one", zones))
        icalendar.Calendar.from_ical(build_calendar(events, lang, BASE, "all", zones))
        for kind in FEED_KINDS:
            for feed_format in FEED_FORMATS:
                feed = build_feed(directory, lang, kind, feed_format, BASE, built_at, 20, "Office")
                lxml.etree.fromstring(feed)
        json.loads(search_index(directory, lang, ""))


def block(document) -> str:
    """Return a document as block-style YAML (in flow style ruamel writes `{en: ?0}`, which
    its own parser refuses)."""
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(document, stream)
    return stream.getvalue()


def load_or_problems(folders: dict[str, dict[str, dict]], today: date) -> SiteData | None:
    """Write the files and load them for `today`; return the data, or None after checking that
    every problem names its file, line and field plainly."""
    with tempfile.TemporaryDirectory() as root:
        for folder, records in folders.items():
            (Path(root) / folder).mkdir()
            for key, record in records.items():
                (Path(root) / folder / f"{key}.yaml").write_text(block(record), encoding="utf-8")
        try:
            return load_site_data(Path(root), today=today)
        except PortalErrors as errors:
            for problem in errors.errors:
                assert isinstance(problem, PortalError)
                assert problem.path.startswith(root) and problem.path.endswith(".yaml")
                assert problem.line is not None and problem.line >= 1, str(problem)
                # a field, or (file) for a rule between fields (end before start)
                field = r"^([a-z_]+[a-z_.\[\]0-9]*|\(file\)): \S"
                assert re.match(field, problem.message), str(problem)
                # printable on any terminal: no control, surrogate or bidirectional characters
                assert refused_at(str(problem)) is None, str(problem)
            return None


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(site=sites())
def test_whatever_validates_renders_in_every_format(site):
    folders, today = site
    data = load_or_problems(folders, today)
    event("refused" if data is None else "rendered")
    if data is not None:
        render_everything(data, today)


def test_records_at_the_ends_of_the_accepted_range_render():
    """Dates at both ends of the range, and build dates at the ends of Python's calendar."""
    longest = "N" * LINE_LIMIT
    supporter = {
        **GOOD["supporters"],
        "name": longest,
        "joined": EARLIEST_DAY.isoformat(),
        "last_report": LATEST_DAY.isoformat(),
        "description": {"en": ("Word. " * LONG_TEXT_LIMIT)[:LONG_TEXT_LIMIT]},
    }
    first = {**GOOD["events"], "start": "2008-01-01 00:00", "published": "2008-01-01"}
    first["end"] = "2008-01-01 00:30"
    first["timezone"] = "Pacific/Kiritimati"
    last = {**GOOD["events"], "start": "2099-12-31", "end": "2099-12-31", "published": "2099-12-31"}
    last["timezone"] = "Pacific/Pago_Pago"
    late = {**GOOD["events"], "start": "2099-12-31 23:59", "published": "2099-12-31"}
    late["end"] = "2099-12-31 23:59"
    news = {**GOOD["news"], "date": LATEST_DAY.isoformat(), "title": {"en": longest}}
    folders = {
        "supporters": {"supporter-one": supporter},
        "news": {"news-one": news},
        "events": {"event-first": first, "event-last": last, "event-late": late},
    }
    for today in (LATEST_DAY, date.max):
        data = load_or_problems(folders, today)
        assert data is not None and len(data.events) == 3
        render_everything(data, today)
