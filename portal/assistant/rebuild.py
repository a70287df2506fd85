"""Rebuilding the guideline index in the background, with progress an admin can watch and leave.

The new index is built beside the old one and swapped in only when complete (guidance.build_index), so
questions keep being answered during a rebuild and after a failed one.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import guidance
from portal.assistant import engine
from portal.assistant.documents import documents_dir
from portal.assistant.models import IndexBuild
from portal.audit.services import record_event
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db

STALE_AFTER = timedelta(minutes=30)  # a build "running" longer than this died with its process
READING = "reading "  # guidance.build_index's progress while it reads a file
DONE_COUNTS = re.compile(r"(\d+) documents, (\d+) sections, (\d+) passages")  # what run_build stores when done


def shown_message(build: IndexBuild) -> str:
    """A build's progress or result in the reader's language. The guidance library reports its steps in English
    ("reading x.md", "tokenising passages"); a file name is shown as it is, every other step by its number. A
    failure keeps the library's own words after a translated lead."""
    message = build.message or ""
    if build.status == "running":
        if message.startswith(READING):
            return str(_l("Reading %(file)s", file=message.removeprefix(READING)))
        return str(_l("Step %(done)d of %(total)d", done=build.done or 0, total=build.total or 0))
    if build.status == "done" and (counts := DONE_COUNTS.fullmatch(message)):
        return str(_l("%(documents)s documents, %(sections)s sections, %(passages)s passages",
                      documents=counts[1], sections=counts[2], passages=counts[3]))
    if build.status == "failed" and message:
        return str(_l("The index was not rebuilt: %(reason)s", reason=message))
    return message


def running_build() -> IndexBuild | None:
    return db.session.scalars(select(IndexBuild).where(
        IndexBuild.status == "running", IndexBuild.started_at > utcnow() - STALE_AFTER)).first()


def latest_build() -> IndexBuild | None:
    return db.session.scalars(select(IndexBuild).order_by(IndexBuild.id.desc())).first()


def start_rebuild(*, actor) -> IndexBuild:
    if running_build() is not None:
        raise ServiceError(_l("A rebuild is already running; wait for it to finish."), code="running")
    build = IndexBuild(started_by_id=getattr(actor, "id", None))
    db.session.add(build)
    record_event("guideline.rebuild_started", build, actor=actor)
    return build


def launch(build_id: int) -> None:
    """Runs the build after the request that started it has committed: in a thread, or inline in tests."""
    app = current_app._get_current_object()
    if app.config.get("GUIDANCE_REBUILD_INLINE"):
        run_build(app, build_id)
        return
    threading.Thread(target=run_build, args=(app, build_id), name=f"index-build-{build_id}", daemon=True).start()


def run_build(app, build_id: int) -> None:
    with app.app_context():
        build = db.session.get(IndexBuild, build_id)

        def progress(done: int, total: int, message: str) -> None:
            build.done, build.total, build.message = done, total, message
            db.session.commit()

        try:
            stats = guidance.build_index([documents_dir()], current_app.config["GUIDANCE_INDEX_DIR"],
                                         progress=progress)
        except (guidance.IngestError, OSError) as err:
            build.status, build.message = "failed", str(err)
            record_event("guideline.rebuild_failed", build, actor=None, summary={"error": str(err)})
        else:
            build.status = "done"
            build.message = f"{stats.documents} documents, {stats.sections} sections, {stats.chunks} passages"
            record_event("guideline.rebuild_done", build, actor=None, summary={"documents": stats.documents,
                                                                              "passages": stats.chunks})
        build.finished_at = utcnow()
        db.session.commit()
        engine.forget()
        db.session.remove()
