"""The tests hash with a cheap hasher (tests/conftest.py); the site itself stores passwords with Django's slow,
salted PBKDF2 — checked here against the project's settings module, not the tests' override."""

from django.conf import global_settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from gongjian import settings as project


def test_the_site_stores_passwords_with_pbkdf2_of_at_least_a_million_rounds():
    hashers = getattr(project, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert "MD5" not in " ".join(hashers) and "Unsalted" not in " ".join(hashers)
    with override_settings(PASSWORD_HASHERS=hashers):
        stored = make_password("Gongjian@2026")
        algorithm, rounds, salt, _digest = stored.split("$")
        assert algorithm in ("pbkdf2_sha256", "argon2") and int(rounds) >= 1_000_000 and len(salt) >= 16
        assert check_password("Gongjian@2026", stored) and not check_password("gongjian@2026", stored)
