# Commonplace: every command a developer or CI needs. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per CPU by default; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder
TYPED := accounts/time_zones.py core/asgi.py core/channel_layer.py core/deferred.py core/middleware.py core/warmup.py core/realtime.py core/markdown.py core/consumers.py core/api.py core/errors.py core/text.py core/quota.py core/mail.py core/registry.py core/search.py core/pages.py core/http.py core/origin.py core/fulltext.py dashboard/search.py discussions/search.py discussions/search_index.py files/views.py files/extract.py cohorts/calendar.py resources/search.py resources/dashboard.py resources/samples.py resources/consumers.py resources/api.py resources/previews.py resources/evidence.py resources/session_links.py trainings/search.py trainings/jsonld.py trainings/sections.py trainings/seed.py core/templatetags/page_sections.py trainings/search_index.py core/charts.py journals/api.py journals/serializers.py journals/search.py journals/search_index.py journals/consumers.py journals/events.py journals/dashboard.py journals/citations.py journals/tasks.py core/throttles.py discussions/tasks.py $(filter-out tests/% bench/%,$(wildcard */services.py */services/*.py */selectors.py */selectors/*.py */roles.py */permissions.py))
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/commonplace_test
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test test-services lint typecheck format bench install install-dev clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

## make run: install, migrate, import the framework, seed demo data, serve on HOST:PORT
## with one background task worker beside daphne (stopped with it). Links in e-mails and
## calendar files start with SITE_URL: the address served on, unless SITE_URL is set.
run: $(STAMP_RUN)
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-1}; \
	export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py import_framework && \
	$(PY) manage.py seed_demo $${SEED_DEMO_ARGS:-} && \
	exec $(PY) manage.py serve --with-worker --host $(HOST) --port $(PORT)

## make test: the whole suite (browser tests included) on SQLite and the in-memory layer
test: $(STAMP_DEV)
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m "not services" $(XDIST) $(PYTEST_ARGS)

## make test-services: the suite on PostgreSQL + Redis, plus the multi-process tests
test-services: $(STAMP_DEV)
	DATABASE_URL=$${DATABASE_URL:-$(SERVICES_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(SERVICES_REDIS_URL)} \
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck

## mypy (with django-stubs) on the layers that hold the logic: services, selectors, realtime
typecheck: $(STAMP_DEV)
	DJANGO_DEBUG=1 $(VENV)/bin/mypy $(TYPED)

format: $(STAMP_DEV)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: benchmarks against real daphne processes; JSON lands in bench/results/
bench: $(STAMP_DEV)
	DATABASE_URL=$${DATABASE_URL:-$(SERVICES_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(SERVICES_REDIS_URL)} \
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* test-db.sqlite3* staticfiles
