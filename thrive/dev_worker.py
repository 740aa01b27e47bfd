"""`make dev`'s Celery worker: `celery worker` itself, ended without the interpreter's slow exit.

Run as `REMAP_SIGTERM=SIGQUIT python -m thrive.dev_worker <worker options>` (Procfile.dev).
honcho stops a process by sending SIGTERM to its whole process group, so the pool's children
die at once; with REMAP_SIGTERM=SIGQUIT the worker answers with Celery's cold shutdown (its
tasks cancelled, their messages left for the broker to deliver again) rather than a warm one
that waits on the dead children until honcho kills everything five seconds later. Once Celery
is done, the interpreter's own exit (billiard's exit handlers joining threads that sleep a
second at a time, then every imported module torn down, ccxt's among them) takes another one
to two seconds on a busy machine; `os._exit` skips it, after the logs are flushed.
"""

from __future__ import annotations

import logging
import os
import sys


def main(argv: list[str]) -> None:
    from thrive.celery import app

    code: int | str | None = None
    try:
        app.worker_main(["worker", *argv])
    except SystemExit as exited:
        code = exited.code
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if code is None else code if isinstance(code, int) else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
