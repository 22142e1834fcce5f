"""Property-based tests of the image guard (S-IMAGE, issue 14): any image, any encoding, any wrapper is
refused; generated prose of the kind safeguarding notes hold is accepted.

The examples are bounded and derandomised (no example database), so a run is quick and the same in CI.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.media import inspect_text
from tests.security import media_corpus as corpus

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

_PRINTABLE = st.characters(min_codepoint=0x21, max_codepoint=0x7E)


@st.composite
def hidden_images(draw: st.DrawFn) -> str:
    """A real header of random size with a random body, encoded and wrapped any supported way."""
    header = draw(st.sampled_from(sorted(corpus.HEADERS)))
    build, _ = corpus.HEADERS[header]
    data = build(draw(st.integers(1, 64)), draw(st.integers(1, 64)), draw(st.binary(max_size=512)))
    encoding = draw(st.sampled_from(sorted(corpus.ENCODINGS)))
    wrapper = draw(st.sampled_from([w for w in sorted(corpus.WRAPPERS) if corpus.applicable(encoding, w)]))
    text = corpus.encoded(header, encoding, wrapper, data).text
    before = draw(st.one_of(st.just(""), st.text(_PRINTABLE, max_size=3), st.from_regex(r"[A-Za-z]{1,12} ", fullmatch=True)))
    after = draw(st.one_of(st.just(""), st.from_regex(r" [a-z ,.]{1,40}", fullmatch=True)))
    return before + text + after


@PROPERTY_SETTINGS
@given(hidden_images())
def test_an_image_is_refused_whatever_its_encoding_and_wrapping(text: str) -> None:
    assert inspect_text(text).media is not None


_WORDS = st.sampled_from(
    "the pupil said that a photo was shared in group chat on Snapchat Instagram WhatsApp DSL parents police "
    "disgybl ysgol rhieni heddlu llun wedi ar gyda élève photo partagée Zoë Siân José Ngozi Łukasz "
    "informed device confiscated switched off safe referral 101 MASH CEOP Childline review meeting".split()
)
_TOKENS = st.one_of(
    _WORDS,
    _WORDS,
    _WORDS,
    st.integers(0, 10**15).map(str),
    st.from_regex(r"[0-9a-f]{7,64}", fullmatch=True),  # commit ids and hashes
    st.from_regex(r"[A-Za-z0-9_-]{8,40}", fullmatch=True),  # usernames, document ids in links
    st.from_regex(r"[A-Z][0-9]{12}", fullmatch=True),  # UPNs
    st.from_regex(r"[0-9]{2}/[0-9]{2}/20[0-9]{2}( [0-9]{2}:[0-9]{2})?", fullmatch=True),
    st.sampled_from([value for pool in corpus.LEGITIMATE_POOLS for value in pool]),
    st.sampled_from(["😊", "👍", "📱", "🧒", "—", "«", "»", "£", "€", "…"]),
)
_JOINERS = st.sampled_from([" ", " ", " ", ", ", ". ", "; ", " - ", "\n", ": ", " / ", " (", ") "])


@st.composite
def prose(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(_TOKENS, min_size=1, max_size=120))
    return "".join(token + draw(_JOINERS) for token in tokens)


@PROPERTY_SETTINGS
@given(prose())
def test_prose_with_references_links_numbers_and_hashes_is_accepted(text: str) -> None:
    inspection = inspect_text(text)
    assert inspection.media is None and inspection.unstorable is None
