"""Turn HTML, PDF and DOCX files into Markdown-like text with `#` headings, so the chunker treats every format alike.

PDF and DOCX readers come from the `[documents]` extra and are imported only when such a file is loaded.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path


class _HTMLToMarkdown(HTMLParser):
    """Keep headings, paragraphs and list items; drop scripts, styles and markup."""

    BLOCK = {"p", "div", "br", "li", "tr", "section", "article", "ul", "ol", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self.BLOCK:
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self._in_title:
            self.title += data
            return
        self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(raw: str) -> tuple[str, str]:
    parser = _HTMLToMarkdown()
    parser.feed(raw)
    text = "".join(parser.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, parser.title.strip()


def pdf_to_text(path: Path) -> tuple[str, str]:
    from pypdf import PdfReader

    # pypdf logs damage it works around ("EOF marker not found"); a damaged file is reported as a Problem.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    reader = PdfReader(str(path))
    text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    try:
        title = str((reader.metadata.title if reader.metadata else None) or "").strip()
    except Exception:  # noqa: BLE001 - damaged document info: the text is what matters
        title = ""
    return text, title


def docx_to_text(path: Path) -> tuple[str, str]:
    import docx

    document = docx.Document(str(path))
    out: list[str] = []
    title = document.core_properties.title or ""
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name or "").lower() if para.style is not None else ""
        if style == "title":
            title = title or text
            out.append(f"# {text}")
        elif style.startswith("heading"):
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 2
            out.append("#" * min(level, 6) + " " + text)
        elif "list" in style:
            out.append(f"- {text}")
        else:
            out.append(text)
    return "\n\n".join(out), title
