# The two commands of the README: `make demo` (the main job) and `make test` (every test and check).
# Everything they need is installed here, into .venv, from the committed lockfile.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test lint unit bench clean node ext-lint ext-unit e2e package

$(VENV)/.installed: requirements/dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
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

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache examples/sklearn/model node_modules extension/dist .cache/ts-unit *.vsix
