# Two commands do all set-up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup index run test eval bench browser axe clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# Exactly this torch: a CPU build that lies on this machine's disk. A range would pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/qa index

run: index
	$(BIN)/qa serve

# Debian's chromium for the browser tests (PyPI playwright drives it; never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

# npm's axe-core, pinned in package.json and package-lock.json, for the browser tests' accessibility checks.
# node_modules/ is not committed; `npm ci` installs exactly the locked version. Debian's npm when missing.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; fi; }
	npm ci --no-audit --no-fund --loglevel=error

axe: node_modules/.package-lock.json

# The whole suite, then the evaluation gate: a change that makes answers worse fails here.
test: setup browser axe
	$(BIN)/python -m pytest -q
	$(BIN)/qa index
	$(BIN)/qa eval --check --out build/eval

eval: setup
	$(BIN)/qa eval --out build/eval

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build index/generations index/CURRENT index/write.lock index/chroma index/bm25 index/*.jsonl index/*.npy index/*.json index/*.sqlite
