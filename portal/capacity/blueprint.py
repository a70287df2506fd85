"""The capacity-building blueprint; its views live in training_routes.py and guidance_routes.py."""

from flask import Blueprint

bp = Blueprint("capacity", __name__)


@bp.app_context_processor
def finding_labels():
    """The labels a findings table needs, also where an upgrade plan shows the findings it started from."""
    from portal.capacity.catalogue import SEVERITY_LABELS, TOPIC_LABELS

    return {"capacity_topics": TOPIC_LABELS, "capacity_severities": SEVERITY_LABELS}
