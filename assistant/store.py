"""The Chroma store: versioned collections and one "active version" pointer.

Every ingest builds a new collection and then flips the pointer in a single metadata update, so readers
never see a half-built index, and the previous few versions stay for rollback. The pointer lives in Chroma
itself (the metadata of a small `assistant_meta` collection), so it works the same for an on-disk store
and for several app replicas sharing one Chroma server.

Chroma binds a collection handle to the collection's id: a handle to a deleted version fails. Readers
therefore resolve the pointer on every question and reopen when it moved (see retrieval.IndexReader).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from .config import Settings
from .disk import storage_problem
from .embeddings import chroma_embedding_function, use_chroma_function
from .errors import AssistantError, IndexCorruptError, IndexMissingError

META_COLLECTION = "assistant_meta"
PREFIX = "kb_"
VECTORS_PREFIX = "vec_"  # + version name: that version's unit vectors (sentences.py), written at ingest
KEEP_VERSIONS = 3
_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class VersionInfo:
    name: str
    embedding: str
    built_at: str
    chunks: int
    documents: int
    languages: str
    state: str = ""  # "building" until the version is complete and checked, then "ready"

    @classmethod
    def from_metadata(cls, name: str, meta: dict[str, Any] | None) -> VersionInfo:
        meta = meta or {}
        return cls(
            name=name,
            embedding=str(meta.get("embedding", "")),
            built_at=str(meta.get("built_at", "")),
            chunks=int(meta.get("chunks", 0) or 0),
            documents=int(meta.get("documents", 0) or 0),
            languages=str(meta.get("languages", "")),
            state=str(meta.get("state", "")),
        )


# chromadb shares one System per on-disk path within a process and publishes it before starting it: a second
# thread that opens the same path meanwhile gets a System without its bindings, fails, and on the way out
# stops the System the first thread is still starting (seen as "Could not connect to tenant default_tenant"
# when the chat page opened the store while the index loader did). Opening is serialised; reading is not.
_OPEN_LOCK = threading.Lock()


def make_client(settings: Settings) -> ClientAPI:
    """An on-disk client by default; a Chroma server when ASSISTANT_CHROMA_HOST is set."""
    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001 - chromadb raises a bare ValueError when it cannot connect
            raise AssistantError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({type(exc).__name__}). Start it, or unset ASSISTANT_CHROMA_HOST to use the on-disk index."
            ) from exc
    problem = storage_problem(settings.data_dir)
    if problem and "read-only" in problem:
        raise AssistantError(problem[0].upper() + problem[1:] + " (point ASSISTANT_DATA_DIR at a writable one).")
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with _OPEN_LOCK:
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


class IndexStore:
    def __init__(self, settings: Settings, client: ClientAPI | None = None) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        self.where = (
            f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else str(settings.index_dir)
        )

    # -- the pointer -------------------------------------------------------------------------------
    def _meta(self) -> Collection:
        """The pointer collection, created on first write. Readers use `pointer()`, which never creates it."""
        return self.client.get_or_create_collection(META_COLLECTION, embedding_function=use_chroma_function())

    def pointer(self) -> dict[str, Any]:
        """The pointer's metadata; empty when nothing was ever published. Read-only (asked on every question)."""
        try:
            meta = self.client.get_collection(META_COLLECTION, embedding_function=use_chroma_function())
        except NotFoundError:
            return {}
        except Exception as exc:  # noqa: BLE001 - any store failure means the same thing to the user
            raise IndexCorruptError(f"{type(exc).__name__} while reading the active version") from exc
        return dict(meta.metadata or {})

    def active_name(self) -> str | None:
        return self.pointer().get("active") or None

    def history(self) -> list[str]:
        raw = self.pointer().get("history") or ""
        return [n for n in str(raw).split(",") if n]

    def _write_pointer(self, **changes: Any) -> None:
        meta = self.pointer()
        meta.update({k: v for k, v in changes.items() if v is not None})
        meta["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self._meta().modify(metadata=meta)

    def publish(self, name: str) -> None:
        """Make `name` the active version in one metadata update; remember the previous ones."""
        old = [n for n in self.history() if n != name]
        self._write_pointer(active=name, history=",".join([name, *old][: KEEP_VERSIONS + 2]))

    def rollback(self) -> str:
        history = [n for n in self.history() if n in self.version_names()]
        active = self.active_name()
        previous = [n for n in history if n != active]
        if not active:
            raise IndexMissingError(self.where)
        if not previous:
            raise AssistantError(
                f"Nothing to roll back to: {active} is the only version kept in {self.where}. "
                "Rollback needs an earlier ingest that published a version."
            )
        target = previous[0]
        self._write_pointer(active=target, history=",".join([target, *[n for n in history if n != target]]))
        return target

    def record_run(self, outcome: dict[str, Any]) -> None:
        self._write_pointer(last_run=json.dumps(outcome, ensure_ascii=False)[:4000])

    def last_run(self) -> dict[str, Any] | None:
        raw = self.pointer().get("last_run")
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    # -- versions -----------------------------------------------------------------------------------
    def version_names(self) -> list[str]:
        return sorted(c.name for c in self.client.list_collections() if c.name.startswith(PREFIX))

    def published_versions(self) -> list[str]:
        """Versions that were completed and checked; what a killed ingest left half-built is not one of them."""
        names = []
        for collection in self.client.list_collections():
            if collection.name.startswith(PREFIX) and (collection.metadata or {}).get("state") != "building":
                names.append(collection.name)
        return sorted(names)

    def open(self, name: str) -> Collection:
        return self.client.get_collection(name, embedding_function=chroma_embedding_function(self.settings))

    def info(self, name: str) -> VersionInfo:
        return VersionInfo.from_metadata(name, self.open(name).metadata)

    def active(self) -> tuple[VersionInfo, Collection]:
        """The active version and a handle to it, or a clear error when there is none."""
        name = self.active_name()
        if not name:
            raise IndexMissingError(self.where)
        try:
            collection = self.open(name)
        except Exception as exc:  # noqa: BLE001
            raise IndexCorruptError(f"active version {name} cannot be opened: {type(exc).__name__}") from exc
        return VersionInfo.from_metadata(name, collection.metadata), collection

    def new_version(self, metadata: dict[str, Any]) -> Collection:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        name = f"{PREFIX}{stamp}_{secrets.token_hex(3)}"
        meta = {**metadata, "built_at": datetime.now(UTC).isoformat(timespec="seconds"), "state": "building"}
        return self.client.create_collection(
            name,
            metadata=meta,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=chroma_embedding_function(self.settings),
        )

    def mark_ready(self, collection: Collection) -> None:
        meta = dict(collection.metadata or {})
        meta["state"] = "ready"
        collection.modify(metadata=meta)

    def drop(self, name: str) -> None:
        for collection in (name, VECTORS_PREFIX + name):
            try:
                self.client.delete_collection(collection)
            except Exception:  # noqa: BLE001 - already gone is fine
                pass

    # -- unit vectors: one per sentence or list item of the version's passages ------------------------
    def write_unit_vectors(self, name: str, texts: list[str], vectors: np.ndarray, batch: int = 1000) -> None:
        """Stored beside the version, in Chroma, so replicas on one Chroma server share them too."""
        collection = self.client.create_collection(
            VECTORS_PREFIX + name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        ids = [hashlib.sha256(text.encode("utf-8")).hexdigest()[:24] for text in texts]
        for start in range(0, len(texts), batch):
            end = start + batch
            collection.add(ids=ids[start:end], documents=texts[start:end], embeddings=vectors[start:end])

    def unit_vectors(self, name: str) -> dict[str, np.ndarray]:
        """The version's unit vectors by text; empty for a version built before they were stored."""
        try:
            collection = self.client.get_collection(VECTORS_PREFIX + name, embedding_function=None)
            got = collection.get(include=["documents", "embeddings"])
        except Exception:  # noqa: BLE001 - missing or unreadable: the composer embeds what it needs
            return {}
        vectors = got["embeddings"]
        if vectors is None:
            return {}
        return {
            str(text): np.asarray(vec, dtype=np.float32)
            for text, vec in zip(got["documents"] or [], vectors, strict=True)
        }

    def cleanup(self, keep: int = KEEP_VERSIONS) -> list[str]:
        """Delete versions that are neither active nor among the last `keep` published ones.

        This also removes what a killed ingest left half-built.
        """
        wanted = set(self.history()[:keep])
        active = self.active_name()
        if active:
            wanted.add(active)
        names = self.version_names()
        dropped = [n for n in names if n not in wanted]
        for name in dropped:
            self.drop(name)
        kept = set(names) - set(dropped)
        for collection in self.client.list_collections():
            if collection.name.startswith(VECTORS_PREFIX) and collection.name[len(VECTORS_PREFIX) :] not in kept:
                self.drop(collection.name[len(VECTORS_PREFIX) :])  # a killed ingest's unit vectors
        self.sweep_files()
        return dropped

    def sweep_files(self) -> list[str]:
        """Remove vector-index directories of deleted versions from an on-disk store.

        Chroma 1.x deletes a collection's rows but leaves its HNSW directory (`index/<segment id>/`) on disk
        (chroma-core/chroma#5520), so every published version would leak one. A directory is removed only
        when Chroma's own table of segments no longer names it. The directories are listed before the table
        is read, so one created meanwhile is always in the table. Run under the ingest lock.
        """
        if self.settings.chroma_host:
            return []  # a server manages its own disk
        root = self.settings.index_dir
        candidates = [p for p in root.iterdir() if p.is_dir() and _SEGMENT_DIR.match(p.name)]
        if not candidates:
            return []
        try:
            with closing(sqlite3.connect(f"file:{root / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=10)) as db:
                live = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
        except sqlite3.Error:
            return []  # not the layout we know: leave the files alone
        removed = []
        for path in candidates:
            if path.name not in live:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed
