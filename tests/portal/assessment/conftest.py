"""A signed-in supplier, shared by the assessment tests."""

import pytest

from tests.conftest import login


@pytest.fixture
def supplier_client(app, make):
    org = make.org("supplier")
    client = app.test_client()
    login(client, make.user(org))
    client.org = org
    return client
