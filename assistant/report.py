"""The gaps report: what owners asked that the guidance could not answer, and what they disliked.

Declined questions are grouped by meaning (the same multilingual embedding as the index), so "btw
tarief" and "what VAT rate" land together and maintainers see one topic to write, not twenty questions.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from .config import Settings
from .db import open_database
from .embeddings import make_embeddings
from .feedback import FeedbackStore

SAME_TOPIC = 0.40  # questions on one topic score 0.4–0.8 with this model; different topics below 0.3


def group_questions(questions: list[str], embed_many: Callable[[list[str]], np.ndarray]) -> list[list[str]]:
    """Greedy grouping: each question joins the first group whose first question is similar enough."""
    if not questions:
        return []
    vectors = embed_many(questions)
    groups: list[tuple[np.ndarray, list[str]]] = []
    for question, vec in zip(questions, vectors, strict=True):
        for centre, members in groups:
            if float(centre @ vec) >= SAME_TOPIC:
                members.append(question)
                break
        else:
            groups.append((vec, [question]))
    return sorted((members for _, members in groups), key=len, reverse=True)


def build_report(settings: Settings, days: int = 30) -> dict[str, Any]:
    database = open_database(settings)  # SQLite under the data directory, or the shared ASSISTANT_DATABASE_URL
    database.ensure_schema()
    rows = FeedbackStore(database).rows(days)
    database.dispose()
    answers = rows["answers"]
    declined = [q for _, q, _, d, _ in answers if d]
    topics: Counter[str] = Counter()
    for _, _, _, d, sources in answers:
        if not d:
            first = (json.loads(sources or "[]") or [None])[0]
            if first:
                topics[first.split("/", 1)[-1]] += 1
    embeddings = make_embeddings(settings)
    return {
        "days": days,
        "questions": len(answers),
        "declined": len(declined),
        "declined_groups": [
            {"count": len(g), "examples": g[:5]} for g in group_questions(declined, embeddings.embed_many)
        ],
        "thumbs_down": [  # each answer once, however many clients rated it down
            {"question": q, "answer": a[:300], "comment": "; ".join(cs), "comments": cs, "votes": n}
            for q, a, cs, n in rows["down"]
        ],
        "top_topics": [{"section": s, "count": n} for s, n in topics.most_common(15)],
    }


def format_report(report: dict[str, Any]) -> str:
    out = [
        f"Gaps report, last {report['days']} days: {report['questions']} questions, "
        f"{report['declined']} not answerable from the guidance.",
        "",
        "Questions the guidance could not answer (grouped by topic; write guidance for the top ones):",
    ]
    if not report["declined_groups"]:
        out.append("  (none)")
    for group in report["declined_groups"]:
        out.append(f"  {group['count']:>3} × " + " | ".join(group["examples"]))
    out += ["", "Answers rated thumbs down:"]
    if not report["thumbs_down"]:
        out.append("  (none)")
    for item in report["thumbs_down"]:
        comment = f" — comment: {item['comment']}" if item["comment"] else ""
        votes = f" ({item['votes']} ×)" if item.get("votes", 1) > 1 else ""
        out.append(f"  Q: {item['question']}{votes}{comment}")
    out += ["", "Most asked topics (by the guidance section that answered):"]
    if not report["top_topics"]:
        out.append("  (none)")
    for item in report["top_topics"]:
        out.append(f"  {item['count']:>3} × {item['section']}")
    return "\n".join(out)
