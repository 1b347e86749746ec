"""The scheduler, at the top of the package: ``steps`` lists what ``gongjian tick`` does, one entry point per app's
``tasks.py``, and runs them each in its own transaction and error boundary."""
