"""``gongjian serve``: one command to run the web server, whatever the deployment.

A district runs Gongjian on one small server and should not need to know what a WSGI server is; a city runs it
behind a load balancer with several worker processes. The same command covers both: Django's own server in the
embedded mode, gunicorn when ``GONGJIAN_ENV=production``. Static files are served by WhiteNoise in both cases
(``WHITENOISE_USE_FINDERS``), so there is no ``collectstatic`` step to forget.
"""

import importlib.util
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gongjian.jobs.embedded import start_worker_thread

DEFAULT_ADDR = "127.0.0.1:8000"
_WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]"}


def split_addr(addr: str) -> tuple[str, str]:
    """``"127.0.0.1:8000"`` → ``("127.0.0.1", "8000")``; a bare port listens on 127.0.0.1, as runserver does."""
    host, sep, port = addr.strip().rpartition(":")
    if not sep:
        host, port = "", addr.strip()
    if host.startswith("[") != host.endswith("]") or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(
            f"'{addr}' is not an address to listen on; write it as HOST:PORT, e.g. {DEFAULT_ADDR}."
        )
    return host or "127.0.0.1", port


def site_url(addr: str) -> str:
    """The address to open in a browser; a server listening on every interface is reachable on 127.0.0.1."""
    host, port = split_addr(addr)
    return f"http://{'127.0.0.1' if host in _WILDCARD_HOSTS else host}:{port}/"


# Each worker process serves this many requests at once in threads (gunicorn's gthread worker): a request spends
# much of its time waiting for PostgreSQL, and a thread waiting lets another run. Measured with the report burst
# (issue 14, 2 cores): two processes of 8 threads filed two to three times as many reports a second as the four
# single-threaded workers it had, on less CPU per report.
DEFAULT_THREADS = 8


def default_workers() -> int:
    # One process per core gives the threads the cores (each process runs one thread of Python at a time); at least
    # two, so that one busy process does not hold every request up.
    return max(2, os.cpu_count() or 1)


def gunicorn_argv(
    bind: str, workers: int, threads: int = DEFAULT_THREADS, *, access_log: bool = True
) -> list[str]:
    """The gunicorn command line of production mode (the benchmarks run the same)."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "gongjian.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
    ]
    return argv + (["--access-logfile", "-"] if access_log else [])


class Command(BaseCommand):
    help = (
        "Run the Gongjian web server. With GONGJIAN_ENV=production it runs gunicorn "
        "(gongjian.wsgi:application) with several worker processes; otherwise Django's own server in one process, "
        "which is enough for a district on SQLite. Static files are served in both modes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr",
            default=DEFAULT_ADDR,
            metavar="HOST:PORT",
            help=f"address to listen on (default: {DEFAULT_ADDR}; 0.0.0.0:8000 listens on every "
            "interface, then list the host names in GONGJIAN_ALLOWED_HOSTS)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            metavar="N",
            help="gunicorn worker processes in production mode (default: one per CPU core, at least two: "
            f"{default_workers()} here)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            metavar="N",
            help=f"requests each worker serves at once, in threads (default: {DEFAULT_THREADS}; 1 for one at a time)",
        )

    def handle(self, *args, addr, workers, threads, **options):
        host, port = split_addr(addr)
        bind = f"{host}:{port}"
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        if threads < 1:
            raise CommandError("--threads must be at least 1.")
        if settings.PRODUCTION:
            self.run_gunicorn(bind, workers or default_workers(), threads, site_url(addr))
        else:
            if workers:
                self.stderr.write(
                    "--workers applies to production mode (GONGJIAN_ENV=production) only; "
                    "Django's server runs in one process."
                )
            self.stdout.write(
                f"Gongjian is served at {site_url(addr)} by Django's server (embedded mode; stop "
                "with Ctrl+C). For many users set GONGJIAN_ENV=production to run gunicorn instead."
            )
            # Django's generic "development server" warning is replaced by the line above: in the embedded mode
            # this server is the deployment, by design, and the way out is named.
            os.environ.setdefault("DJANGO_RUNSERVER_HIDE_WARNING", "true")
            if start_worker_thread():
                self.stdout.write("Background tasks run in this process (one worker thread).")
            # No autoreloader: it would start a second process watching source files, which an installed package
            # does not need.
            call_command("runserver", bind, use_reloader=False)

    def run_gunicorn(self, bind: str, workers: int, threads: int, url: str) -> None:
        if importlib.util.find_spec("gunicorn") is None:
            raise CommandError(
                "gunicorn is not installed (it does not run on Windows). Install it, or unset "
                "GONGJIAN_ENV to run Django's server."
            )
        self.stdout.write(
            f"Gongjian is served at {url} by gunicorn with {workers} workers of {threads} threads each."
        )
        argv = gunicorn_argv(bind, workers, threads)
        # exec replaces this process, so whatever is still buffered would be lost.
        self.stdout.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)
