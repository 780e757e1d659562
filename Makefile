# logiwaflow: build, test, benchmark and run the integration.
GO ?= go
BIN := bin/logiwaflow

.PHONY: build test bench bench-memory run vet fmt-check clean tools

build:
	$(GO) build -o $(BIN) .

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Terraform, tflint and Chromium for the Terraform checks and the console's
# browser tests; each is installed only when missing.
tools:
	@bash .ci/tools

# All tests, with the race detector: the engine runs branches concurrently.
# GOPATH/bin is on PATH so the tests find terraform and tflint.
test: tools fmt-check vet
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" $(GO) test -race -count=1 -timeout 14m ./...

# Speed figures; see README for what each prints: the ASL engine's
# executions per second and allocations per execution, then the gate's
# requests per second against Logiwa's limit while work is queued.
bench:
	$(GO) test -run '^$$' -bench OrderPipeline -benchmem -benchtime 3s ./pkg/asl/
	$(GO) run . asl bench
	$(GO) test -run '^$$' -bench GateThroughput -benchtime 1x ./pkg/demo/

# Memory: the demo's peak RSS at 1x and 10x the messages, each in a child
# process as `logiwaflow demo` runs it (Go soft memory limit 128 MiB unless
# GOMEMLIMIT is set), and their ratio; -v shows each run's report line. The
# 10x run takes about 35 minutes.
bench-memory:
	$(GO) test -v -run '^$$' -bench MemoryFlat -benchtime 1x -timeout 90m ./pkg/demo/

# The main job: the whole system on this machine (local runtime, Logiwa
# simulator, schedules, console at http://127.0.0.1:8080/) with sale-day
# traffic, until Ctrl-C. State is kept in .logiwaflow/local.
run: build
	./$(BIN) local --traffic

clean:
	rm -rf bin $(PACKAGE_DIR)

# Every tasks/* built for linux/arm64 into $(PACKAGE_DIR)/<task>.zip holding
# one file, bootstrap: byte-for-byte reproducible (see `logiwaflow package`).
# terraform/ deploys these zips; `logiwaflow deploy` runs this step itself.
PACKAGE_DIR ?= dist

.PHONY: package
package:
	$(GO) run . package --out $(PACKAGE_DIR)
