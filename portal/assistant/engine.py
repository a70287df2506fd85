"""The loaded guideline index, shared by the requests of one process and reloaded when a rebuild swaps
in a new one (other workers notice the new manifest on their next question)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

import guidance

_lock = threading.Lock()
_loaded: dict[str, tuple[int, guidance.Assistant]] = {}


class AssistantUnavailable(RuntimeError):
    """No index has been built yet (run `flask --app portal guidance rebuild`)."""


def index_dir() -> Path:
    return Path(current_app.config["GUIDANCE_INDEX_DIR"])


def chat_model(settings: guidance.Settings):
    """The optional chat model: injected (tests), configured by URL and model, or none (extractive)."""
    injected = current_app.config.get("GUIDANCE_CHAT_MODEL")
    if injected is not None:
        return injected
    if settings.llm_base_url and settings.llm_model:
        return guidance.make_chat_model(settings.llm_base_url, settings.llm_model,
                                        settings.llm_api_key or "none", settings.llm_timeout)
    return None


def llm_configured() -> bool:
    settings = guidance.Settings.from_env()
    return current_app.config.get("GUIDANCE_CHAT_MODEL") is not None or bool(
        settings.llm_base_url and settings.llm_model)


def get_assistant() -> guidance.Assistant:
    folder = index_dir()
    try:
        stamp = (folder / "manifest.json").stat().st_mtime_ns
    except FileNotFoundError as err:
        raise AssistantUnavailable(str(folder)) from err
    key = str(folder)
    cached = _loaded.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        cached = _loaded.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        settings = guidance.Settings.from_env()
        assistant = guidance.load(folder, llm=chat_model(settings), settings=settings)
        _loaded[key] = (stamp, assistant)
        return assistant


def forget() -> None:
    """Drops the loaded indexes (after a rebuild, or when a test swaps the chat model)."""
    with _lock:
        _loaded.clear()
