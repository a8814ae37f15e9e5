# Qala Atlas. `make run`: fresh clone -> running dashboard. `make test`: fresh clone -> passing tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= $(or $(QALA_PORT),8050)
STAMP := $(VENV)/.installed

.PHONY: install browser postgis data run test bench mutate typecheck clean

install: $(STAMP) browser postgis

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Debian's Chromium and ChromeDriver for the browser tests, the first-paint benchmark and the printed briefs (never a
# downloaded browser); poppler's pdftotext lets the brief tests read the PDF's text.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v pdftotext >/dev/null; then :; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	fi

# Debian's PostgreSQL + PostGIS for the PostGIS export tests (tests/pg_server.py starts a private server on
# loopback and stops it after).
postgis:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then :; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null \
	  && $$SUDO apt-get install -y -qq postgresql-$$(ls /usr/lib/postgresql | sort -n | tail -1)-postgis-3 >/dev/null; \
	fi

data: $(STAMP)
	$(PY) -m geo.build

run: $(STAMP) browser data
	QALA_HOST=$(HOST) QALA_PORT=$(PORT) $(VENV)/bin/qala serve

test: install data
	$(PY) -m pytest -q

bench: install data
	$(PY) -m bench.run

# Mutation testing of the indicators, the domain, the gate, the joins and the seams (config in pyproject.toml); prints the score.
mutate: $(STAMP)
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 >/dev/null || true
	$(PY) -m bench.mutation_score

typecheck: $(STAMP)
	$(VENV)/bin/mypy
	$(VENV)/bin/ruff check geo dashboard bench tests

clean:
	rm -rf data/build data/cache mutants
