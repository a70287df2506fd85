"""Answer text with its [n] markers turned into links to the numbered citations below it."""

import re

from markupsafe import Markup, escape

_MARKER = re.compile(r"\[(\d{1,2})\]")


def cite_links(text: str, anchor: str) -> Markup:
    escaped = str(escape(text))
    return Markup(_MARKER.sub(lambda m: f'<a href="#{anchor}-c{m.group(1)}" class="cite">[{m.group(1)}]</a>',
                              escaped))
