"""How answers and guideline passages are shown: citation markers as links, passages as Markdown."""

import re

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_MARKER = re.compile(r"\[(\d{1,2})\]")


def cite_links(text: str, anchor: str) -> Markup:
    escaped = str(escape(text))
    return Markup(_MARKER.sub(lambda m: f'<a href="#{anchor}-c{m.group(1)}" class="cite">[{m.group(1)}]</a>',
                              escaped))


# Guideline passages are Markdown (lists, tables). Raw HTML in them is shown as text, never rendered.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_markdown.render(text))
