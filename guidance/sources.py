"""Reading guideline files (Markdown, PDF, DOCX, HTML) into documents made of headed sections.

Every reader returns the same shape, so splitting and indexing never look at the file format. The
Markdown format is defined in guidance/corpus/README.md; other formats are mapped onto it (headings give
sections, a line starting 依据：/Source: is the section's source note).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from guidance.tokenizer import contains_cjk
from guidance.types import IngestError

SOURCE_SUFFIXES = (".md", ".pdf", ".docx", ".html", ".htm")
LANGS = ("zh", "en")

_SOURCE_NOTE = re.compile(r"^\s*(?:[-*]\s*)?(?:\*\*)?(依据\s*[:：]|source\s*:)(?:\*\*)?\s*(.*)$", re.IGNORECASE)
_DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MD_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
# "3 危险废物" / "4.2 Transfer manifests" / "2.1、代码结构": numbered headings in PDF text.
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,2})[\s、.．]+(\S.{0,40})$")
_SENTENCE_END = re.compile(r"[。！？；.!?;:：]$")


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]  # headings below the document title; () for text before the first heading
    text: str  # body without the source note
    source_note: str
    page: int | None = None


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    title: str
    lang: str
    effective: str | None
    file: str  # how the file is named in the manifest (stable, relative)
    sections: tuple[Section, ...]


def guess_lang(text: str) -> str:
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    # One CJK character carries about a word; five Latin letters make one.
    return "zh" if cjk * 5 >= latin else "en"


def _names_from_filename(path: Path) -> tuple[str, str | None]:
    """`hazardous-waste.zh.pdf` -> ("hazardous-waste", "zh"); other names -> (slug, None)."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    lang = None
    for candidate in LANGS:
        if stem.endswith("." + candidate):
            stem, lang = stem[: -len(candidate) - 1], candidate
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "document"
    return slug, lang


def _make_section(path: Iterable[str], lines: list[str], page: int | None = None) -> Section | None:
    body: list[str] = []
    notes: list[str] = []
    for line in lines:
        match = _SOURCE_NOTE.match(line)
        if match:
            notes.append(line.strip().lstrip("-* ").replace("**", ""))
        else:
            body.append(line.rstrip())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
    note = "；".join(notes) if notes else ""
    if not text and not note:
        return None
    return Section(tuple(path), text, note, page)


def _child_path(path: tuple[str, ...], depth: int, heading: str) -> tuple[str, ...]:
    """Headings form a tree: a level-`depth` heading replaces everything at and below its level."""
    return (*path[: depth - 1], heading)


# -- Markdown -------------------------------------------------------------------------------------------
def _front_matter(path: Path, text: str) -> tuple[dict[str, object], str]:
    if not text.startswith("---"):
        raise IngestError(path, "missing front matter (a '---' block with doc_id, title, lang, effective)")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise IngestError(path, "front matter is not closed by a '---' line")
    try:
        meta = yaml.safe_load(parts[0].lstrip("-\n")) or {}
    except yaml.YAMLError as err:
        raise IngestError(path, f"front matter is not valid YAML ({err})") from err
    if not isinstance(meta, dict):
        raise IngestError(path, "front matter must be a mapping")
    rest = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return meta, rest


def read_markdown(path: Path, name: str) -> SourceDocument:
    try:
        raw = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        raise IngestError(path, f"not UTF-8 text ({err.reason})") from err
    meta, body = _front_matter(path, raw)
    missing = [key for key in ("doc_id", "title", "lang", "effective") if not meta.get(key)]
    if missing:
        raise IngestError(path, f"front matter lacks {', '.join(missing)}")
    doc_id, lang, effective = str(meta["doc_id"]).strip(), str(meta["lang"]).strip(), meta["effective"]
    if not _DOC_ID.match(doc_id):
        raise IngestError(path, f"doc_id {doc_id!r} is not kebab-case")
    if lang not in LANGS:
        raise IngestError(path, f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if isinstance(effective, dt.date):
        effective = effective.isoformat()
    try:
        dt.date.fromisoformat(str(effective))
    except ValueError as err:
        raise IngestError(path, f"effective {effective!r} is not an ISO date") from err

    title = str(meta["title"]).strip()
    sections: list[Section] = []
    heading_path: tuple[str, ...] = ()
    lines: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _MD_HEADING.match(line)
        if not match:
            lines.append(line)
            continue
        section = _make_section(heading_path, lines)
        if section:
            sections.append(section)
        lines = []
        depth = len(match.group(1)) - 1  # "#" is the title, "##" depth 1, "###" depth 2
        heading_path = () if depth == 0 else _child_path(heading_path, depth, match.group(2))
    section = _make_section(heading_path, lines)
    if section:
        sections.append(section)
    return SourceDocument(doc_id, title, lang, str(effective), name, tuple(sections))


# -- PDF ------------------------------------------------------------------------------------------------
def _join_pdf_lines(lines: list[str]) -> list[str]:
    """PDF text breaks lines where the page did, not where sentences end: re-join wrapped lines."""
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1] and line and not _SENTENCE_END.search(joined[-1]):
            glue = "" if contains_cjk(joined[-1][-1]) and contains_cjk(line[0]) else " "
            joined[-1] += glue + line
        else:
            joined.append(line)
    return joined


def read_pdf(path: Path, name: str) -> SourceDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    doc_id, lang = _names_from_filename(path)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise IngestError(path, "PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except (PdfReadError, OSError, ValueError, KeyError) as err:
        raise IngestError(path, f"unreadable PDF ({err})") from err
    if not any(text.strip() for text in pages):
        raise IngestError(path, "PDF has no extractable text (scanned images are not supported)")
    sections: list[Section] = []
    heading_path: tuple[str, ...] = ()
    for page_no, text in enumerate(pages, start=1):
        lines: list[str] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            if not title:
                title = line
                continue
            match = _NUMBERED_HEADING.match(line)
            if match and not _SENTENCE_END.search(line):
                section = _make_section(heading_path, _join_pdf_lines(lines), page_no)
                if section:
                    sections.append(section)
                lines = []
                heading_path = _child_path(heading_path, match.group(1).count(".") + 1, line)
            elif line != title:
                lines.append(line)
        section = _make_section(heading_path, _join_pdf_lines(lines), page_no)
        if section:
            sections.append(section)
    full_text = "\n".join(pages)
    return SourceDocument(doc_id, title, lang or guess_lang(full_text), None, name, tuple(sections))


# -- DOCX -----------------------------------------------------------------------------------------------
def read_docx(path: Path, name: str) -> SourceDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    doc_id, lang = _names_from_filename(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as err:
        raise IngestError(path, f"unreadable DOCX ({err})") from err
    title = (document.core_properties.title or "").strip()
    sections: list[Section] = []
    heading_path: tuple[str, ...] = ()
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
            continue
        text = block.text.strip()
        style = block.style.name if block.style is not None else ""
        level = re.fullmatch(r"Heading ([1-3])", style)
        if style == "Title" and text:
            title = title or text
        elif level and text:
            section = _make_section(heading_path, lines)
            if section:
                sections.append(section)
            lines = []
            heading_path = _child_path(heading_path, int(level.group(1)), text)
        else:
            lines.append(text)
    section = _make_section(heading_path, lines)
    if section:
        sections.append(section)
    all_text = "\n".join(s.text for s in sections)
    return SourceDocument(doc_id, title or doc_id, lang or guess_lang(all_text), None, name, tuple(sections))


# -- HTML -----------------------------------------------------------------------------------------------
_HTML_BLOCKS = ("p", "li", "tr", "pre", "blockquote", "dt", "dd", "figcaption", "caption")


def read_html(path: Path, name: str) -> SourceDocument:
    from bs4 import BeautifulSoup

    doc_id, lang = _names_from_filename(path)
    try:
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
    except (OSError, ValueError) as err:
        raise IngestError(path, f"unreadable HTML ({err})") from err
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    html_lang = str((soup.html.get("lang") if soup.html else "") or "").lower()
    h1s = soup.find_all("h1")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    # One <h1> is the page title; several <h1>s are sections.
    title_h1 = h1s[0] if len(h1s) == 1 else None
    title = title or (h1s[0].get_text(" ", strip=True) if h1s else doc_id)
    shift = 1 if title_h1 is not None else 0
    sections: list[Section] = []
    heading_path: tuple[str, ...] = ()
    lines: list[str] = []
    wanted = ["h1", "h2", "h3", *_HTML_BLOCKS]
    for element in soup.find_all(wanted):
        if element is title_h1 or element.find_parent(_HTML_BLOCKS):
            continue
        if element.name in ("h1", "h2", "h3"):
            section = _make_section(heading_path, lines)
            if section:
                sections.append(section)
            lines = []
            depth = max(int(element.name[1]) - shift, 1)
            heading_path = _child_path(heading_path, depth, element.get_text(" ", strip=True))
        elif element.name == "tr":
            lines.append(" | ".join(cell.get_text(" ", strip=True) for cell in element.find_all(["td", "th"])))
        else:
            lines.append(element.get_text(" ", strip=True))
    section = _make_section(heading_path, lines)
    if section:
        sections.append(section)
    if not sections:
        raise IngestError(path, "HTML has no text in headings, paragraphs, lists or tables")
    detected = html_lang[:2] if html_lang[:2] in LANGS else None
    all_text = "\n".join(s.text for s in sections)
    return SourceDocument(doc_id, title, lang or detected or guess_lang(all_text), None, name, tuple(sections))


_READERS = {".md": read_markdown, ".pdf": read_pdf, ".docx": read_docx, ".html": read_html, ".htm": read_html}


def read_source(path: Path, name: str) -> SourceDocument:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise IngestError(path, f"unsupported file type {path.suffix!r}")
    try:
        document = reader(path, name)
    except IngestError:
        raise
    except Exception as err:  # a broken file can fail deep inside a parser in any way
        raise IngestError(path, f"cannot be read ({type(err).__name__}: {err})") from err
    if not document.sections:
        raise IngestError(path, "no text found")
    return document


def collect_files(paths: Iterable[Path | str]) -> list[tuple[Path, str]]:
    """Files to index, sorted, each with the stable name recorded in the manifest.

    A directory contributes its guideline files (recursively) named relative to it; README files are the
    corpus's own documentation, not guidance, so they are skipped.
    """
    found: dict[str, Path] = {}
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in SOURCE_SUFFIXES and file.stem.upper() != "README":
                    found.setdefault(file.relative_to(path).as_posix(), file)
        elif path.is_file():
            found.setdefault(path.name, path)
        else:
            raise IngestError(path, "no such file or directory")
    return [(file, name) for name, file in sorted(found.items())]
