"""The words of capacity building: guidance topics, finding severities and training modes, as users read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TOPIC_LABELS = {
    "wastewater": _l("Wastewater treatment and discharge"),
    "vocs": _l("VOCs (volatile organic compounds) control"),
    "hazardous_waste": _l("Hazardous waste storage, manifests and handover"),
    "energy": _l("Energy saving and carbon"),
    "noise": _l("Noise control"),
    "cleaner_production": _l("Cleaner production"),
    "permits": _l("Discharge permits, EIA and compliance paperwork"),
    "other": _l("Other environmental topic"),
}
SEVERITY_LABELS = {
    "high": _l("High: a compliance risk to fix first"),
    "medium": _l("Medium: should be improved"),
    "low": _l("Low: good practice to consider"),
}
MODE_LABELS = {"in_person": _l("In person"), "online": _l("Online")}


def topic_label(key: str) -> str:
    return str(TOPIC_LABELS.get(key, key))


def severity_label(key: str) -> str:
    return str(SEVERITY_LABELS.get(key, key))
