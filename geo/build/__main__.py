"""``python -m geo.build`` (what ``make data`` runs)."""

import sys

from geo.build.run import main

sys.exit(main())
