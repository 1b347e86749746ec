from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "gongjian.land"
    label = "land"
    verbose_name = "征地拆迁"

    def ready(self) -> None:
        # The cockpit also discovers every app's panels module; importing it here registers the panel even where
        # the cockpit is not installed (and twice is harmless: registering a key again replaces it).
        from gongjian.land import panels  # noqa: F401, PLC0415  (app registry)
