# Qala Atlas. `make run`: fresh clone -> running dashboard. `make test`: fresh clone -> passing tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= $(or $(QALA_PORT),8050)
STAMP := $(VENV)/.installed

.PHONY: install browser data run test bench clean

install: $(STAMP) browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Debian's Chromium and ChromeDriver for the browser tests and the first-paint benchmark (never a downloaded browser).
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

data: $(STAMP)
	$(PY) -m geo.build

run: $(STAMP) data
	$(VENV)/bin/gunicorn --workers 2 --threads 4 --preload --bind $(HOST):$(PORT) dashboard.app:server

test: install data
	$(PY) -m pytest -q

bench: install data
	$(PY) -m bench.run

clean:
	rm -rf data/build data/cache
