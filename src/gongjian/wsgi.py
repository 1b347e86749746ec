"""WSGI entry point for gunicorn (`gongjian serve` in production mode)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
application = get_wsgi_application()

from gongjian.core.audit import seal_in_background  # noqa: E402  (after Django is set up)

seal_in_background()
