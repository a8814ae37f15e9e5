"""gunicorn settings of the dashboard, read from geo.settings (the one settings module):
``gunicorn -c dashboard/gunicorn_conf.py 'dashboard.app:create_server()'``.

The view model is loaded once in the master (``preload_app``) and shared by the forked workers; command-line
options still override these (the browser tests start one worker on a free port).
"""

from geo.settings import (
    dashboard_host,
    dashboard_port,
    dashboard_threads,
    dashboard_timeout,
    dashboard_workers,
)

bind = f"{dashboard_host()}:{dashboard_port()}"
workers = dashboard_workers()
threads = dashboard_threads()
timeout = dashboard_timeout()
preload_app = True
