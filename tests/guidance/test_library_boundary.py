"""guidance/ is a library: the portal may import it, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import guidance

FORBIDDEN = ("flask", "portal", "langchain_community")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_guidance_never_imports_flask_portal_or_langchain_community():
    package_dir = Path(guidance.__file__).parent
    offenders = {
        f"{path.name}: {name}"
        for path in sorted(package_dir.rglob("*.py"))
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not offenders


def test_public_api_names_exist():
    for name in ("build_index", "load", "Assistant", "Answer", "Citation", "IngestError", "QuestionError",
                 "IndexStats", "GuidelineRetriever", "make_chat_model", "Settings"):
        assert hasattr(guidance, name), name
