# The two commands of the README: `make run` (the sidecar on its embedded defaults) and `make test`.
# FCWH_* variables set in the environment pass through to the sidecar untouched.

VENV := .venv
PY := $(VENV)/bin/python
RUN_DIR := .run
PYTEST_ARGS ?=

.PHONY: run test lint system-deps node-deps bench pot

# pip runs again only when pyproject.toml changes (the stamp files are newer otherwise).
$(PY):
	python3 -m venv $(VENV)

$(VENV)/.stamp-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Run from .run/ so the SQLite database, its queue and the generated token land there.
run: $(VENV)/.stamp-run
	mkdir -p $(RUN_DIR)
	cd $(RUN_DIR) && ../$(VENV)/bin/fluentcrm-webhooks serve

system-deps:
	bash scripts/install-system-deps.sh

# Every package.json under tests/ (e.g. tests/browser/) gets its node_modules; skipped when current.
node-deps:
	@for manifest in $$(find tests -name package.json -not -path '*/node_modules/*'); do \
		dir=$$(dirname $$manifest); \
		stamp=$$dir/node_modules/.package-lock.json; \
		if [ $$stamp -nt $$manifest ] && ! [ $$dir/package-lock.json -nt $$stamp ]; then continue; fi; \
		if [ -f $$dir/package-lock.json ]; then npm ci --prefix $$dir --no-audit --no-fund; \
		else npm install --prefix $$dir --no-audit --no-fund; fi; \
	done

# The sidecar stays clean of ruff's and mypy's findings (settings in pyproject.toml).
lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check sidecar
	$(VENV)/bin/mypy

test: system-deps $(VENV)/.stamp-test node-deps lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.stamp-test
	$(PY) -m bench $(BENCH_ARGS)

# The plugin's translation template, from its PHP and JavaScript (tests/php/test_plugin_metadata.py
# fails when it is out of date). WP-CLI's phar is a third-party file kept outside the repository.
THIRD_PARTY ?= $(or $(FCWH_THIRD_PARTY),../shared/third-party)
pot:
	php $(THIRD_PARTY)/wp-cli.phar i18n make-pot wp-plugin wp-plugin/languages/fluentcrm-webhooks.pot \
		--slug=fluentcrm-webhooks --allow-root
