# Two commands do all set-up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup llm index run test eval bench browser axe clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# Exactly this torch: a CPU build that lies on this machine's disk. A range would pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The language-model extra (pip install '.[llm]', see README "Generative answers"). llama-cpp-python builds
# from source (about 7 minutes on 2 cores), so the wheel is built once into a cache outside the clone and
# reused. GGML_NATIVE=OFF: a native build takes an AMX code path that these VMs advertise but do not allow
# (it crashes at the first decode); AVX2 runs on any x86_64 machine of the last decade.
LLAMA_VERSION := 0.3.36
LLM_WHEELS ?= $(HOME)/.cache/carereview-qa/wheels
LLM_STAMP := $(VENV)/.installed-llm
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

$(LLM_STAMP): $(STAMP)
	@mkdir -p $(LLM_WHEELS)
	@ls $(LLM_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_VERSION) once into $(LLM_WHEELS) (several minutes)"; \
	  CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
	    $(BIN)/pip wheel --quiet --no-deps llama-cpp-python==$(LLAMA_VERSION) -w $(LLM_WHEELS); }
	$(BIN)/pip install --quiet --find-links $(LLM_WHEELS) -e '.[test,llm]'
	touch $@

llm: $(LLM_STAMP)

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
