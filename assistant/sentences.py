"""The sentences and list items of a passage: the units the offline answer is built from.

Split here, below both ingest and answer, so the index can store a vector for every unit when it builds a
version (indexer) and the composer finds them there instead of embedding sentences per question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ITEM = re.compile(r"^([-*•]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


@dataclass(frozen=True)
class Piece:
    text: str
    is_item: bool
    ends_lead: bool  # a line ending in ":" introduces the list that follows


def pieces(text: str) -> Iterator[Piece]:
    """Paragraph sentences and list items in reading order; a list item is never split into sentences."""
    for block in re.split(r"\n\s*\n", text.strip()):
        for line in (ln.strip() for ln in block.split("\n")):
            if not line:
                continue
            if _ITEM.match(line):
                yield Piece(line, True, False)
                continue
            sentences = [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
            for i, sentence in enumerate(sentences):
                yield Piece(sentence, False, i == len(sentences) - 1 and line.endswith(":"))


def unit_texts(text: str) -> list[str]:
    return [p.text for p in pieces(text)]
