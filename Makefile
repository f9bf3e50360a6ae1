# datacouple: `make demo` sets everything up and tells the whole story; `make test` tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DVC_NO_ANALYTICS := 1

.PHONY: setup demo run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The spark extra too: tests/spark runs the spark engine against the arrow engine (Java 17).
	$(BIN)/pip install -q -e '.[dev,spark]'
	# ISLP ships the public datasets the example and the tests use; its heavy deps are not needed.
	$(BIN)/pip install -q --no-deps ISLP
	touch $@

# The demo: the example in a fresh git + DVC project in a temp dir, a model registered in its
# own sqlite MLflow store, a NULL -> "" migration caught by `datacouple check` (about a minute).
demo: setup
	datacouple demo

# The example in this repository: its DVC pipeline (raw -> featurize -> fingerprint -> train,
# the model registered in MLflow's sqlite store with its lineage), pushed to the local DVC
# remote (.dvc-storage/), then the committed fingerprint is validated again.
run: setup
	dvc repro
	dvc push -q
	datacouple validate features

lint: setup
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache bench/data
