"""Gunicorn configuration of the HTTP service, used by ``matcher serve`` and usable directly::

    gunicorn -c python:matcher.gunicorn_conf            # settings from MATCHER_* (see README)
    kill -HUP <master pid>                                 # graceful reload: new workers, then the old stop

Choices, and why:

- **gthread workers** (``MATCHER_WORKERS`` processes x ``MATCHER_THREADS`` threads, default 2 x 2).
  Matching is CPU-bound and holds the GIL, so throughput comes from processes, and more threads
  only add contention: with every list loaded, 50 clients and cold caches on 2 cores, 1, 2 and 4
  threads per worker gave 406, 402 and 297 requests/s (bench/load). Two threads keep a worker
  responsive while one runs a long request (a 1,000-query batch, ``POST /v1/lists/refresh``),
  and gthread's heartbeat does not depend on requests, so a slow request is not mistaken for a
  hung worker; keep-alive connections wait in its poller, not in a thread. The engine is
  thread-safe (ICU transliterators are per thread, caches are dicts and ``lru_cache``).
- **Preload** (``MATCHER_PRELOAD=true``): the master loads the lists, warms them up and
  ``gc.freeze()``-es them, then forks the workers, which share those pages copy-on-write.
  Measured with every list in ../shared/data/lists and two workers (``bench/load/memory.py``,
  total PSS of master and workers): 518 MB with preload against 958 MB without once the workers
  are ready; after one list refresh, when each worker has loaded its own new engine and the
  master still holds the old one, 1,251 MB against 1,320 MB. So preload saves memory at start
  and costs nothing later, and the lists are loaded once instead of once per worker. A worker
  forked later (after a crash or a timeout) would start with the master's older lists, so
  ``post_worker_init`` loads the current versions before the worker accepts a connection.
  Without preload, ``on_starting`` builds any missing list index once, in a short-lived child
  process, instead of every worker building it within its boot timeout. With preload, ``HUP``
  restarts the workers but does not reload matcher's code: restart the service to upgrade.
- **Warm-up** happens on every engine load (:meth:`Engine.warm_up` in the engine holder), in the
  worker before it accepts connections and again before a reloaded engine is swapped in, so no
  request pays for lazily loaded tables. ``post_worker_init`` starts the worker's list-version
  poller, so even a worker that has served nothing yet follows refreshes.
- **Timeouts**: ``MATCHER_TIMEOUT`` (60 s) for a worker that stops responding and for graceful
  stops, so requests in flight finish on ``HUP``/``TERM``; keep-alive 5 s.
- **Metrics**: ``matcher serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` to a fresh temporary folder
  (before anything imports prometheus-client) unless it is already set, and removes the folder on
  exit; ``on_starting`` empties it; ``child_exit`` marks a dead worker so its live gauges
  disappear. With ``gunicorn -c python:matcher.gunicorn_conf`` set the variable yourself to an
  empty folder (prometheus-client reads it once, at import, so this module cannot set it in
  time without side effects on every importer); without it ``/metrics`` shows only the values of
  the worker that answers, and the master logs a warning saying so.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
from typing import Any

from matcher.settings import Settings

log = logging.getLogger("matcher.gunicorn")

_CREATED_METRICS_DIR: str | None = None
#: The settings :func:`run` was given (``matcher serve`` options); None: from the environment.
_SETTINGS: Settings | None = None


def _ensure_metrics_dir() -> None:
    """Point prometheus-client's multiprocess mode at a fresh folder, unless one is configured.

    Must run before anything imports prometheus-client, which reads the variable once.
    """
    global _CREATED_METRICS_DIR
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _CREATED_METRICS_DIR = tempfile.mkdtemp(prefix="matcher-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _CREATED_METRICS_DIR


def on_starting(server: Any) -> None:
    """Master, before anything: start from empty metric files; build missing list indexes
    (with preload the master loads, and so builds, them itself)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.unlink(os.path.join(folder, name))
    elif server.cfg.workers > 1:
        server.log.warning(
            "PROMETHEUS_MULTIPROC_DIR is not set: /metrics will show the values of whichever worker "
            "answers the scrape; set it to an empty folder (matcher serve does this itself)"
        )
    if not server.cfg.preload_app:
        _prepare_indexes()


def _prepare_indexes() -> None:
    """Load (building when missing) every list's index in a child process, then forget it."""
    pid = os.fork()
    if pid == 0:  # child: do the work, exit without running the master's cleanup
        code = 0
        try:
            from matcher.engine import load_or_build_index
            from matcher.store import Store

            settings = _SETTINGS or Settings.from_env()
            store = Store(settings.data_dir, settings.retention)
            for source in store.sources():
                load_or_build_index(store, source)
        except Exception:
            log.exception("preparing the list indexes failed; workers will try again")
            code = 1
        os._exit(code)
    os.waitpid(pid, 0)


def when_ready(server: Any) -> None:
    """Master, listening: with preload, freeze the loaded objects out of the GC's reach."""
    if server.cfg.preload_app:
        gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    """Worker, just forked: matcher's log lines go to gunicorn's error log, with the worker pid."""
    _use_gunicorn_log(worker)


def _use_gunicorn_log(worker: Any) -> None:
    error_log = worker.log.error_log
    logger = logging.getLogger("matcher")
    logger.handlers = list(error_log.handlers)
    logger.setLevel(error_log.level)
    logger.propagate = False


def post_worker_init(worker: Any) -> None:
    """Worker, app loaded: serve the current list versions from the first request (a worker forked
    from a preloading master may have older ones), then follow changes with the poller."""
    services = worker.wsgi.extensions.get("matcher") if hasattr(worker.wsgi, "extensions") else None
    if services is not None:
        services.holder.check()
        services.holder.start()


def child_exit(server: Any, worker: Any) -> None:
    """Master: a worker exited; drop its live gauges from the shared metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    if _CREATED_METRICS_DIR is not None:
        shutil.rmtree(_CREATED_METRICS_DIR, ignore_errors=True)


def options(settings: Settings | None = None) -> dict[str, Any]:
    """The gunicorn settings for ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    return {
        "bind": [f"{settings.host}:{settings.port}"],
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "timeout": int(settings.timeout),
        "graceful_timeout": int(settings.timeout),
        "keepalive": 5,
        "preload_app": settings.preload,
        "wsgi_app": "matcher.api:create_app()",
        "proc_name": "matcher",
        "errorlog": "-",
        "loglevel": "info",
        "control_socket_disable": True,
        "on_starting": on_starting,
        "when_ready": when_ready,
        "post_fork": post_fork,
        "post_worker_init": post_worker_init,
        "child_exit": child_exit,
        "on_exit": on_exit,
    }


def run(settings: Settings | None = None) -> None:
    """Run gunicorn in this process with :func:`options` (what ``matcher serve`` does)."""
    global _SETTINGS
    from gunicorn.app.base import BaseApplication

    _SETTINGS = settings = settings or Settings.from_env()
    _ensure_metrics_dir()
    opts = options(settings)

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in opts.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from matcher.api import create_app

            return create_app({"SETTINGS": settings})

    _Server(prog="matcher serve").run()


# Module-level settings, for ``gunicorn -c python:matcher.gunicorn_conf``.
_opts = options()
bind = _opts["bind"]
workers = _opts["workers"]
worker_class = _opts["worker_class"]
threads = _opts["threads"]
timeout = _opts["timeout"]
graceful_timeout = _opts["graceful_timeout"]
keepalive = _opts["keepalive"]
preload_app = _opts["preload_app"]
wsgi_app = _opts["wsgi_app"]
proc_name = _opts["proc_name"]
errorlog = _opts["errorlog"]
loglevel = _opts["loglevel"]
control_socket_disable = _opts["control_socket_disable"]
