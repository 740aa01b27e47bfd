# Two commands do everything: `make dev` runs the whole product, `make test` the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SIM_PORT ?= 8900
EXCHANGES := binance bybit okx bitget coinbase kraken kucoin mexc gate
comma := ,
# make dev sends every exchange's traffic to the local simulator (never a real exchange).
SIM_URLS := {$(subst $(eval) ,$(comma),$(foreach e,$(EXCHANGES),"$(e)":"http://127.0.0.1:$(SIM_PORT)"))}
THRIVE_EXCHANGE_URLS ?= $(SIM_URLS)

.PHONY: dev install test lint format bench lock clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

dev: install
	@DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 0
	@DEBUG=1 $(BIN)/python manage.py seed_demo --url http://127.0.0.1:$(PORT) \
		--simulator-url http://127.0.0.1:$(SIM_PORT)
	@DEBUG=1 WEB_PORT=$(PORT) SIM_PORT=$(SIM_PORT) THRIVE_EXCHANGE_URLS='$(THRIVE_EXCHANGE_URLS)' \
		PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

# Two to four workers side by side (pytest-xdist), each test file on one worker: most of the
# suite waits on sockets, subprocesses and browsers rather than the CPU.
test: install
	$(BIN)/pytest -n auto --maxprocesses 4 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | sed '/^-e /d' > requirements.lock.new
	@{ echo '# Exact pins for reproducible installs: pip install -c requirements.lock -e ".[dev]"'; \
	   echo '# Regenerate after changing pyproject.toml: make lock'; cat requirements.lock.new; } > requirements.lock
	@rm requirements.lock.new

clean:
	rm -rf $(VENV) .thrive .pytest_cache .ruff_cache
