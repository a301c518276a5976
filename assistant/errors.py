"""Typed errors that carry a message a user (owner or maintainer) can act on."""


class AssistantError(Exception):
    """Base class: its message is safe to show to a user and never contains secrets."""


class IndexMissingError(AssistantError):
    def __init__(self, where: str) -> None:
        super().__init__(f"No knowledge index found in {where}. Build it with: python ingest.py")


class IndexCorruptError(AssistantError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The knowledge index could not be read ({detail}). Rebuild it with: python ingest.py --rebuild"
        )


class EmbeddingMismatchError(AssistantError):
    def __init__(self, built_with: str, configured: str) -> None:
        super().__init__(
            f"The index was built with the '{built_with}' embedding but '{configured}' is configured. "
            f"Re-ingest with the configured embedding: python ingest.py --rebuild "
            f"(or set ASSISTANT_EMBEDDING_PROVIDER={built_with.split(':')[0]})."
        )


class IngestLockedError(AssistantError):
    def __init__(self, holder: str) -> None:
        super().__init__(f"Another ingest is running ({holder}). Wait for it to finish and try again.")


class InvalidQuestionError(AssistantError):
    """The question cannot be answered as given (empty, too long, not text)."""


class LLMUnavailableError(AssistantError):
    """The language model did not answer in time or answered with an error."""
