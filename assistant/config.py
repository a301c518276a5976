"""One settings object for the whole product.

Everything configurable lives here so that modules receive their configuration instead of reading the
environment themselves. Values come from `ASSISTANT_*` environment variables, a `.env` file, and OpenAI's
standard `OPENAI_API_KEY` / `OPENAI_BASE_URL`.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# In a source checkout data and guidance sit beside the code; an installed package (site-packages) uses the
# working directory instead, unless ASSISTANT_DATA_DIR / ASSISTANT_KNOWLEDGE_DIR or --knowledge-dir say otherwise.
HOME = ROOT if (ROOT / "pyproject.toml").is_file() else Path(".")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Where things live
    data_dir: Path = Field(default=HOME / "data", description="Index, feedback database and other state.")
    knowledge_dir: Path = Field(default=HOME / "knowledge", description="The guidance documents.")

    # Web server
    host: str = "127.0.0.1"
    port: int = 7860
    workers: int = 1
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Other sites allowed to embed the widget and call the API from a browser, e.g. "
        '["https://shop.example"]. The app\'s own origin is always allowed.',
    )
    rate_limit_per_minute: int = 20
    rate_limit_per_hour: int = 200
    feedback_rate_limit_per_minute: int = 30
    feedback_rate_limit_per_hour: int = 300
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For is believed; "
        "comma-separated or a JSON list. Empty: the connecting address is the client.",
    )
    redis_url: SecretStr | None = Field(
        default=None, description="Redis shared by replicas: rate-limit counters and the single-ingest lock."
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the question log shared by replicas, e.g. "
        "postgresql+psycopg://user:pass@host/db. Unset: SQLite under the data directory.",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for /api/admin/*; unset turns those endpoints off."
    )
    chat_concurrency: int = Field(
        default=64,
        ge=1,
        description="Chats the page's Gradio queue runs at once (Gradio's own default is 1: owners would queue).",
    )
    max_message_chars: int = 2000
    max_history_turns: int = 20
    max_request_bytes: int = Field(
        default=65536, description="Largest request body the app accepts (message and history together); 413 above."
    )
    index_retry_seconds: float = Field(
        default=5.0, description="How often the app retries the index (e.g. a Chroma server) after a failed start."
    )
    feedback_enabled: bool = True
    feedback_retention_days: int = 90

    # Embeddings
    embedding_provider: Literal["use", "openai"] = "use"
    openai_embedding_model: str = "text-embedding-3-small"

    # Chroma: on disk by default, a server when host is set
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Chunking
    chunk_size: int = 1600  # characters: most guidance sections stay whole (FAQ answers up to 2400)
    chunk_overlap: int = 120

    # Retrieval
    top_k: int = 4
    scope_bias: float = Field(
        default=0.0,
        description="Shifts the 'is this in my guidance?' decision (assistant/scope.py): above 0 answers more "
        "borderline questions, below 0 declines more.",
    )

    # LLM (any OpenAI-compatible server)
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "ASSISTANT_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "ASSISTANT_OPENAI_BASE_URL")
    )
    llm_model: str = "gpt-4o-mini"
    llm_temperature: float = 0.2
    llm_connect_timeout: float = 5.0
    llm_read_timeout: float = 30.0
    llm_first_token_timeout: float = 15.0
    llm_max_retries: int = 1
    llm_rewrite_timeout: float = Field(
        default=5.0,
        description="At most this long (and at most half the question's deadline) for the model to rewrite a "
        "follow-up; after that the rule-based rewrite is used and the answer gets the time that is left.",
    )
    llm_max_answer_tokens: int = 700
    llm_breaker_failures: int = Field(
        default=3, description="Consecutive model failures after which the model is skipped for a while."
    )
    llm_breaker_cooldown: float = Field(
        default=30.0, description="Seconds the model is skipped after it kept failing (a 429's Retry-After wins)."
    )
    history_turns: int = 6
    history_token_budget: int = 1500

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> list[str]:
        """Accept "10.0.0.1, 10.0.0.0/24" or a JSON list; every entry must be an address or a network."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip().startswith("[") else value.split(",")
        entries = [str(v).strip() for v in value or [] if str(v).strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"ASSISTANT_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return entries

    @property
    def llm_enabled(self) -> bool:
        """LLM mode is on when a key or a base URL is configured; never required to start."""
        return bool(self.openai_base_url) or bool(self.openai_api_key and self.openai_api_key.get_secret_value())

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"
