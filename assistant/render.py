"""Render an answer for a channel: JSON for the REST API and the widget, HTML for the chat page.

The last step of the question path; the content is decided before this (service.py), so every channel
shows the same answer and the same sources. `markdown_html` is the one place answer text becomes HTML:
everything is escaped first, then only a small allow-list of tags is produced (p, ul, ol, li, strong, em,
code, br, `a` pointing at a source of the same answer, and `a` to the app's own plan tab), so neither a
question nor a model's output can inject markup into a page.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .service import Answer, Source

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[_*](?![\s_*])(.+?)(?<![\s_*])[_*](?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_CITE = re.compile(r"\[(\d{1,2})\]")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
# The one other link an answer may hold: the app's own plan tab (plan_intent.plan_link), matched on the
# escaped text, with a short label and only short word-like query values. Any other [x](url) stays text.
_PLAN_LINK = re.compile(r"\[([^\[\]<>]{1,60})\]\((/\?tab=plan(?:&amp;[a-z]{1,12}=[\w%.-]{0,24}){0,6})\)")


def _inline(text: str, cite_prefix: str, known: set[int]) -> str:
    out = html.escape(text, quote=True)
    out = _PLAN_LINK.sub(r'<a href="\2" class="plan-link" target="_blank" rel="noopener">\1</a>', out)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)

    def cite(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        return f'<a href="#{cite_prefix}{n}" class="cite" data-n="{n}">[{n}]</a>'

    return _CITE.sub(cite, out)


def markdown_html(text: str, sources: list[Source] | None = None, cite_prefix: str = "src-") -> str:
    """A safe HTML rendering of the Markdown subset answers use (paragraphs, lists, bold, italics, [n])."""
    known = {s.n for s in sources or []}
    blocks: list[str] = []
    para: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal kind
        if para:
            blocks.append("<p>" + "<br>".join(para) + "</p>")
            para.clear()
        if items:
            blocks.append(f"<{kind}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{kind}>")
            items.clear()
        kind = ""

    for line in text.splitlines():
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            flush()
        elif bullet or numbered:
            want = "ul" if bullet else "ol"
            if para or (items and kind != want):
                flush()
            kind = want
            items.append(_inline((bullet or numbered).group(1), cite_prefix, known))  # type: ignore[union-attr]
        else:
            if items:
                flush()
            heading = _HEADING.match(line)
            para.append(
                f"<strong>{_inline(heading.group(1), cite_prefix, known)}</strong>"
                if heading
                else _inline(line.strip(), cite_prefix, known)
            )
    flush()
    return "".join(blocks)


def source_label(s: Source) -> str:
    """What an owner reads for a source: the document's title and the section, not its file path."""
    return f"{s.title} — {s.section}" if s.section and s.section != s.title else s.title


def excerpt(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The REST API's and the widget's view of an answer (documented in the README)."""
    return {
        "id": answer.id,
        "answer": answer.answer,
        "html": markdown_html(answer.answer, answer.sources),
        "sources": [
            {
                "n": s.n,
                "source": s.source,
                "title": s.title,
                "section": s.section,
                "text": s.text,
                "html": markdown_html(excerpt(s.text)),
            }
            for s in answer.sources
        ],
        "mode": answer.mode,
        "fallback": answer.fallback,
        "declined": answer.declined,
        "lang": answer.lang,
        "notice": answer.notice,
    }


def sources_markdown(answer: Answer) -> str:
    """Each source as a bold heading, its file, and the start of the passage quoted (the Gradio API's text)."""
    lines = []
    for s in answer.sources:
        quoted = "\n".join("> " + ln for ln in excerpt(s.text).splitlines() if ln.strip())
        lines.append(f"**[{s.n}] {source_label(s)}**  \n{s.source}\n\n{quoted}")
    return "\n\n".join(lines)


def sources_html(answer: Answer, heading: str, prefix: str) -> str:
    """The chat page's sources panel: one expandable item per source (title and section, then the excerpt)."""
    items = []
    for s in answer.sources:
        body = markdown_html(excerpt(s.text))
        items.append(
            f'<details class="src" id="{prefix}{s.n}"><summary>[{s.n}] {html.escape(source_label(s))}</summary>'
            f'<div class="src-body">{body}<p class="src-path">{html.escape(s.source)}</p></div></details>'
        )
    return (
        f'<div class="sources"><p class="sources-head"><strong>{html.escape(heading)} ({len(answer.sources)})'
        f"</strong></p>{''.join(items)}</div>"
    )


def inert(text: str) -> str:
    """Show markup typed by a user (or echoed by a model) as text: no tag can start without '<', and no Markdown
    image or link can form without '[' (a pasted `![x](https://…)` would otherwise load from another site)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("[", "&#91;").replace("]", "&#93;")
