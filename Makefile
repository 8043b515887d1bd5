# The two commands: `make run` (portal with demo data and a worker) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test coverage install migrate demo lint format check-messages check-migrations check-deploy ci messages makemessages \
	bench clean backup restore bench-rush bench-crash

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

NODE_STAMP := node_modules/.installed

# axe-core for the accessibility checks of the browser tests, from the npm registry.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP) messages

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

# Collect new messages into the English catalogue (then translate the empty ones).
makemessages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --no-location -v0

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo

# The worker and beat run as in production: beat sends the nightly scoring and the sweep of
# stuck piagam; one scoring is queued at start so that periods closed since the last run
# have their scores without waiting for the night.
run: demo
	@echo "Portal: http://127.0.0.1:8000  (Ctrl-C menghentikan web, worker dan beat)"
	$(BIN)/celery -A ranham_portal call evaluation.tasks.recompute_recent_cycles
	$(BIN)/honcho -f Procfile.dev start

# In parallel (pytest-xdist: one process per core, each with its own test database and its
# own queues on the broker; a module stays in one process, so that its module-wide fixtures,
# such as a seeded demo, are built once) and in random order (pytest-randomly prints the seed; repeat an
# order with PYTEST_ARGS=--randomly-seed=N). The modules that take minutes are handed out first, longest
# first (tests/conftest.py LONG_MODULES), rather than by their number of tests.
TEST_PROCESSES ?= auto
test: install
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadscope --no-loadscope-reorder $(PYTEST_ARGS)

# The same tests with line coverage (slower: coverage traces every line).
coverage: install
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# English complete: no untranslated or fuzzy message, none missing from the catalogue
# (also part of `make test`).
check-messages: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider tests/test_translations.py

check-migrations: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

# Production settings as docker-compose.yml sets them: a shared Redis cache and one proxy.
check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=ranham.example.go.id CACHE_URL=redis://127.0.0.1:6379/1 TRUSTED_PROXY_COUNT=1 \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ranham_bench} \
	$(PY) bench/run_all.py
	DATABASE_URL=$${BENCH_PIAGAM_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ranham_bench_piagam} \
	$(PY) bench/piagam.py
	DATABASE_URL=$${BENCH_NOTICES_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ranham_bench_notices} $(PY) bench/notifications.py
	DATABASE_URL=$${BENCH_ACCOUNTS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ranham_bench_accounts} $(PY) bench/accounts_import.py

ci: lint check-migrations check-deploy test

# Database (pg_dump, or sqlite3 .backup) and media of the DATABASE_URL and MEDIA_ROOT now set.
BACKUP_DIR ?= var/backups
backup: $(STAMP)
	PY=$(abspath $(PY)) deploy/backup.sh backup $(BACKUP_DIR)

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/ranham-..."; exit 2; }
	PY=$(abspath $(PY)) deploy/backup.sh restore $(BACKUP)

# Deadline rush (552 officers over 10 minutes) and crash proof; see README, Operations.
BENCH_ARGS ?=
bench-rush: install
	$(PY) bench/rush.py $(BENCH_ARGS)

bench-crash: install
	$(PY) bench/crash.py $(BENCH_ARGS)
	$(PY) bench/notices_faults.py $(NOTICES_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .coverage htmlcov
