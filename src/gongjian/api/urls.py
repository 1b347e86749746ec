from gongjian.api.core import api

patterns, app_name, namespace = api.urls


def _allow_token_clients(items):
    # The site requires a signed-in session everywhere (LoginRequiredMiddleware); the API authenticates its
    # own requests (token or session) and answers 401 as JSON instead of redirecting to the login page.
    for item in items:
        if hasattr(item, "url_patterns"):
            _allow_token_clients(item.url_patterns)
        else:
            item.callback.login_required = False


_allow_token_clients(patterns)
urlpatterns = patterns
