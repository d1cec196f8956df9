# faultline — one non-recursive GNU Makefile.
#
#   make            build the shim, the CLI, the samples and the test programs
#   make check      build everything and run every test (installs build deps as root)
#   make demo       trace the bundled samples and write demo/report.html
#   make bench      run the benchmarks in bench/
#   make install PREFIX=/usr/local
#
# Sources are found by wildcard: a new preload/*/*.c, analyzer/*/*.c, samples/*.c,
# tests/progs/p_*.c or tests/unit/t_*.c needs no edit here.

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
SANITIZE ?=

WARN      = -Wall -Wextra -Werror
BASEFLAGS = -std=c11 $(WARN) -g -O2 -D_GNU_SOURCE -Iinclude -MMD -MP
SANFLAGS  = $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)

# The shim: position independent, hidden by default, initial-exec TLS so that
# reading the reentrancy guard never calls __tls_get_addr (which may allocate).
SHIM_CFLAGS  = $(BASEFLAGS) -Ipreload -fPIC -fvisibility=hidden -ftls-model=initial-exec \
               -fno-omit-frame-pointer $(CFLAGS)
# libzstd is linked dynamically (Debian's libzstd.a is not PIC): only its
# ZSTD_* symbols are imported, and it allocates through trace/zstd_sink.c's
# raw mappings (ZSTD_customMem), never through malloc.
SHIM_LDLIBS  = -lzstd -lunwind -ldl -lpthread -lm
ANA_CFLAGS   = $(BASEFLAGS) -Ianalyzer -I$(GEN) $(SANFLAGS) $(CFLAGS)
# protobuf-c and zlib for the pprof export. libstdc++'s __cxa_demangle is
# loaded (dlopen) at the first C++ name, not linked (model/symbols.c).
ANA_LDLIBS   = -ljansson -ldw -lelf -lzstd -lm -lpthread -lprotobuf-c -lz -ldl
# The CLI takes the same libraries from their static archives (Debian's -dev
# packages ship them; libdw.a needs liblzma and libbz2 as well): `record`
# starts before every traced program, and loading and relocating nine
# shared objects was a third of its own start (~0.4 ms a run here,
# doc/limits.md). libc, libm and libdl stay shared. The unit tests keep the
# shared ones (they link libunwind, whose liblzma is shared).
ANA_SHARED   = -lm -lpthread -ldl
CLI_LDLIBS   = -Wl,-Bstatic $(filter-out $(ANA_SHARED),$(ANA_LDLIBS)) -llzma -lbz2 \
               -Wl,-Bdynamic $(ANA_SHARED)
PROG_CFLAGS  = -std=gnu11 $(WARN) -g -O1 -D_GNU_SOURCE -Iinclude -MMD -MP -pthread $(CFLAGS)

SHIM_SRC     = $(sort $(wildcard preload/*/*.c))
SHIM_OBJ     = $(SHIM_SRC:%.c=$(BUILD)/%.o)
# Modules that define no libc symbol: linkable into unit tests.
SHIM_CORE_OBJ = $(filter-out $(BUILD)/preload/hooks/% $(BUILD)/preload/session/%,$(SHIM_OBJ))
ANA_SRC      = $(sort $(wildcard analyzer/*/*.c))
# C generated at build time: pprof's published profile.proto, by protoc-c
# (Debian: golang-github-google-pprof-dev, protobuf-c-compiler).
GEN          = $(BUILD)/gen
PPROF_PROTO ?= /usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
GEN_SRC      = $(GEN)/profile.pb-c.c
ANA_OBJ      = $(ANA_SRC:%.c=$(BUILD)/%.o) $(GEN_SRC:%.c=%.o)
ANA_LIB_OBJ  = $(filter-out $(BUILD)/analyzer/cmd/main.o,$(ANA_OBJ))
SAMPLE_SRC   = $(sort $(wildcard samples/*.c))
SAMPLES      = $(SAMPLE_SRC:samples/%.c=$(BUILD)/samples/%)
PROG_SRC     = $(sort $(wildcard tests/progs/*.c))
PROGS        = $(PROG_SRC:tests/progs/%.c=$(BUILD)/tests/progs/%)
UNIT_SRC     = $(sort $(wildcard tests/unit/t_*.c))
UNITS        = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
BENCH_SRC    = $(sort $(wildcard bench/*.c))
BENCHES      = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
BENCH_SHIMS  = $(patsubst bench/shim/%.c,$(BUILD)/bench/%.so,$(sort $(wildcard bench/shim/*.c)))

LIB = $(BUILD)/libfaultline.so
CLI = $(BUILD)/faultline

.PHONY: all deps check check-unit check-shell check-san check-shim-imports check-layers check-headers \
        check-browser check-real demo bench install clean golden-update fuzz format-check lint

all: $(LIB) $(CLI) $(SAMPLES) $(PROGS) $(UNITS) $(BENCHES) $(BENCH_SHIMS)

deps:
	@sh build-aux/ensure-deps

$(BUILD)/preload/%.o: preload/%.c
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) -c $< -o $@

$(LIB): $(SHIM_OBJ)
	$(CC) -shared -Wl,-z,defs -Wl,-z,nodelete -o $@ $^ $(SHIM_LDLIBS)

$(BUILD)/libshimcore.a: $(SHIM_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/analyzer/%.o: analyzer/%.c
	@mkdir -p $(@D)
	$(CC) $(ANA_CFLAGS) -c $< -o $@

$(GEN)/profile.pb-c.c: $(PPROF_PROTO)
	@mkdir -p $(@D)
	protoc-c --proto_path=$(dir $(PPROF_PROTO)) --c_out=$(@D) $(PPROF_PROTO)
$(GEN)/profile.pb-c.h: $(GEN)/profile.pb-c.c ;
$(BUILD)/analyzer/export/export_pprof.o: $(GEN)/profile.pb-c.h

$(GEN)/%.o: $(GEN)/%.c
	$(CC) $(ANA_CFLAGS) -c $< -o $@

$(BUILD)/libanalyzer.a: $(ANA_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(CLI): $(BUILD)/analyzer/cmd/main.o $(BUILD)/libanalyzer.a
	$(CC) $(ANA_CFLAGS) -o $@ $^ $(CLI_LDLIBS)

$(BUILD)/samples/%: samples/%.c
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -o $@ $< -lm

$(BUILD)/tests/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -o $@ $< -lm -ldl

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -O2 -o $@ $< -lm

# Preloaded libraries the benchmarks compare against (bench/shim/).
$(BUILD)/bench/%.so: bench/shim/%.c
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -O2 -fPIC -shared -fvisibility=hidden -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libanalyzer.a $(BUILD)/libshimcore.a
	@mkdir -p $(@D)
	$(CC) $(ANA_CFLAGS) -Ipreload -Itests/unit -o $@ $< $(BUILD)/libanalyzer.a $(BUILD)/libshimcore.a \
		$(ANA_LDLIBS) -lunwind -ldl

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-shim-imports
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined \
		$(BUILD)/san/faultline $(BUILD)/san/libfaultline.so $(UNITS:$(BUILD)/%=$(BUILD)/san/%)
	@BUILD=$(BUILD) sh tests/run.sh
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory lint

check-unit: all
	@BUILD=$(BUILD) sh tests/run.sh unit

check-shell: all
	@BUILD=$(BUILD) sh tests/run.sh shell

# Real programs against oracles that are not faultline (tests/real/README.md);
# slow (minutes), so not in .ci/run; `make check` runs the fast ones.
check-real: all
	@BUILD=$(BUILD) sh tests/run.sh real

# The shim may not depend on anything that allocates or that it hooks.
check-shim-imports: $(LIB)
	@sh build-aux/check-shim-imports $(LIB)

# Includes point down the data flow (hooks -> ... -> base, cmd -> ... -> util)
# and close no cycle of more than two modules: doc/hacking.md, "Layers".
check-layers:
	@sh build-aux/check-layers

check-headers:
	@for h in include/faultline/*.h preload/*/*.h analyzer/*/*.h; do \
		echo "#include \"$$h\"" | $(CC) $(BASEFLAGS) -Ipreload -Ianalyzer -x c -fsyntax-only - || exit 1; \
	done

# Loads the demo report in headless Chromium (installed as root when missing):
# every chart rendered, no console error, no network; screenshots in $(BUILD).
check-browser: all
	@BUILD=$(BUILD) sh tests/browser/check.sh; rc=$$?; \
	if [ $$rc -eq 77 ]; then echo "check-browser: skipped"; exit 0; fi; exit $$rc

demo: deps
	@$(MAKE) --no-print-directory all
	@sh samples/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(BUILD)

install: $(LIB) $(CLI)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/faultline $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/faultline
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/faultline/libfaultline.so
	if [ -f doc/faultline.1 ]; then install -m 644 doc/faultline.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

# Style and static checks (not part of `make check`: advisory for reviews).
format-check:
	@clang-format --dry-run -Werror preload/*/*.[ch] analyzer/*/*.[ch] include/faultline/*.h

lint:
	@cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
		--std=c11 -D_GNU_SOURCE -Iinclude -Ipreload -Ianalyzer --suppress=missingIncludeSystem \
		--library=build-aux/cppcheck-jansson.cfg preload analyzer

# libFuzzer target for the reader and model (clang): make fuzz FUZZ_TIME=SECONDS
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ      = $(BUILD)/fuzz/fuzz_reader
$(FUZZ): tests/fuzz/fuzz_reader.c $(filter-out analyzer/cmd/main.c,$(ANA_SRC)) $(GEN_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(WARN) -g -O1 -D_GNU_SOURCE -Iinclude -Ianalyzer -I$(GEN) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $^ $(ANA_LDLIBS)

fuzz: $(FUZZ)
	@sh tests/fuzz/run.sh $(FUZZ) $(FUZZ_TIME)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
