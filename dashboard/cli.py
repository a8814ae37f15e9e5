"""``qala``, the one console command: ``qala serve`` (the dashboard under gunicorn, as ``make run``), ``qala brief``
(a printable brief of a view) and every command of the library (``geo.cli``: data, join, export, publish,
datasets, demo).

It lives here, above both, so that the library never imports the dashboard; ``qala-brief`` stays as an alias.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from geo.settings import PROJECT_ROOT

APP = "dashboard.app:create_server()"
OWN = {"serve": "the dashboard under gunicorn (HOST/PORT, QALA_PORT ...; gunicorn's own options may follow)",
       "brief": 'a printable brief (A4 PDF/PNG) of a view: qala brief "?city=Almaty&lang=kk" -o almaty.pdf'}


def serve_command(argv: list[str]) -> list[str]:
    """gunicorn with the project's settings (dashboard/gunicorn_conf.py, the view model loaded once), then any
    options given (they override the settings)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [str(gunicorn), "-c", str(PROJECT_ROOT / "dashboard" / "gunicorn_conf.py"), "--preload", *argv, APP]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        command = serve_command(args[1:])
        os.chdir(PROJECT_ROOT)  # gunicorn imports the app by its module path
        os.execv(command[0], command)  # the server replaces this process: signals reach it directly
    if args[:1] == ["brief"]:
        from dashboard.brief.document import main as brief

        return brief(args[1:])
    from geo.cli import main as library

    if not args or args[0] in ("-h", "--help"):
        print("qala serve | qala brief | qala <library command>\n" + "\n".join(
            f"  {name:<7}{what}" for name, what in OWN.items()) + "\n")
    return library(args)


if __name__ == "__main__":
    sys.exit(main())
