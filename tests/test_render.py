"""render.markdown_html: the one place answer text becomes HTML, so nothing typed or generated can inject markup."""

import re

from assistant.render import markdown_html
from assistant.service import Source

ALLOWED = {"p", "ul", "ol", "li", "strong", "em", "code", "br", "a"}


def src(n: int) -> Source:
    return Source(n, f"en/roles/r{n}.md", "Title", "Section", "text", "en", 1.0)


def test_the_answer_markdown_becomes_the_allowed_tags():
    out = markdown_html(
        "**Q?**\n\nTrack:\n- **CSAT:** a *score* [1]\n- `NPS`\n\n1. first\n2. second [2]", [src(1), src(2)]
    )
    assert out == (
        "<p><strong>Q?</strong></p><p>Track:</p><ul><li><strong>CSAT:</strong> a <em>score</em> "
        '<a href="#src-1" class="cite" data-n="1">[1]</a></li><li><code>NPS</code></li></ul>'
        '<ol><li>first</li><li>second <a href="#src-2" class="cite" data-n="2">[2]</a></li></ol>'
    )


def test_markup_in_text_is_escaped_and_only_allowed_tags_come_out():
    hostile = (
        '<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) "quoted" '
        "**<b>bold</b>** [7] <a href='http://evil'>link</a>"
    )
    out = markdown_html(hostile, [src(1)], cite_prefix="src-abc-")
    tags = {m.lower() for m in re.findall(r"</?([a-zA-Z0-9]+)", out)}
    assert tags <= ALLOWED, tags
    assert "<script" not in out and "<img" not in out and "javascript:" not in out.replace("[x](javascript:", "")
    assert "&lt;script&gt;" in out and "&quot;quoted&quot;" in out
    assert "[7]" in out and 'href="#src-abc-7"' not in out  # a citation of no source stays plain text
    assert re.findall(r'href="([^"]*)"', out) == []  # no source 1 cited: no link at all


def test_cite_links_point_only_at_the_answers_sources():
    out = markdown_html("See [1] and [2].", [src(2)], cite_prefix="src-abc-")
    assert re.findall(r'href="([^"]*)"', out) == ["#src-abc-2"]


def test_the_only_other_link_is_the_apps_own_plan_tab():
    """The plan pointer (plan_intent.plan_link) becomes a link, opened in a new tab (the widget sits in an
    iframe on the shop's site); any other link, or a plan link with something smuggled in, stays text."""
    out = markdown_html(
        "_Use the builder: [Team plan](/?tab=plan&lang=en&people=2)._ [a](https://evil.example/?tab=plan) "
        '[b](/?tab=plan&lang=en"onmouseover=alert(1)) [c](//evil.example/?tab=plan) [d](/admin?tab=plan)'
    )
    links = re.findall(r"<a [^>]*>", out)
    assert links == ['<a href="/?tab=plan&amp;lang=en&amp;people=2" class="plan-link" target="_blank" rel="noopener">']
    assert "evil.example" in out and "onmouseover" in out  # shown as text, inert
    assert {m.lower() for m in re.findall(r"</?([a-zA-Z0-9]+)", out)} <= ALLOWED
