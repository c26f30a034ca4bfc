# The two commands of the README (CONTRACT 0) and a few helpers. Everything else lives in scripts/.
.PHONY: run test setup train lint benchmark

run:        ## set up, train if needed, serve the trainer until Ctrl-C
	@bash scripts/run.sh

test:       ## set up, then lint, unit tests, data validation, train, story tests, e2e, NLU gate
	@bash scripts/test.sh

setup:      ## only create .venv and install the pinned requirements
	@bash -c 'source scripts/lib.sh && ensure_venv requirements-dev.txt'

train:
	@bash -c 'source scripts/lib.sh && ensure_venv requirements.txt && train_model'

lint:
	@bash -c 'source scripts/lib.sh && cd "$$ROOT" && .venv/bin/black --check . && .venv/bin/ruff check .'

benchmark:  ## quality and speed numbers (NLU, parse latency, scoring, turns)
	@bash scripts/benchmark.sh

# Production layout on this machine (docs/scaling.md): PostgreSQL, Redis, 2 Rasa replicas,
# 2 action servers and nginx on 127.0.0.1; `bash scripts/cluster.sh status` shows it.
.PHONY: cluster-up cluster-down

cluster-up:   ## start the local cluster and print its URLs
	@bash scripts/cluster.sh up

cluster-down: ## stop it (data kept in var/cluster; `bash scripts/cluster.sh down --purge` removes it)
	@bash scripts/cluster.sh down
