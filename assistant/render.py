"""Render an answer for a channel: JSON for the REST API and the widget, Markdown for the chat page.

The last step of the question path; the content is decided before this (service.py), so every channel
shows the same answer and the same sources.
"""

from __future__ import annotations

from typing import Any

from .service import Answer


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The REST API's and the widget's view of an answer (documented in the README)."""
    return {
        "id": answer.id,
        "answer": answer.answer,
        "sources": [
            {"n": s.n, "source": s.source, "title": s.title, "section": s.section, "text": s.text}
            for s in answer.sources
        ],
        "mode": answer.mode,
        "fallback": answer.fallback,
        "declined": answer.declined,
        "lang": answer.lang,
        "notice": answer.notice,
    }


def sources_markdown(answer: Answer) -> str:
    """Each source as a bold heading, its file, and the start of the passage quoted."""
    lines = []
    for s in answer.sources:
        snippet = s.text if len(s.text) <= 400 else s.text[:400].rsplit(" ", 1)[0] + " …"
        quoted = "\n".join("> " + ln for ln in snippet.splitlines() if ln.strip())
        lines.append(f"**[{s.n}] {s.title} — {s.section}**  \n`{s.source}`\n\n{quoted}")
    return "\n\n".join(lines)


def inert(text: str) -> str:
    """Show markup typed by a user (or echoed by a model) as text: no tag can start without '<'."""
    return text.replace("&", "&amp;").replace("<", "&lt;")
