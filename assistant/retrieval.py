"""Find the guidance that answers a question: dense (Chroma) and BM25, fused, language-aware.

The search returns the best passages and the signals the scope decision needs (signals.py); whether they
answer the question is decided in the next step (scope.py), not here. The reader resolves the active index
version on every question, so a re-ingest is picked up on the next question without a restart; a handle to
a version that was deleted in between is reopened once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .config import Settings
from .embeddings import IndexEmbeddings
from .errors import AssistantError, EmbeddingMismatchError
from .intent import passage_facet, question_facets, with_asked_part
from .language import detect_language, exclusive_vocabulary
from .lexical import LexicalIndex
from .roles import (
    each_role,
    named_roles,
    role_symptoms,
    role_terms,
    subject_role,
    symptom_roles,
    symptom_sections,
)
from .series import asks_for_step, overview_to_show, with_asked_step
from .signals import INFORMAL, ScopeSignals, bank_signal, load_bank, load_topics, scope_texts, uses_domain_words
from .store import IndexStore, VersionInfo

CANDIDATES = 64  # passages each of dense, BM25 and heading similarity put forward before fusion
PART_POOL = 12  # passages past the top k searched for a section of the guide part a question asks for


@dataclass(frozen=True)
class FusionWeights:
    """How the hybrid search mixes its evidence; passed in, so a bench or a test can try other values.

    semantic = (1 - heading) * passage similarity + heading * section-heading similarity,
               each the max of its own and twin * its translation's
    score = dense * semantic + lexical * BM25 / best BM25 for this question
            - other_lang_penalty if the passage is not in the asker's language
            + facet_bonus if the section gives the kind of answer asked for (KPIs, when to hire, …: intent.py)
            + subject_bonus if the passage is about the role whose section the question asks for (subject_role)
    The defaults were tuned on eval/gold.jsonl; bench/sweep_fusion.py re-runs the grid and shows they sit
    on a flat optimum (README, "Tuning").
    """

    lexical: float = 0.2
    heading: float = 0.25
    twin: float = 0.9
    other_lang_penalty: float = 0.1
    facet_bonus: float = 0.06
    subject_bonus: float = 0.08
    dense: float = 1.0  # 0 leaves BM25 (and the bonuses) alone: the bench's "BM25 only" baseline


@dataclass
class Hit:
    id: str
    text: str
    metadata: dict[str, Any]
    score: float
    dense: float
    lexical: float

    @property
    def lang(self) -> str:
        return str(self.metadata.get("lang", ""))


@dataclass
class Retrieval:
    """The passages found for a question and the signals the scope decision reads."""

    question: str
    lang: str
    hits: list[Hit]
    best_dense: float
    version: str
    scope: ScopeSignals
    query_vector: np.ndarray | None = field(default=None, repr=False)
    relevant: bool = False  # set by the decide step (scope.decide): until then, nothing is relevant
    decided_by: str = ""  # which signal decided (scope.decide), for search --json, eval output and logs


@dataclass
class _Snapshot:
    info: VersionInfo
    collection: Any
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    lexical: LexicalIndex
    position: dict[str, int]
    role_terms: dict[str, list[str]]
    symptoms: dict[str, list[str]]  # per role, the owners' words for the problems it deals with
    twin: dict[str, str]
    headings: np.ndarray  # one row per chunk: the embedding of its section heading
    languages: dict[str, frozenset[str]]  # words only one language's guidance uses, for detect_language
    units: dict[str, np.ndarray]  # vectors of every sentence, list item and heading, stored at ingest


def _twins(ids: list[str], metadatas: list[dict[str, Any]]) -> dict[str, str]:
    """Each chunk's translation: same document id and position, other language."""
    by_key = {(m.get("lang"), m.get("doc_id"), m.get("position")): cid for cid, m in zip(ids, metadatas, strict=True)}
    twins = {}
    for cid, m in zip(ids, metadatas, strict=True):
        for lang in ("en", "nl"):
            other = by_key.get((lang, m.get("doc_id"), m.get("position")))
            if lang != m.get("lang") and other:
                twins[cid] = other
    return twins


class IndexReader:
    """The active version, kept in memory for BM25 and reopened when the pointer moves."""

    def __init__(
        self, settings: Settings, store: IndexStore | None = None, embeddings: IndexEmbeddings | None = None
    ) -> None:
        self.settings = settings
        self.store = store or IndexStore(settings)
        self.embeddings = embeddings
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self._heading_cache: dict[str, np.ndarray] = {}

    def _heading_vectors(self, metadatas: list[dict[str, Any]], stored: dict[str, np.ndarray]) -> np.ndarray:
        """Section headings are short questions or statements; matching them helps short questions.

        Stored with the version at ingest; cached by text across versions, so a version without stored
        vectors only embeds headings this process has not seen.
        """
        headings = [str(m.get("section") or m.get("title") or "") for m in metadatas]
        self._heading_cache.update({h: stored[h] for h in headings if h in stored})
        missing = sorted({h for h in headings if h not in self._heading_cache})
        if missing and self.embeddings is not None:
            for heading, vec in zip(missing, self.embeddings.embed_many(missing), strict=True):
                self._heading_cache[heading] = np.asarray(vec, dtype=np.float32)
        if not headings or self.embeddings is None:
            return np.zeros((len(headings), 1), dtype=np.float32)
        return np.stack([self._heading_cache[h] for h in headings])

    def snapshot(self, force: bool = False, recheck: bool = True) -> _Snapshot:
        """`recheck=False`: the version last loaded, for a question's later steps (its search read the pointer)."""
        if not recheck and not force and self._snapshot is not None:
            return self._snapshot
        name = self.store.active_name()
        current = self._snapshot
        if current is not None and not force and current.info.name == name:
            return current
        with self._lock:
            if self._snapshot is not None and not force and self._snapshot.info.name == name:
                return self._snapshot
            info, collection = self.store.active()
            signature = self.embeddings.signature if self.embeddings is not None else ""
            if info.embedding and signature and info.embedding != signature:
                raise EmbeddingMismatchError(info.embedding, signature)
            got = collection.get(include=["documents", "metadatas"])
            ids, texts, metas = got["ids"], got["documents"] or [], got["metadatas"] or []
            lexical = LexicalIndex(texts, [str(m.get("lang", "en")) for m in metas])
            units = self.store.unit_vectors(info.name)
            self._snapshot = _Snapshot(
                info=info,
                collection=collection,
                ids=list(ids),
                texts=list(texts),
                metadatas=[dict(m) for m in metas],
                lexical=lexical,
                position={cid: i for i, cid in enumerate(ids)},
                role_terms=role_terms([dict(m) for m in metas]),
                symptoms=role_symptoms([dict(m) for m in metas]),
                twin=_twins(list(ids), [dict(m) for m in metas]),
                headings=self._heading_vectors([dict(m) for m in metas], units),
                languages=exclusive_vocabulary(
                    (str(m.get("lang", "")), f"{m.get('section', '')} {m.get('text') or t}")
                    for m, t in zip(metas, texts, strict=True)
                ),
                units=units,
            )
            return self._snapshot

    def unit_vectors(self, texts: list[str]) -> np.ndarray:
        """Vectors of passage sentences and items: looked up in the version's stored table (the snapshot the
        last search used), embedded only when missing (a version built before the table existed)."""
        table = self._snapshot.units if self._snapshot is not None else {}
        missing = [x for x in dict.fromkeys(texts) if x not in table]
        fresh: dict[str, Any] = {}
        if missing:
            if self.embeddings is None:
                raise AssistantError("no embedding model to embed passage sentences with")
            fresh = dict(zip(missing, self.embeddings.embed_many(missing), strict=True))
        return np.stack([np.asarray(table[x] if x in table else fresh[x], dtype=np.float32) for x in texts])


class HybridSearch:
    """Dense + BM25 with weighted score fusion (`FusionWeights`) and a preference for the asker's language."""

    def __init__(
        self,
        settings: Settings,
        reader: IndexReader,
        embeddings: IndexEmbeddings,
        weights: FusionWeights | None = None,
    ) -> None:
        self.settings = settings
        self.weights = weights or FusionWeights()
        self.reader = reader
        self.embeddings = embeddings
        self._lock = threading.Lock()
        self._scope: tuple[np.ndarray, ...] | None = None
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()  # LRU: repeated questions embed once

    def _check_embedding(self, snap: _Snapshot) -> None:
        signature = self.embeddings.signature
        if snap.info.embedding and signature and snap.info.embedding != signature:
            raise EmbeddingMismatchError(snap.info.embedding, signature)

    def search(self, question: str, k: int | None = None, lang: str | None = None) -> Retrieval:
        k = k or self.settings.top_k
        snap = self.reader.snapshot()
        lang = lang or detect_language(question, vocabulary=snap.languages)
        self._check_embedding(snap)
        qvec = self._embed_query(question)
        try:
            dense = self._dense(snap, qvec)
        except Exception:  # noqa: BLE001 - the version was swapped and deleted under us: reopen once
            snap = self.reader.snapshot(force=True)
            dense = self._dense(snap, qvec)
        lexical = snap.lexical.scores(question)
        heading = snap.headings @ qvec if snap.headings.shape[1] == qvec.shape[0] else np.zeros(len(snap.ids))
        facets = question_facets(question)
        subject = subject_role(question, snap.role_terms, facets)
        ranked = self._fuse(snap, dense, lexical, heading, lang, k + PART_POOL, facets, subject)
        asked_step = asks_for_step(question)
        hits = with_asked_step(ranked, k, question) if asked_step else with_asked_part(ranked, k, facets)
        named = named_roles(question, snap.role_terms)
        described = symptom_roles(question, snap.symptoms)  # "pricing mistakes" names the role and its problem

        def put(slot: int, pos: int) -> None:
            meta = snap.metadatas[pos]
            text = str(meta.get("text") or snap.texts[pos])
            hits[slot] = Hit(id=snap.ids[pos], text=text, metadata=meta, score=hits[slot].score, dense=0.0, lexical=0.0)

        if (overview := overview_to_show(question, hits, snap.metadatas)) is not None and hits:
            put(len(hits) - 1, overview)  # "all the causes": the section that names them all
        # each role the question names, then each role whose problem it describes, gets a passage of its own
        for slot, pos in each_role(named, hits, snap.metadatas, lang, facets):
            put(slot, pos)
        for slot, pos in symptom_sections(described, named, hits, snap.metadatas, lang, facets):
            put(slot, pos)
        best_dense = max(dense.values(), default=0.0)
        best_heading = float(heading.max()) if heading.size else 0.0
        topics = load_topics()
        covered, uncovered, bank_in, bank_out = self._topics()
        word = topics.uncovered_word(question)
        bank, nearest = bank_signal(qvec, bank_in, bank_out, load_bank())
        signals = ScopeSignals(
            dense=best_dense,
            heading=best_heading,
            off_topic=float((self._off_topic() @ qvec).max()),
            coverage=snap.lexical.coverage(question, INFORMAL),
            domain_word=uses_domain_words(question),
            topic=float((covered @ qvec).max() - (uncovered @ qvec).max()),
            bank=bank,
            bank_nearest=nearest,
            uncovered_word=f"{word[0]}: {word[1]}" if word else "",
            team_question=bool(word and word[2] and topics.is_team_question(question)),
            asks=topics.asks_task(question),
        )
        return Retrieval(
            question=question,
            lang=lang,
            hits=hits,
            best_dense=best_dense,
            version=snap.info.name,
            scope=signals,
            query_vector=qvec,
        )

    def _embed_query(self, question: str, size: int = 1024) -> np.ndarray:
        with self._lock:
            cached = self._query_cache.get(question)
            if cached is not None:
                self._query_cache.move_to_end(question)
                return cached
        vec = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        with self._lock:
            self._query_cache[question] = vec
            while len(self._query_cache) > size:
                self._query_cache.popitem(last=False)
        return vec

    def _dense(self, snap: _Snapshot, qvec: np.ndarray) -> dict[str, float]:
        n = min(CANDIDATES, len(snap.ids))
        if n == 0:
            return {}
        res = snap.collection.query(query_embeddings=[qvec.tolist()], n_results=n, include=["distances"])
        return {cid: 1.0 - float(d) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)}

    def _off_topic(self) -> np.ndarray:
        """The off-topic examples' vectors (the first group of `_scope_vectors`)."""
        return self._scope_vectors()[0]

    def _topics(self) -> tuple[np.ndarray, ...]:
        """Covered and uncovered topic descriptions, in-scope and out-of-scope example questions."""
        return self._scope_vectors()[1:]

    def _scope_vectors(self) -> tuple[np.ndarray, ...]:
        """The vectors of `signals.scope_texts()`, once per process: stored with the version at ingest
        (indexer), so only texts missing there (an older version, texts edited since) are embedded."""
        if self._scope is None:
            with self._lock:
                if self._scope is None:
                    groups = scope_texts()
                    flat = self.reader.unit_vectors([text for group in groups for text in group])
                    self._scope = tuple(np.split(flat, np.cumsum([len(g) for g in groups])[:-1]))
        return self._scope

    def bank_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """The in-scope and out-of-scope example vectors, for the fit (scope_fit.py) to score the bank itself."""
        _, _, inside, outside = self._topics()
        return inside, outside

    def _fuse(
        self,
        snap: _Snapshot,
        dense: dict[str, float],
        lexical: np.ndarray,
        heading: np.ndarray,
        lang: str,
        k: int,
        facets: set[str] | None = None,
        subject: str | None = None,
    ) -> list[Hit]:
        top_lexical = float(lexical.max()) if lexical.size else 0.0
        floor = min(dense.values(), default=0.0)  # a passage outside the dense top-N is at most this similar
        candidates = set(dense)
        candidates.update(snap.ids[i] for i in np.argsort(-lexical)[:CANDIDATES] if lexical[i] > 0)
        candidates.update(snap.ids[i] for i in np.argsort(-heading)[: CANDIDATES // 2])

        fw = self.weights

        def semantic(cid: str) -> float:
            pos = snap.position[cid]
            return (1 - fw.heading) * dense.get(cid, floor) + fw.heading * float(heading[pos])

        scores: dict[str, float] = {}
        for cid in candidates:
            meta = snap.metadatas[snap.position[cid]]
            own = semantic(cid)
            twin = snap.twin.get(cid)
            if twin is not None:
                own = max(own, fw.twin * semantic(twin))
            words = float(lexical[snap.position[cid]]) / top_lexical if top_lexical > 0 else 0.0
            score = fw.dense * own + fw.lexical * words
            if meta.get("lang") != lang:
                score -= fw.other_lang_penalty
            if facets and passage_facet(meta) in facets:
                score += fw.facet_bonus
            if subject and meta.get("role_id") == subject:
                score += fw.subject_bonus
            scores[cid] = score
        hits: list[Hit] = []
        chosen: set[str] = set()
        for ranked in sorted(scores, key=lambda c: scores[c], reverse=True):
            cid = ranked
            if snap.metadatas[snap.position[cid]].get("lang") != lang and cid in snap.twin:
                cid = snap.twin[cid]  # the same passage in the asker's language, at the rank it earned
            if cid in chosen:
                continue
            chosen.add(cid)
            meta = snap.metadatas[snap.position[cid]]
            hits.append(
                Hit(
                    id=cid,
                    text=str(meta.get("text") or snap.texts[snap.position[cid]]),
                    metadata=meta,
                    score=scores[ranked],
                    dense=dense.get(cid, 0.0),
                    lexical=float(lexical[snap.position[cid]]),
                )
            )
            if len(hits) >= k:
                break
        return hits
