# coordination — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# pytest-xdist workers for `make test`: one per core (each has its own database; tests/conftest.py)
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
export FLASK_APP := wsgi

.PHONY: help run test test-random lint format translations bench bench-check fuzz clean lock

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	# PyICU (Vietnamese collation) builds against the system's ICU: its headers, pkg-config and a C++ compiler.
	pkg-config --exists icu-i18n && command -v g++ >/dev/null || (apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config g++)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# pip-tools lives in a venv of its own: the project's venv installs only hash-checked locked packages.
LOCK_BIN := .venv-lock/bin
PIP_COMPILE = $(LOCK_BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host

lock:  ## Recompile requirements.txt and requirements-dev.txt (pinned, hashed) from the .in files
	test -x $(LOCK_BIN)/pip-compile || ($(PYTHON) -m venv .venv-lock && $(LOCK_BIN)/pip install --quiet pip-tools==7.7.0)
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

translations: $(BIN)/.installed  ## Compile the message catalogs (vi, en; the app's messages, Flask-Admin's and WTForms' own)
	$(BIN)/pybabel compile -f -d coordination/translations -D "messages admin wtforms"

translations-update: $(BIN)/.installed  ## Extract the strings to messages.pot and update the vi and en catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c TRANSLATORS: -o coordination/translations/messages.pot . && for lang in vi en; do $(BIN)/pybabel update -i coordination/translations/messages.pot -d coordination/translations -l $$lang --no-fuzzy-matching || exit 1; done

run: $(BIN)/.installed translations  ## Migrate, load the demo, serve http://127.0.0.1:$(PORT)
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile - wsgi:app

/usr/bin/chromium:
	# Browser tests use Debian's Chromium, never a downloaded one.
	(apt-get update -qq && apt-get install -y -qq chromium) || echo "chromium could not be installed: browser tests will fail"

/usr/bin/systemd-analyze:
	# tests/deploy checks the systemd units with Debian's systemd-analyze.
	(apt-get update -qq && apt-get install -y -qq systemd) || echo "systemd could not be installed: the unit check will be skipped"

test: $(BIN)/.installed translations /usr/bin/chromium /usr/bin/systemd-analyze  ## Run the suite on SQLite, then on TEST_DATABASE_URL if set
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -p no:cacheprovider; fi

test-random: $(BIN)/.installed translations  ## Run the SQLite suite in a random order (prints the seed to replay it)
	$(BIN)/pytest -p random_order --random-order

lint: $(BIN)/.installed  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed  ## ruff format and fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/.installed  ## Province-scale benchmark under load, the single runs, then every operation in-process (see bench/README.md)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/serve.py; serve=$$?; $(BIN)/python bench/single.py; single=$$?; \
	$(BIN)/python bench/run.py; each=$$?; test $$serve -eq 0 && test $$single -eq 0 && test $$each -eq 0

bench-check: $(BIN)/.installed  ## make bench on a data set ten times smaller, 5 s per scenario (a few minutes)
	$(BIN)/python bench/serve.py --directives 600 --duration 5 --no-markdown

fuzz: $(BIN)/.installed translations  ## schemathesis on every API operation, once per role, FUZZ_EXAMPLES (default 100) valid and invalid examples each
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} $(BIN)/pytest -p no:cacheprovider tests/api/test_fuzz.py

clean:  ## Remove the venv and local data
	rm -rf $(VENV) instance/coordination.db
