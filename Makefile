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
	@echo "== amldeploy validate examples/sklearn (the example project: clean)"
	$(BIN)/amldeploy validate examples/sklearn
	@echo
	@echo "== amldeploy validate examples/broken (a broken copy: every problem at once, exit status 1)"
	@$(BIN)/amldeploy validate examples/broken; status=$$?; \
	  if [ $$status -ne 1 ]; then echo "expected exit status 1, got $$status"; exit 1; fi

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

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache examples/sklearn/model
