"""Split documents into chunks that each answer one thing, with the metadata that shows where they came from.

Headings first (a section of guidance is the natural unit of an answer), then size. The text that is
embedded and searched carries the document title, the section path and, for roles, the role's aliases,
so that "KPIs" under the customer-service role is found by "klantenservice KPI's".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from .config import Settings
from .knowledge import SourceDocument

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


class Chunk(Document):
    """A passage ready for the index: unlike a LangChain Document, it always has its id."""

    id: str


@dataclass(frozen=True)
class ChunkingOptions:
    """Sizes in characters; chunk_size and chunk_overlap come from the settings (their one default is there)."""

    chunk_size: int
    chunk_overlap: int
    faq_chunk_size: int = 2400  # an FAQ answer stays whole with its question

    @classmethod
    def from_settings(cls, settings: Settings) -> ChunkingOptions:
        return cls(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)


def context_text(title: str, section: str, body: str, aliases: str = "") -> str:
    """The text that is embedded and indexed: where the passage sits, then the passage."""
    head = title if not section or section == title else f"{title} — {section}"
    if aliases:
        head += f" ({aliases})"
    return f"{head}\n{body}"


def _chunk_id(doc: SourceDocument, section: str, ordinal: int, body: str) -> str:
    key = f"{doc.lang}\x1f{doc.doc_id}\x1f{section}\x1f{ordinal}\x1f{body}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def chunk_document(doc: SourceDocument, options: ChunkingOptions) -> list[Chunk]:
    size = options.faq_chunk_size if doc.doc_type == "faq" else options.chunk_size
    header_splitter = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True)
    size_splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=options.chunk_overlap,
        separators=["\n\n", "\n- ", "\n", ". ", " ", ""],
    )
    sections = header_splitter.split_text(doc.text) or [Document(page_content=doc.text)]
    aliases = doc.meta.get("aliases", "") if doc.doc_type == "role" else ""
    symptoms = doc.meta.get("symptoms", "") if doc.doc_type == "role" else ""  # matched, not indexed (roles.py)
    chunks: list[Chunk] = []
    position = 0
    for part in sections:
        headings = [part.metadata[k] for _, k in _HEADERS if part.metadata.get(k)]
        # The document's own H1 repeats the title; keep it out of the section path.
        if headings and headings[0] == doc.title:
            headings = headings[1:]
        section = " > ".join(headings) or doc.title
        pieces = size_splitter.split_text(part.page_content.strip())
        for ordinal, body in enumerate(p.strip() for p in pieces):
            if not body:
                continue
            text = context_text(doc.title, section, body, aliases)
            metadata = {
                "doc_id": doc.doc_id,
                "source": doc.source,
                "title": doc.title,
                "section": section,
                "lang": doc.lang,
                "doc_type": doc.doc_type,
                "role_id": doc.role_id or "",
                "aliases": aliases,
                "symptoms": symptoms,
                "text": body,
                "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
                "doc_hash": doc.content_hash,
                "position": position,  # n-th chunk of the document: links a passage to its translation
            }
            position += 1
            chunks.append(Chunk(page_content=text, metadata=metadata, id=_chunk_id(doc, section, ordinal, body)))
    return chunks


def chunk_documents(docs: list[SourceDocument], options: ChunkingOptions) -> list[Chunk]:
    out: list[Chunk] = []
    seen: set[str] = set()
    for doc in docs:
        for chunk in chunk_document(doc, options):
            if chunk.id in seen:  # identical passage twice in one section: keep one
                continue
            seen.add(chunk.id)
            out.append(chunk)
    return out
