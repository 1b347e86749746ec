import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Every test here makes several accounts; a cheap hash keeps the matrix quick (the hasher is not what is
    tested)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
