# The live line (docs/live.md): the frame receiver's host test and fuzz target, the QEMU tests
# of COM2 while the suite runs, and `make pgo-live`, the host loop on the other end.

LIVE_HOST := $(BUILD)/host/live
LIVE_TEST_SRCS := tests/kernel/bench/test_live_frame.c kernel/bench/live_frame.c \
                  kernel/bench/module_loader.c kernel/core/format.c kernel/lib/crc32.c

$(LIVE_HOST)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

# The test reads the built modules (build/modules/O2/*.mod) for its VARIANT checks; $$ because
# mk/modules.mk, which names them, is read after this file.
$(LIVE_HOST)/test_live_frame: $(patsubst %.c,$(LIVE_HOST)/%.o,$(LIVE_TEST_SRCS)) $$(MODULES_MODS)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^)

HOST_TEST_BINS += $(LIVE_HOST)/test_live_frame

# The running module's figures for mid-run PROFILE frames (kernel/bench/live_progress.c) and
# the suite's numeric options (suite.calls, suite.seconds: kernel/bench/suite_options.c).
LIVE_PROGRESS_TEST_SRCS := tests/kernel/bench/test_live_progress.c kernel/bench/live_progress.c \
                           kernel/bench/json.c kernel/core/format.c kernel/lib/sort.c \
                           kernel/bench/planner.c
SUITE_OPTIONS_TEST_SRCS := tests/kernel/bench/test_suite_options.c kernel/bench/suite_options.c
$(LIVE_HOST)/test_live_progress: $(patsubst %.c,$(LIVE_HOST)/%.o,$(LIVE_PROGRESS_TEST_SRCS))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^
$(LIVE_HOST)/test_suite_options: $(patsubst %.c,$(LIVE_HOST)/%.o,$(SUITE_OPTIONS_TEST_SRCS))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^
HOST_TEST_BINS += $(LIVE_HOST)/test_live_progress $(LIVE_HOST)/test_suite_options

# The pages module images are placed in (kernel/bench/image_arena.c): freed in any order, so
# a retired candidate's pages serve the newcomer.
IMAGE_ARENA_TEST_SRCS := tests/kernel/bench/test_image_arena.c kernel/bench/image_arena.c
$(LIVE_HOST)/test_image_arena: $(patsubst %.c,$(LIVE_HOST)/%.o,$(IMAGE_ARENA_TEST_SRCS))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^
HOST_TEST_BINS += $(LIVE_HOST)/test_image_arena
PY_TESTS       += tests/tools/test_live_codec.py tests/kernel/bench/test_live.py \
                  tests/kernel/bench/test_live_midrun.py tests/kernel/bench/test_live_retire.py \
                  tests/tools/test_live_search.py

# The receiver's fuzz target (mk/fuzz.mk): COM2 byte streams with silences, seeded with
# VARIANT frames of the built modules and hostile frames (tools/fuzz_seeds.py live).
LIVE_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS      += live
FUZZ_live_SRCS    := tests/kernel/bench/fuzz_live_frame.c kernel/bench/live_frame.c \
                     kernel/bench/module_loader.c kernel/lib/crc32.c kernel/core/format.c
# A whole frame of the largest payload (64 KiB), its escapes and a few more frames.
FUZZ_live_MAX_LEN := 200000
FUZZ_live_SECONDS  = $(LIVE_FUZZ_SECONDS)

$(FUZZ_DIR)/live/seeds.done: $$(MODULES_MODS) tools/fuzz_seeds.py tools/fluid/pgo/live.py \
                             $(ASM_OFFSETS) | $(SETUP_STAMP)
	$(PYTHON) tools/fuzz_seeds.py live $(@D)/seeds $(MODULES_MODS)
	@touch $@

HOST_TOOL_BINS += $(FUZZ_DIR)/fuzz_live
TEST_DEPS      += $(FUZZ_DIR)/fuzz_live $(FUZZ_DIR)/live/seeds.done

# How many of the hottest modules `make pgo-live` rebuilds and sends after a short suite;
# PGO_LIVE_ARGS adds tools/pgo_live.py options (--modules a,b --seconds S --icount: a long
# run, each module served while it runs).
PGO_LIVE_HOT ?= 2
PGO_LIVE_ARGS ?=
# pgo-live: boot fluid.img with COM2 on a socket, send it builds of the hottest modules for its CPU
pgo-live: $(IMAGE)
	$(PYTHON) tools/pgo_live.py --image $(IMAGE) --hot $(PGO_LIVE_HOT) $(PGO_LIVE_ARGS)

# The modules bench-live runs, how long each runs in its boot (suite.seconds), and the boot's
# clock: icount (guest instructions, deterministic) or tcg (the host's time through TCG).
BENCH_LIVE_MODULES ?= gemm_tile,sha256,quicksort,sum
BENCH_LIVE_SECONDS ?= 10
BENCH_LIVE_CLOCK   ?= icount
# bench-live: the live loop in one boot against the offline search, host cycles (docs/live.md)
bench-live: $(PGO_DEPS)
	$(PYTHON) tools/pgo_live.py --image $(IMAGE) --bench $(BUILD)/bench/live \
	    --modules $(BENCH_LIVE_MODULES) --seconds $(BENCH_LIVE_SECONDS) \
	    $(if $(filter icount,$(BENCH_LIVE_CLOCK)),--icount)

.PHONY: pgo-live bench-live
