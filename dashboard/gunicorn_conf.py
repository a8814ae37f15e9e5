"""gunicorn settings of the dashboard, read from geo.settings (the one settings module):
``gunicorn -c dashboard/gunicorn_conf.py 'dashboard.app:create_server()'``.

The view model is loaded once in the master (``preload_app``) and shared by the forked workers; command-line
options still override these (the browser tests start one worker on a free port).

Hardening: the ``Server`` header says "qala", not gunicorn and its version (gunicorn has no setting for it:
the name its responses send is replaced here, in the master, before the workers fork). Each instance gets its own
control socket, named by the master's pid: gunicorn 25+ otherwise shares one path
($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl) between every instance of the user, and stopping
one removes the socket of another.
"""

import os

import gunicorn
import gunicorn.http.wsgi

from geo.settings import (
    dashboard_host,
    dashboard_port,
    dashboard_threads,
    dashboard_timeout,
    dashboard_workers,
)

SERVER_NAME = "qala"
gunicorn.SERVER = gunicorn.http.wsgi.SERVER = SERVER_NAME
gunicorn.SERVER_SOFTWARE = gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_NAME

bind = f"{dashboard_host()}:{dashboard_port()}"
workers = dashboard_workers()
threads = dashboard_threads()
timeout = dashboard_timeout()
preload_app = True
_runtime = os.environ.get("XDG_RUNTIME_DIR")
_control_dir = _runtime if _runtime and os.path.isdir(_runtime) else os.path.join(os.path.expanduser("~"),
                                                                                   ".gunicorn")
control_socket = os.path.join(_control_dir, f"qala-{os.getpid()}.ctl")  # this file runs in the master
