# Two commands matter: `make run` and `make test`. Everything else is a step
# they share. Each step leaves a stamp, so a second run skips what is done.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-clocks lint messages assets migrate seed makemessages screenshots bench load clean

run: $(VENV)/.installed-run assets messages migrate seed
	@echo ""
	@echo "  Influence CRM is starting on http://127.0.0.1:8000/"
	@echo "  Demo logins (password: demo): manager, marketer, viewer"
	@echo "  Health: http://127.0.0.1:8000/healthz   ·   Ctrl-C stops web, worker, beat and the demo's feeds."
	@echo ""
	@# On Ctrl-C the recipe's shell (dash) would die at once and make report "Interrupt" while honcho is still
	@# stopping web, worker and beat: the trap keeps it waiting. honcho exits 130 after a clean stop: not an error.
	@# The demo's feeds come from its own server on loopback (the Procfile's feeds line): this run alone lets the
	@# worker read them (production's default refuses loopback), and reads them every minute so that posts arrive.
	trap : INT; PATH="$(BIN):$$PATH" FEED_ALLOWED_NETWORKS=127.0.0.1/32 FEED_SCAN_SECONDS=20 FEED_POLL_MINUTES=1 \
		FEED_POLL_MAX_MINUTES=1 $(BIN)/honcho start || [ $$? -eq 130 ]

test: $(VENV)/.installed-test assets messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run
	# Separate runs, so no state one kind of test leaves in the process (settings, connections, threads) can reach
	# the next: unit tests, a real browser, real worker processes, the benchmark.
	# The unit tests share nothing but their database, so pytest-xdist spreads them over every core (one test
	# database each); the other runs start processes or servers of their own.
	# UNIT_CLOCK=<moment> starts the unit tests' clock there (tests/conftest.py): CI's first pass runs them across
	# midnight of a Sunday in Paris, the moment its clock step would otherwise spend a whole extra run on.
	PATH="$(BIN):$$PATH" TEST_CLOCK="$(UNIT_CLOCK)" $(BIN)/pytest -m "not integration and not browser" \
		--ignore tests/bench -n auto
	# A real browser and real worker processes: two runs that mostly wait, side by side (scripts/side_by_side.sh).
	PATH="$(BIN):$$PATH" BIN="$(BIN)" scripts/side_by_side.sh
	# The benchmark repoints Django's connection at a database of its own: alone, so no worker test follows it.
	PATH="$(BIN):$$PATH" $(BIN)/pytest tests/bench

# The tests that depend on the date or the hour (marked `clock`), with the clock started at each moment where dates
# break: midnight in Paris and in UTC, the nights DST starts and ends, New Year's Eve, a leap day; at New Year's Eve,
# every unit test (CI runs it).
test-clocks: $(VENV)/.installed-test assets messages
	PATH="$(BIN):$$PATH" BIN="$(BIN)" scripts/test_clocks.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Pictures for the README, from the demo data in a throw-away database (var/screenshots); committed, not built.
screenshots: $(VENV)/.installed-test assets messages
	$(BIN)/python scripts/screenshots.py

# The benchmark (issue #7, docs/PERFORMANCE.md): a large data set in a database of its own, then the table of
# figures against their targets. PostgreSQL (the target) by default; `make bench DB=sqlite` for SQLite;
# BENCH_ARGS="--scale 0.01" for a quick run. `make load`: the locust scenario alone, on a kept data set.
DB ?= postgres
BENCH_DATABASE_URL ?= $(if $(filter sqlite,$(DB)),sqlite:///$(CURDIR)/var/db.sqlite3,postgres://postgres@127.0.0.1:5432/bench)
BENCH_ARGS ?=

bench: $(VENV)/.installed-test assets messages
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench $(BENCH_ARGS)

load: $(VENV)/.installed-test assets messages
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench --keep --sections load $(BENCH_ARGS)

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed-run: $(VENV)/.created requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run requirements-test.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed scripts/vendor.mjs
	npm run --silent build
	touch $@

assets: static/vendor/.built

# .po -> .mo with Babel: GNU gettext is not on a fresh machine.
%.mo: %.po $(VENV)/.installed-run
	$(BIN)/pybabel compile --statistics -i $< -o $@

messages: $(MO_FILES)

# Regenerating the catalogue needs GNU gettext (xgettext): a developer's tool.
makemessages: $(VENV)/.installed-run
	$(BIN)/python manage.py makemessages --locale fr --no-obsolete --ignore "$(VENV)/*" --ignore node_modules

migrate: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput

seed: $(VENV)/.installed-run
	$(BIN)/python manage.py seed_demo

clean:
	rm -rf $(VENV) node_modules static/vendor var
