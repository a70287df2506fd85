import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notifications.models import Notification
from tests.portal.funding.conftest import FundingWorld


@pytest.fixture
def funding(app, make):
    return FundingWorld(app, make)


def kinds_of(user) -> list[str]:
    """The kinds of a user's notifications, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))
