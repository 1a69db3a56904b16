# Postvakt. `make run` starts the server on its embedded defaults with the
# extension built; `make test` runs every test (Go, wasm under Node, the
# extension's unit tests and the end-to-end tests in Chromium).
GO      ?= go
GOROOT  := $(shell $(GO) env GOROOT)
BIN     := bin/postvakt
DATA    ?= ./data

.PHONY: run test test-go test-wasm test-node test-e2e bench bench-go bench-server bench-browser build wasm extension ext lint score clean

build: $(BIN)

$(BIN): $(shell find shared server -name '*.go' -o -name '*.json' -o -name '*.sql' -o -name '*.html' 2>/dev/null) go.mod go.sum
	$(GO) build -trimpath -o $(BIN) ./server/cmd/postvakt

run: build extension
	$(BIN) serve --data $(DATA)

test: test-go test-wasm test-node test-e2e

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# --- wasm and extension (issue #4) ---
WASM_EXEC := $(GOROOT)/lib/wasm

wasm: dist/postvakt.wasm

# The module is rebuilt whenever the engine, the rules or the wasm glue change.
dist/postvakt.wasm: $(shell find shared wasm -name '*.go' -o -name '*.json' 2>/dev/null) go.mod go.sum
	@mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm

# The Go side of wasm/ under Node, then the built module against the golden files.
test-wasm: wasm
	PATH="$(WASM_EXEC):$$PATH" GOOS=js GOARCH=wasm $(GO) test -count=1 ./wasm/...
	node --test wasm/test/

test-node:
test-e2e:
extension:
ext: extension
bench-browser:

# --- benchmarks ---
bench: bench-go bench-server

bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./shared/...

# Audit ingest (entries/s, batches of 100) and GET /bundle with
# If-None-Match (req/s), through HTTP on a temporary SQLite database.
bench-server:
	$(GO) test -run='^$$' -bench=. -benchmem ./server/...

score: build
	$(BIN) check --org ../shared/corpus/org.json < ../shared/corpus/dev.jsonl > /tmp/postvakt-reports.jsonl
	python3 ../shared/tools/score ../shared/corpus/dev.jsonl /tmp/postvakt-reports.jsonl

lint:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./shared/...

clean:
	rm -rf bin dist
