"""Registers the capacity-building pages (trainings, on-site guidance) on one blueprint."""

from portal.capacity import guidance_routes, training_routes  # noqa: F401  (the views register themselves)
from portal.capacity.blueprint import bp

__all__ = ["bp"]
