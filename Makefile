# logiwaflow: build, test, benchmark and run the integration.
GO ?= go
BIN := bin/logiwaflow

.PHONY: build test bench run vet fmt-check clean

build:
	$(GO) build -o $(BIN) .

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# All tests, with the race detector: the engine runs branches concurrently.
test: fmt-check vet
	$(GO) test -race -count=1 -timeout 12m ./...

# Speed and memory figures; see README for what each prints.
bench:
	$(GO) test -run '^$$' -bench OrderPipeline -benchmem -benchtime 3s ./pkg/asl/
	$(GO) run . asl bench

# The main job. Until the embedded runtime (logiwaflow local) lands, this
# serves the Logiwa simulator.
run: build
	./$(BIN) logiwa-sim --addr 127.0.0.1:8089

clean:
	rm -rf bin

# Every tasks/* built for linux/arm64 into $(PACKAGE_DIR)/<task>.zip holding
# one file, bootstrap: byte-for-byte reproducible (see `logiwaflow package`).
# terraform/ deploys these zips; `logiwaflow deploy` runs this step itself.
PACKAGE_DIR ?= dist

.PHONY: package
package:
	$(GO) run . package --out $(PACKAGE_DIR)
