"""gunicorn's settings under ``scripts/serve`` (grassroots/operations/supervisor.py gives bind and workers).

Requests are logged by the application (grassroots/operations/middleware.py: masked, with the request id),
so gunicorn's access log is off; its own messages go through the same logging configuration as Django's.
"""

from __future__ import annotations

import copy

from grassroots.settings import LOGGING

# Spreadsheet imports run inside their request and take 30-40 s for a large register (docs/operations.md).
timeout = 120
# A SIGTERM lets running requests finish for this long; scripts/serve kills what remains after 8 s.
graceful_timeout = 7
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, in memory rather than on disk
accesslog = None
# gunicorn 27's control socket sits at one path per user: two servers on one machine would fight over it.
control_socket_disable = True

logconfig_dict = copy.deepcopy(LOGGING)
logconfig_dict["loggers"]["gunicorn.error"] = {"level": "INFO", "propagate": True}
logconfig_dict["loggers"]["gunicorn.access"] = {"level": "WARNING", "propagate": True}


def child_exit(server, worker):
    """A worker's metric files stay for the counters it wrote; its live gauges go (prometheus-client)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
