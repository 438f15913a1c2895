"""Language negotiation at / (RFC 4647 lookup with RFC 9110 quality values), in Python."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from negotiation_cases import CASES, EU
from serving.negotiation import LanguageRange, lookup, negotiate, parse_accept_language


@pytest.mark.parametrize(("header", "expected"), CASES)
def test_negotiation_table(header, expected):
    assert negotiate(header, EU, "en") == expected


def test_parse_keeps_order_and_quality():
    assert parse_accept_language("de-AT, de;q=0.9 , *;q=0.1") == [
        LanguageRange("de-at", 1.0),
        LanguageRange("de", 0.9),
        LanguageRange("*", 0.1),
    ]


def test_parse_drops_malformed_entries_only():
    assert parse_accept_language("fi;q=7, ;q=1, sv,,e n, da;q=0.50") == [
        LanguageRange("sv", 1.0),
        LanguageRange("da", 0.5),
    ]


def test_none_header_means_no_preference():
    assert negotiate(None, EU, "en") is None


tags = st.sampled_from([*EU, "sw", "zh", "*", "en-GB", "de-AT", "pt-BR"])
qualities = st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0])


@given(st.lists(st.tuples(tags, qualities), max_size=6))
def test_result_is_never_an_excluded_or_unoffered_language(entries):
    ranges = [LanguageRange(tag.lower(), q) for tag, q in entries]
    chosen = lookup(ranges, EU, "en")
    excluded = {r.range for r in ranges if r.quality == 0}
    if chosen is not None:
        assert chosen in EU
        assert chosen not in excluded


@given(st.lists(st.tuples(tags, qualities), min_size=1, max_size=6))
def test_a_language_asked_for_with_top_quality_is_chosen(entries):
    ranges = [LanguageRange(tag.lower(), q) for tag, q in entries]
    top = max(r.quality for r in ranges)
    first = next(r for r in ranges if r.quality == top)
    chosen = lookup(ranges, EU, "en")
    excluded = {r.range for r in ranges if r.quality == 0}
    if top > 0 and first.range in EU and first.range not in excluded:
        assert chosen == first.range
