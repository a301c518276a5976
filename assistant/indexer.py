"""Build or refresh the index: load documents → chunk → embed → store, then publish atomically.

Incremental: a chunk's id is a hash of its place and text, and its metadata records a hash of the exact
text that was embedded (title, section and aliases included). A chunk is unchanged only when its id and
all of its metadata match the active version; its vector is reused whenever the embedded text is the same,
so only new or reworded chunks are embedded. A front-matter edit (aliases, KPIs, title) therefore still
makes a new version, embedding only the chunks whose embedded text changed.

Every ingest writes a new collection batch by batch (state "building"), checks it, marks it "ready" and
only then moves the active pointer. A killed ingest leaves a "building" collection that nobody reads and
that the next ingest deletes. Only one ingest writes at a time (a file lock, taken before anything else).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .chunking import Chunk, ChunkingOptions, chunk_documents
from .config import Settings
from .embeddings import IndexEmbeddings, make_embeddings
from .errors import AssistantError, IndexMissingError
from .ingest_lock import ingest_lock as ingest_lock
from .ingest_lock import lock_for
from .knowledge import PLAN_RULES_FILE, Problem, load_knowledge
from .plan_rules import plan_metadata
from .sentences import unit_texts
from .signals import scope_texts
from .store import IndexStore

BATCH = 64  # chunks embedded and written to Chroma at a time (a killed ingest loses at most one batch of work)
SELF_CHECK_DISTANCE = 1e-3  # cosine distance of a vector to itself, with float32 rounding


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: int = 0
    updated: int = 0  # same place in the same document, but its text or metadata changed
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0
    changed_sources: list[str] = field(default_factory=list)
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
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "embedded": self.embedded,
            "changed_sources": self.changed_sources,
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
    """Bring the index in line with `knowledge/`. `gate(version)` may veto publishing with a reason.

    The lock is taken first, so a second ingest fails (or waits) at once and a waiting one reads the
    files as they are after the first. A dry run only reads, so it takes no lock and writes nothing.
    """
    started = time.perf_counter()
    if dry_run:
        return ingest_holding_lock(settings, rebuild=rebuild, dry_run=True, progress=progress, gate=gate)
    with lock_for(settings, wait_seconds):
        return ingest_holding_lock(settings, rebuild=rebuild, progress=progress, gate=gate, started=started)


def ingest_holding_lock(
    settings: Settings,
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    gate: Callable[[str], str | None] | None = None,
    started: float | None = None,
) -> IngestReport:
    """run_ingest for a caller that already holds the ingest lock (`lock_for`), or for a dry run; the CLI
    takes the lock before importing this module, so a second ingest refuses without loading Chroma."""
    return _ingest(settings, rebuild, dry_run, progress, gate, time.perf_counter() if started is None else started)


def _open_store(settings: Settings, dry_run: bool) -> IndexStore | None:
    """The store; None for a dry run when no on-disk index exists yet (opening it would create one)."""
    if dry_run and not settings.chroma_host and not (settings.index_dir / "chroma.sqlite3").exists():
        return None
    return IndexStore(settings)


def _same_chunk(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """Same text and retrieval metadata. `doc_hash` changes with any edit elsewhere in the document, so it
    is compared separately: it alone makes a new version (with every vector reused) but no chunk "updated"."""
    if old is None:
        return False
    strip = {"doc_hash"}
    return {k: v for k, v in old.items() if k not in strip} == {
        k: v for k, v in new.items() if v is not None and k not in strip
    }


def _ingest(
    settings: Settings,
    rebuild: bool,
    dry_run: bool,
    progress: Progress | None,
    gate: Callable[[str], str | None] | None,
    started: float,
) -> IngestReport:
    report = IngestReport(dry_run=dry_run)
    loaded = load_knowledge(settings.knowledge_dir)
    plan_meta, plan_problems = plan_metadata(settings.knowledge_dir, loaded.documents)
    report.problems, report.skipped = loaded.problems + plan_problems, loaded.skipped
    report.documents = len(loaded.documents)
    chunks = chunk_documents(loaded.documents, ChunkingOptions.from_settings(settings))
    report.chunks = len(chunks)
    for chunk in chunks:
        lang = chunk.metadata["lang"]
        report.languages[lang] = report.languages.get(lang, 0) + 1
    if not chunks:
        report.message = f"No guidance found in {settings.knowledge_dir}; nothing was published."
        report.seconds = time.perf_counter() - started
        return report

    embeddings = make_embeddings(settings)
    signature = embeddings.signature
    store = _open_store(settings, dry_run)
    if store is not None and not dry_run:
        store.cleanup()  # leftovers of an interrupted ingest

    old_metas: dict[str, dict[str, Any]] = {}
    active = None
    reuse_vectors = False
    other_embedding = False  # the active version was built with another model: embed everything again
    active_meta: dict[str, Any] = {}
    if store is not None:
        try:
            info, active = store.active()
            active_meta = dict(active.metadata or {})
            other_embedding = info.embedding != signature
            reuse_vectors = not other_embedding and not rebuild
            got = active.get(include=["metadatas"])
            old_metas = {cid: dict(m or {}) for cid, m in zip(got["ids"], got["metadatas"] or [], strict=True)}
        except IndexMissingError:
            pass
        except Exception:  # noqa: BLE001 - an unreadable active version: build from scratch
            old_metas, active, reuse_vectors = {}, None, False

    wanted = {c.id for c in chunks}
    changed_sources: set[str] = set()
    for chunk in chunks:
        old = old_metas.get(chunk.id)
        if old is None:
            report.added += 1
        elif _same_chunk(old, chunk.metadata):
            report.unchanged += 1
            if old.get("doc_hash") == chunk.metadata.get("doc_hash"):
                continue
        else:
            report.updated += 1
        changed_sources.add(chunk.metadata["source"])
    for cid, meta in old_metas.items():
        if cid not in wanted:
            report.removed += 1
            changed_sources.add(str(meta.get("source", "?")))
    # The team-plan rules and role front matter travel with the version (assistant/plan_rules.py).
    if active_meta.get("plan_rules_hash") != plan_meta["plan_rules_hash"]:
        changed_sources.add(PLAN_RULES_FILE)
    plan_changed = active_meta.get("plan_hash") != plan_meta["plan_hash"]
    report.changed_sources = sorted(changed_sources)
    report.changed = rebuild or other_embedding or not old_metas or bool(changed_sources) or plan_changed

    if not report.changed:
        report.version = store.active_name() if store is not None else None
        report.message = "No changes: the index already matches the knowledge base."
    elif dry_run:
        report.message = "Dry run: nothing was written."
    else:
        assert store is not None
        reusable = _reusable_vectors(active, chunks, old_metas) if reuse_vectors else {}
        units = store.unit_vectors(active.name) if reuse_vectors and active is not None else {}
        report.version = _build_version(
            store, chunks, (reusable, units), embeddings, signature, report, progress, plan_meta
        )
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
    if store is not None and not dry_run:
        store.record_run({**report.as_dict(), "problems": [str(p) for p in report.problems[:20]]})
    return report


def _reusable_vectors(active: Any, chunks: list[Chunk], old_metas: dict[str, dict[str, Any]]) -> dict[str, np.ndarray]:
    """Vectors of the active version whose embedded text is unchanged (fetched only when building)."""
    new_hash = {c.id: c.metadata.get("content_hash") for c in chunks}
    try:
        got = active.get(include=["embeddings"])
    except Exception:  # noqa: BLE001 - unreadable vectors: embed everything again
        return {}
    return {
        cid: np.asarray(vec, dtype=np.float32)
        for cid, vec in zip(got["ids"], got["embeddings"], strict=True)
        if cid in new_hash and old_metas.get(cid, {}).get("content_hash") == new_hash[cid]
    }


def _build_version(
    store: IndexStore,
    chunks: list[Chunk],
    reuse: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    embeddings: IndexEmbeddings,
    signature: str,
    report: IngestReport,
    progress: Progress | None,
    extra_meta: dict[str, Any],
) -> str:
    """Write a new version batch by batch (embedding what cannot be reused), check it, mark it ready.

    `reuse` holds the active version's chunk vectors by id and unit vectors by text.
    """
    reusable, reusable_units = reuse
    docs = {c.metadata["source"] for c in chunks}
    collection = store.new_version(
        {
            "embedding": signature,
            "chunks": len(chunks),
            "documents": len(docs),
            "languages": ",".join(sorted({c.metadata["lang"] for c in chunks})),
            **extra_meta,
        }
    )
    probe_ids = {chunks[0].id, chunks[len(chunks) // 2].id, chunks[-1].id}
    probes: dict[str, np.ndarray] = {}
    done = 0
    try:
        if progress:
            progress(0, len(chunks))
        for start in range(0, len(chunks), BATCH):
            batch = chunks[start : start + BATCH]
            vectors = {c.id: reusable[c.id] for c in batch if c.id in reusable}
            done += len(vectors)
            need = [c for c in batch if c.id not in vectors]
            if need:
                for chunk, vec in zip(need, embeddings.embed_documents([c.page_content for c in need]), strict=True):
                    vectors[chunk.id] = np.asarray(vec, dtype=np.float32)
                done += len(need)
                report.embedded += len(need)
            collection.add(
                ids=[c.id for c in batch],
                documents=[c.page_content for c in batch],
                metadatas=[c.metadata for c in batch],
                embeddings=[vectors[c.id] for c in batch],
            )
            probes.update({cid: vectors[cid] for cid in probe_ids if cid in vectors})
            if progress:
                progress(done, len(chunks))
        _write_unit_vectors(store, collection.name, chunks, reusable_units, embeddings)
        _self_check(collection, len(chunks), probes)
        store.mark_ready(collection)
    except BaseException:
        store.drop(collection.name)
        raise
    return collection.name


def _write_unit_vectors(
    store: IndexStore, name: str, chunks: list[Chunk], reusable: dict[str, np.ndarray], embeddings: IndexEmbeddings
) -> None:
    """Every sentence, list item and heading of the new version, embedded once here, not per question; and the
    texts every question is compared with (signals.py: off-topic examples, topic descriptions, example
    questions), so a server finds them here instead of embedding them at each start (~0.4 s of CPU)."""
    units = [u for c in chunks for u in unit_texts(str(c.metadata.get("text") or ""))]
    headings = [str(c.metadata.get("section") or c.metadata.get("title") or "") for c in chunks]
    scope = [text for group in scope_texts() for text in group]
    texts = [x for x in dict.fromkeys(units + headings + scope) if x]
    need = [x for x in texts if x not in reusable]
    fresh = dict(zip(need, np.asarray(embeddings.embed_many(need), dtype=np.float32), strict=True)) if need else {}
    vectors = np.stack([reusable[x] if x in reusable else fresh[x] for x in texts]) if texts else np.zeros((0, 1))
    if texts:
        store.write_unit_vectors(name, texts, vectors)


def _self_check(collection: Any, expected: int, probes: dict[str, np.ndarray]) -> None:
    """The new version holds every chunk and finds a stored vector as its own nearest neighbour.

    Two chunks may embed the same text (a paragraph repeated in two documents), so the check is on the
    distance of the nearest hit, not on its id.
    """
    count = collection.count()
    if count != expected:
        raise AssistantError(f"new index holds {count} chunks instead of {expected}; nothing was published")
    stored = collection.get(ids=list(probes), include=[])
    if set(stored["ids"]) != set(probes):
        raise AssistantError("new index lost chunks it was given; nothing was published")
    res = collection.query(query_embeddings=[v.tolist() for v in probes.values()], n_results=1, include=["distances"])
    if any(not d or d[0] > SELF_CHECK_DISTANCE for d in res["distances"]):
        raise AssistantError("new index failed its self-check query; nothing was published")
