"""In-app notifications on every workflow transition, and deadline reminders.

Features call `notify(...)`; the bell in the navigation counts what is unread.
"""

from portal.notifications.services import notify

__all__ = ["notify"]
