"""Property tests of the YAML loader: any file gives a valid record or plain problems, no crash.

Hypothesis writes arbitrary text, arbitrary bytes, arbitrary YAML documents and valid records
with one field replaced by an arbitrary value, and loads each as a supporter, news item and
event file. The loader must return either exactly one record (of the model's type) and no
problem, or no record and problems that each name the file, without raising anything.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

from directory.data_loading import load_folder
from directory.events import Event
from directory.news import NewsItem
from directory.supporters import Supporter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from multilingual.errors import PortalError
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
