from __future__ import annotations

from pathlib import Path

import pytest
from guidance_files import FIXTURE_CORPUS

import guidance


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("fixture-index") / "index"
    guidance.build_index([FIXTURE_CORPUS], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def assistant(fixture_index: Path) -> guidance.Assistant:
    return guidance.load(fixture_index)
