"""Load the guidance in `knowledge/` into plain documents, and say clearly what is wrong with a file.

A broken file is reported (with file and line) and skipped; it never stops the others from loading.
Supported: Markdown and plain text (optionally with YAML front matter), HTML, PDF and DOCX. Every format
is turned into Markdown-like text with `#` headings so that the chunker treats them all alike.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .formats import docx_to_text, html_to_text, pdf_to_text
from .language import SUPPORTED, detect_language

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
SUFFIXES = TEXT_SUFFIXES | {".html", ".htm", ".pdf", ".docx"}
# PDF and DOCX readers are an optional extra: a file that needs one is skipped with this hint.
DOCUMENTS_HINT = "pip install 'ecommerce-team-assistant[documents]'"
DOC_TYPES = {"article", "role", "faq", "case-study", "checklist", "guide"}
ROLE_FIELDS = ("title", "aliases", "stage", "fit", "kpis")
MAX_FILE_BYTES = 20 * 1024 * 1024
PLAN_RULES_FILE = "plan.yaml"  # the team-plan rules (assistant/plan_rules.py), not guidance text
# libyaml's safe loader when PyYAML was built with it (about 10x faster on a large knowledge base)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Leftover reference marks from the source article: [Cite: 12], [citeer: 4, 5], [CITE: 25].
CITATION_RE = re.compile(r"\s*\[(?:cite|citeer|citation)\s*:\s*[\d\s,;–-]*\]", re.IGNORECASE)


# Promotional leftovers of the source article (it advertised its author's services and other posts), in both
# languages: (regex, why). `--check` and ingest warn about them so they do not creep back into the guidance.
ADVERT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bhttps?://|\bwww\.\w", "a link to an outside website (vendors and other sites do not belong in guidance)"),
    (
        r"\bcase stud(?:y|ies) (?:of|van) (?:an? |een |the |de )?[\w/-]+(?: [\w/-]+){0,3}?[ -]?website",
        "a pointer to another website's case study",
    ),
    (
        r"\bwhy (?:organi[sz]ations|companies|businesses) (?:should )?(?:choose|use|pick)\b",
        "'why organisations choose X'",
    ),
    (
        r"\bwaarom (?:organisaties|bedrijven) (?:voor )?\S+ (?:kiezen|moeten gebruiken|gebruiken)\b",
        "'waarom organisaties voor X kiezen'",
    ),
    (r"web[ -]?(?:site )?(?:development|ontwikkelings?)[ -]?(?:partner|service|dienst)", "a web development service"),
)
_ADVERTS = [(re.compile(pattern, re.IGNORECASE), why) for pattern, why in ADVERT_PATTERNS]

# Links between guidance files mean nothing inside an answer; keep their text.
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:)[^)]*\)")


@dataclass
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # "error": file skipped; "warning": loaded anyway

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class SourceDocument:
    """One guidance file, as text with Markdown headings plus its metadata."""

    doc_id: str
    title: str
    lang: str
    doc_type: str
    source: str  # path relative to the knowledge directory
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    id_line: int = 1  # where the id is set (front matter line), for problems about it
    front_matter: dict[str, Any] = field(default_factory=dict)  # as parsed (lists stay lists), for the team plan

    @property
    def role_id(self) -> str | None:
        return self.doc_id if self.doc_type == "role" else None

    @property
    def content_hash(self) -> str:
        payload = repr((self.doc_id, self.title, self.lang, self.doc_type, self.text, sorted(self.meta.items())))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


@dataclass
class LoadResult:
    documents: list[SourceDocument]
    problems: list[Problem]
    skipped: list[str]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def strip_citations(text: str) -> str:
    return CITATION_RE.sub("", text)


def advert_problems(rel: str, text: str, first_line: int = 1) -> list[Problem]:
    """Warnings (file:line) for text that reads like one of the source article's adverts; the file still loads."""
    problems: list[Problem] = []
    for n, line in enumerate(text.split("\n")):
        for pattern, why in _ADVERTS:
            if pattern.search(line):
                problems.append(
                    Problem(rel, first_line + n, f"looks like an advert: {why}; remove it", severity="warning")
                )
    return problems


def _split_front_matter(raw: str) -> tuple[dict[str, Any] | None, str, int, str | None]:
    """Return (front matter, body, line where the body starts, error)."""
    if not raw.startswith("---"):
        return None, raw, 1, None
    lines = raw.split("\n")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            text = "\n".join(lines[1:i])
            try:
                data = yaml.load(text, Loader=_YAML_LOADER) or {}
            except yaml.YAMLError:
                try:  # the pure-Python parser has the final word, and names the problem's line more precisely
                    data = yaml.safe_load(text) or {}
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    line = (mark.line + 2) if mark is not None else 1
                    return None, "", line, f"front matter is not valid YAML ({getattr(exc, 'problem', exc)})"
            if not isinstance(data, dict):
                return None, "", 2, "front matter must be a YAML mapping (key: value lines)"
            return data, "\n".join(lines[i + 1 :]), i + 2, None
    return None, "", 1, "front matter starts with '---' but has no closing '---' line"


def _front_matter_line(raw: str, key: str) -> int | None:
    """The line on which `key:` is set in the front matter, if it is."""
    lines = raw.split("\n")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return None
        if re.match(rf"^{re.escape(key)}\s*:", lines[i]):
            return i + 1
    return None


def _first_heading(text: str) -> str | None:
    m = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return m.group(1).strip() if m else None


def _lang_from_path(rel: Path) -> str | None:
    for part in rel.parts[:-1]:
        if part in SUPPORTED:
            return part
    return None


def _type_from_path(rel: Path) -> str:
    parts = set(rel.parts[:-1])
    if "roles" in parts:
        return "role"
    return "article"


def _body_problems(rel: str, body: str, first_line: int) -> list[Problem]:
    """Empty sections make empty answers; report them where they are.

    A heading is empty when the next heading of the same or a higher level comes before any text; a heading
    followed directly by a subheading holds whatever the subheading holds, so it is not reported.
    """
    problems: list[Problem] = []
    lines = body.split("\n")
    headings = [(i, len(m.group(1))) for i, line in enumerate(lines) if (m := re.match(r"^(#{1,6})\s", line))]
    for n, (i, level) in enumerate(headings):
        following = headings[n + 1] if n + 1 < len(headings) else None
        end = following[0] if following else len(lines)
        text_between = any(line.strip() for line in lines[i + 1 : end])
        has_sub = following is not None and following[1] > level
        if not text_between and not has_sub:
            problems.append(Problem(rel, first_line + i, "empty section (heading with no text)"))
    return problems


def load_file(path: Path, root: Path) -> tuple[SourceDocument | None, list[Problem]]:
    """Read one file. Returns the document, or None with the reasons it was skipped."""
    rel_path = path.relative_to(root)
    rel = rel_path.as_posix()
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(rel, 1, f"cannot read file ({exc.strerror})")]
    if size == 0:
        return None, [Problem(rel, 1, "file is empty")]
    if size > MAX_FILE_BYTES:
        return None, [Problem(rel, 1, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")]

    meta: dict[str, Any] = {}
    body_line = 1
    id_line = 1
    fallback_title = ""
    raw = ""
    try:
        if suffix in TEXT_SUFFIXES or suffix in (".html", ".htm"):
            data = path.read_bytes()
            if b"\x00" in data[:8192]:
                return None, [Problem(rel, 1, "file is binary, not text")]
            try:
                raw = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                return None, [Problem(rel, line, "file is not valid UTF-8 text")]
            raw = raw.replace("\r\n", "\n")
            if suffix in (".html", ".htm"):
                body, fallback_title = html_to_text(raw)
            else:
                fm, body, body_line, error = _split_front_matter(raw)
                if error:
                    return None, [Problem(rel, body_line, error)]
                meta = fm or {}
                id_line = _front_matter_line(raw, "id") or 1
        elif suffix == ".pdf":
            body, fallback_title = pdf_to_text(path)
        elif suffix == ".docx":
            body, fallback_title = docx_to_text(path)
        else:
            return None, [Problem(rel, 1, f"unsupported file type '{suffix}'")]
    except ImportError:  # pypdf / python-docx are the optional `documents` extra
        kind = suffix[1:].upper()
        return None, [Problem(rel, 1, f"{kind} support is not installed: {DOCUMENTS_HINT}")]
    except Exception as exc:  # a damaged PDF/DOCX raises library-specific errors
        return None, [Problem(rel, 1, f"cannot read {suffix[1:].upper()} file ({type(exc).__name__})")]

    # before the text is tidied, so the line numbers hold; a text file is read whole, front matter included
    adverts = advert_problems(rel, raw, 1) if suffix in TEXT_SUFFIXES else advert_problems(rel, body, body_line)
    body = _MD_LINK.sub(r"\1", strip_citations(body)).strip()
    if not body:
        return None, [Problem(rel, body_line, "file has no text")]

    problems: list[Problem] = []
    doc_type = str(meta.get("type") or _type_from_path(rel_path))
    if doc_type not in DOC_TYPES:
        problems.append(Problem(rel, 2, f"unknown type '{doc_type}' (use one of: {', '.join(sorted(DOC_TYPES))})"))
        return None, problems
    lang = str(meta.get("lang") or _lang_from_path(rel_path) or detect_language(body))
    if lang not in SUPPORTED:
        return None, [Problem(rel, 2, f"unsupported language '{lang}' (use one of: {', '.join(SUPPORTED)})")]
    if doc_type == "role":
        missing = [f for f in ROLE_FIELDS if not meta.get(f)]
        if missing:
            return None, [Problem(rel, 1, f"role file is missing front matter: {', '.join(missing)}")]
    symptoms = meta.get("symptoms")
    if (
        doc_type == "role"
        and symptoms is not None
        and (not isinstance(symptoms, list) or not all(isinstance(p, str) and p and "," not in p for p in symptoms))
    ):
        problems.append(
            Problem(
                rel,
                _front_matter_line(raw, "symptoms") or 1,
                "symptoms must be a list of short phrases without commas",
            )
        )
    doc_id = str(meta.get("id") or rel_path.with_suffix("").name)
    title = str(meta.get("title") or _first_heading(body) or fallback_title or doc_id.replace("-", " ").title())
    problems.extend(_body_problems(rel, body, body_line))
    for p in problems:
        p.severity = "warning"
    problems.extend(adverts)

    extra = {
        k: (", ".join(map(str, v)) if isinstance(v, list) else str(v))
        for k, v in meta.items()
        if k not in ("id", "title", "lang", "type") and v is not None
    }
    doc = SourceDocument(doc_id, title, lang, doc_type, rel, body, extra, id_line=id_line, front_matter=meta)
    return doc, problems


def load_knowledge(root: Path) -> LoadResult:
    """Load every supported file under `root`, reporting problems instead of failing."""
    documents: list[SourceDocument] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    if not root.is_dir():
        problems.append(Problem(str(root), 0, "knowledge directory does not exist"))
        return LoadResult(documents, problems, skipped)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.name.lower() == "readme.md":
            continue
        if rel.as_posix() == PLAN_RULES_FILE:
            continue
        if path.suffix.lower() not in SUFFIXES:
            problems.append(
                Problem(
                    rel.as_posix(),
                    1,
                    f"not read: unsupported file type '{path.suffix or path.name}' "
                    "(use Markdown, plain text, HTML, PDF or DOCX)",
                    severity="warning",
                )
            )
            continue
        doc, file_problems = load_file(path, root)
        problems.extend(file_problems)
        if doc is None:
            skipped.append(rel.as_posix())
        else:
            documents.append(doc)

    # Two files with one id in one language: keep the file named after the id (the original), else the
    # first in path order, and skip the other with a pointer to the one that was kept.
    groups: dict[tuple[str, str], list[SourceDocument]] = {}
    for doc in documents:
        groups.setdefault((doc.lang, doc.doc_id), []).append(doc)
    kept: list[SourceDocument] = []
    for doc in documents:
        group = groups[(doc.lang, doc.doc_id)]
        owner = next((d for d in group if Path(d.source).stem == d.doc_id), group[0])
        if doc is owner:
            kept.append(doc)
            continue
        problems.append(
            Problem(
                doc.source,
                doc.id_line,
                f"duplicate document id '{doc.doc_id}' (already used by {owner.source}); give this file its own id",
            )
        )
        skipped.append(doc.source)

    by_id: dict[str, set[str]] = {}
    for doc in kept:
        by_id.setdefault(doc.doc_id, set()).add(doc.lang)
    for doc in kept:
        missing = set(SUPPORTED) - by_id[doc.doc_id]
        if missing:
            problems.append(
                Problem(
                    doc.source,
                    1,
                    f"no {'/'.join(sorted(missing))} version of '{doc.doc_id}' (answers in that language "
                    "fall back to this one)",
                    severity="warning",
                )
            )
    return LoadResult(kept, problems, skipped)
