"""Build or refresh the index: load documents → chunk → embed → store, then publish atomically.

Incremental: a chunk's id is a hash of its place and text, so only chunks that are new or changed are
embedded; vectors of unchanged chunks are copied from the active version. Nothing is published until
the new version is complete and checked, and only one ingest writes at a time.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document

from .chunking import ChunkingOptions, chunk_documents
from .config import Settings
from .embeddings import make_embeddings
from .errors import AssistantError, IndexMissingError, IngestLockedError
from .knowledge import Problem, load_knowledge
from .store import IndexStore

BATCH = 256


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    version: str | None = None
    published: bool = False
    changed: bool = True
    dry_run: bool = False
    seconds: float = 0.0
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.skipped and not any(p.severity == "error" for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "languages": self.languages,
            "added": self.added,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "embedded": self.embedded,
            "skipped": self.skipped,
            "problems": [str(p) for p in self.problems],
            "version": self.version,
            "published": self.published,
            "changed": self.changed,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 2),
            "ok": self.ok,
            "message": self.message,
        }


@contextmanager
def ingest_lock(data_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """One writer at a time. The OS releases the lock if the process dies, so a kill -9 never wedges it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown process"
                    raise IngestLockedError(holder) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(fd)


Progress = Callable[[int, int], None]


def run_ingest(
    settings: Settings,
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    wait_seconds: float = 0.0,
    progress: Progress | None = None,
    gate: Callable[[str], str | None] | None = None,
) -> IngestReport:
    """Bring the index in line with `knowledge/`. `gate(version)` may veto publishing with a reason."""
    started = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    loaded = load_knowledge(settings.knowledge_dir)
    report.problems, report.skipped = loaded.problems, loaded.skipped
    report.documents = len(loaded.documents)
    chunks = chunk_documents(loaded.documents, ChunkingOptions(settings.chunk_size, settings.chunk_overlap))
    report.chunks = len(chunks)
    for chunk in chunks:
        lang = chunk.metadata["lang"]
        report.languages[lang] = report.languages.get(lang, 0) + 1
    if not chunks:
        report.message = f"No guidance found in {settings.knowledge_dir}; nothing was published."
        report.seconds = time.perf_counter() - started
        return report

    embeddings = make_embeddings(settings)
    signature = getattr(embeddings, "signature", "unknown")

    with ingest_lock(settings.data_dir, wait_seconds):
        store = IndexStore(settings)
        if not dry_run:
            store.cleanup()
        existing: dict[str, list[float]] = {}
        try:
            info, active = store.active()
            if info.embedding == signature and not rebuild:
                got = active.get(include=["embeddings"])
                existing = dict(zip(got["ids"], got["embeddings"], strict=True))
        except IndexMissingError:
            pass
        except AssistantError:
            existing = {}  # unreadable active version: rebuild from scratch

        wanted = {c.id: c for c in chunks}
        report.unchanged = sum(1 for cid in wanted if cid in existing)
        report.added = len(wanted) - report.unchanged
        report.removed = sum(1 for cid in existing if cid not in wanted)
        report.changed = rebuild or not existing or report.added > 0 or report.removed > 0
        if not report.changed:
            report.version = store.active_name()
            report.message = "No changes: the index already matches the knowledge base."
        elif dry_run:
            report.message = "Dry run: nothing was written."
        else:
            report.version = _build_version(store, chunks, existing, embeddings, signature, report, progress)
            veto = gate(report.version) if gate else None
            if veto:
                store.drop(report.version)
                report.message = f"Not published: {veto}"
            else:
                store.publish(report.version)
                store.cleanup()
                report.published = True
                report.message = f"Published version {report.version}."
        report.seconds = time.perf_counter() - started
        if not dry_run:
            store.record_run({**report.as_dict(), "problems": [str(p) for p in report.problems[:20]]})
    return report


def _build_version(
    store: IndexStore,
    chunks: list[Document],
    existing: dict[str, list[float]],
    embeddings: Any,
    signature: str,
    report: IngestReport,
    progress: Progress | None,
) -> str:
    to_embed = [c for c in chunks if c.id not in existing]
    vectors: dict[str, np.ndarray] = {
        cid: np.asarray(existing[cid], dtype=np.float32) for cid in (c.id for c in chunks) if cid in existing
    }
    done = len(vectors)
    if progress:
        progress(done, len(chunks))
    for start in range(0, len(to_embed), 32):
        batch = to_embed[start : start + 32]
        for chunk, vec in zip(batch, embeddings.embed_documents([c.page_content for c in batch]), strict=True):
            vectors[chunk.id] = np.asarray(vec, dtype=np.float32)
        done += len(batch)
        report.embedded += len(batch)
        if progress:
            progress(done, len(chunks))

    docs = {c.metadata["source"] for c in chunks}
    collection = store.new_version(
        {
            "embedding": signature,
            "chunks": len(chunks),
            "documents": len(docs),
            "languages": ",".join(sorted({c.metadata["lang"] for c in chunks})),
        }
    )
    try:
        for start in range(0, len(chunks), BATCH):
            batch = chunks[start : start + BATCH]
            collection.add(
                ids=[c.id for c in batch],
                documents=[c.page_content for c in batch],
                metadatas=[c.metadata for c in batch],
                embeddings=[vectors[c.id] for c in batch],
            )
        if collection.count() != len(chunks):
            raise AssistantError(
                f"new index holds {collection.count()} chunks instead of {len(chunks)}; nothing was published"
            )
        probe = collection.query(query_embeddings=[vectors[chunks[0].id].tolist()], n_results=1)
        if not probe["ids"] or probe["ids"][0][0] != chunks[0].id:
            raise AssistantError("new index failed its self-check query; nothing was published")
        store.mark_ready(collection)
    except BaseException:
        store.drop(collection.name)
        raise
    return collection.name


def rollback(settings: Settings) -> str:
    with ingest_lock(settings.data_dir):
        return IndexStore(settings).rollback()
