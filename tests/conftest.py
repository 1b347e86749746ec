import pytest

from tests.factories import (  # noqa: F401  (fixtures below build on these)
    PersonFactory,
    ProjectFactory,
    RegionFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def make_user(db):
    """make_user("project_office", unit=..., username=...) → an account with that role and a person record."""

    def make(*roles, unit=None, username=None, person=True, **kwargs):
        user = UserFactory(roles=roles, **({"username": username} if username else {}), **kwargs)
        if person:
            PersonFactory(user=user, unit=unit, name=user.full_name or user.username)
        return user

    return make


@pytest.fixture
def office_user(make_user):
    return make_user("project_office", username="office")


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded files (site photos) go to a temporary folder, never into the checkout's var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
