# The two commands of the README: `make demo` (the main job) and `make test` (every test and check).
# Everything they need is installed here, into .venv, from the committed lockfile.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test lint unit bench clean distclean node ext-lint ext-unit e2e package

# Each step says what it does: on a fresh machine the install is the longest minute of `make demo`.
$(VENV)/.installed: requirements/dev.lock pyproject.toml
	@echo "setup 1/3: a virtual environment in $(VENV) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	@echo "setup 2/3: the $$(grep -c '^[a-z0-9]' requirements/dev.lock) packages pinned in requirements/dev.lock" \
	  "(about a minute and 530 MB on a fresh machine)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements/dev.lock
	@echo "setup 3/3: amldeploy itself, editable (the command is $(BIN)/amldeploy)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(VENV)/.installed

# The extension's toolchain (TypeScript, esbuild, eslint, mocha, vsce) from the committed package-lock.json.
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

examples/sklearn/model/model.joblib: examples/sklearn/train.py | setup
	$(BIN)/python examples/sklearn/train.py $@

demo: setup examples/sklearn/model/model.joblib
	AMLDEPLOY="$(abspath $(BIN))/amldeploy" PYTHON="$(abspath $(BIN))/python" examples/demo.sh

lint: setup
	$(BIN)/ruff check server tests bench examples
	$(BIN)/ruff format --check server tests bench examples
	$(BIN)/mypy
	$(BIN)/python -m amldeploy.language.rules.doc --check
	$(BIN)/lint-imports --no-cache --no-logo

unit: setup
	$(BIN)/pytest -q

ext-lint: node
	npm run --silent lint

ext-unit: node
	npm run --silent test:unit

# The extension in a real VS Code host: tests/infra/vscode-host/ensure.sh installs code-server and Chromium
# (cached outside the clone), then tests/extension/e2e/run.js drives them.
e2e: setup node examples/sklearn/model/model.joblib
	npm run --silent build
	tests/infra/vscode-host/ensure.sh
	AMLDEPLOY_PYTHON="$(abspath $(BIN))/python" node tests/extension/e2e/run.js

package: setup node
	AMLDEPLOY_PYTHON="$(abspath $(BIN))/python" npm run --silent package

test: lint unit ext-lint ext-unit e2e

bench: setup
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/lsp.py
	$(BIN)/python bench/big.py
	$(BIN)/python bench/runtime.py
	$(BIN)/python bench/deploy.py

# `clean`: what the two commands built inside the clone, except the slow caches of .cache/ (Azure's inference
# server, the isolated test venvs). `distclean`: those too, and the caches outside the clone (code-server and
# playwright for the end-to-end tests, the venvs of `deploy --isolated`), only the folders amldeploy creates there.
# Neither touches .amldeploy/: it holds the records of services that may still run (`amldeploy delete` them).
CACHE_ROOT := $(or $(AMLDEPLOY_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/amldeploy)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis examples/sklearn/model node_modules \
	  extension/dist .cache/ts-unit .cache/artifacts dist build *.egg-info *.vsix
	find server tests bench examples -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf .cache
	rm -rf "$(CACHE_ROOT)"/vscode-host-* "$(CACHE_ROOT)/.vscode-host.lock" "$(CACHE_ROOT)/venvs"
	rmdir "$(CACHE_ROOT)" 2>/dev/null || true
