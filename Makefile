# The two commands of the README: `make demo` (the main job) and `make test` (every test and check).
# Everything they need is installed here, into .venv, from the committed lockfile.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test lint unit bench clean

$(VENV)/.installed: requirements/dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(VENV)/.installed

examples/sklearn/model/model.joblib: examples/sklearn/train.py | setup
	$(BIN)/python examples/sklearn/train.py $@

demo: setup examples/sklearn/model/model.joblib
	AMLDEPLOY="$(abspath $(BIN))/amldeploy" PYTHON="$(abspath $(BIN))/python" examples/demo.sh

lint: setup
	$(BIN)/ruff check server tests bench examples
	$(BIN)/ruff format --check server tests bench examples
	$(BIN)/mypy
	$(BIN)/python -m amldeploy.language.rules_doc --check

unit: setup
	$(BIN)/pytest -q

test: lint unit

bench: setup
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/lsp.py
	$(BIN)/python bench/runtime.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache examples/sklearn/model
