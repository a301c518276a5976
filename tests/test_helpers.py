"""Small helpers on the data path, tested directly (milliseconds each; the suites that use them run the app).

Each test pins what the helper exists for: a password never reaches a log line, citations point at sources
the answer was given, HTML guidance keeps its structure and loses its scripts, and the lexical index matches
inflected Dutch and English words on their stems.
"""

import pytest

from assistant.db import redact
from assistant.formats import html_to_text
from assistant.lexical import tokenize
from assistant.llm import cited_numbers, strip_bad_citations


def test_redact_hides_the_password_and_keeps_the_first_line_only():
    message = "connection to postgresql://shop:s3cr3t-Pw@db.internal:5432/feedback failed\nDETAIL: more"
    out = redact(message)
    assert "s3cr3t-Pw" not in out and "DETAIL" not in out
    assert out == "connection to postgresql://shop:***@db.internal:5432/feedback failed"


@pytest.mark.parametrize("message", ["", "redis://127.0.0.1:6379/0 refused", "plain error"])
def test_redact_leaves_text_without_a_password_alone(message):
    assert redact(message) == (message.splitlines()[0] if message else "")


def test_cited_numbers_are_real_sources_in_order_of_first_use():
    assert cited_numbers("Hire one [2], then another [1] and [2] again; not [9] or [0].", 3) == [2, 1]
    assert cited_numbers("No citations at all.", 3) == []


def test_citations_of_sources_that_were_not_given_are_dropped():
    assert strip_bad_citations("Keep [1] and [3], drop [4] and [0].", 3) == "Keep [1] and [3], drop  and ."
    assert strip_bad_citations("Nothing to drop [2].", 2) == "Nothing to drop [2]."


def test_html_keeps_headings_paragraphs_and_lists_and_drops_scripts():
    raw = (
        "<html><head><title>Returns</title><style>p{color:red}</style><script>steal()</script></head>"
        "<body><h2>Returns policy</h2><p>Send it <b>back</b> within <a href='/x'>14 days</a>.</p>"
        "<ul><li>unused</li><li>in its box</li></ul><noscript>enable JS</noscript></body></html>"
    )
    text, title = html_to_text(raw)
    assert title == "Returns"
    assert text == "## Returns policy\n\nSend it back within 14 days.\n\n- unused\n- in its box"
    assert "steal" not in text and "color" not in text and "enable JS" not in text


@pytest.mark.parametrize(
    ("lang", "a", "b"),
    [
        ("en", "The customers are returning parcels", "customer returns a parcel"),
        ("nl", "De klanten sturen pakketten terug", "een klant stuurt een pakket"),
    ],
)
def test_tokenize_matches_inflected_words_on_their_stems(lang, a, b):
    left, right = set(tokenize(a, lang)), set(tokenize(b, lang))
    assert {"the", "de", "een", "a", "are"}.isdisjoint(left | right)  # stop words are not tokens
    assert len(left & right) >= 2, (left, right)  # customer/klant and parcel/pakket meet on their stems
