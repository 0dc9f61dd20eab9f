# The kernel heap (kernel/mm/heap*.c; docs/heap.md). The kernel build picks the sources up through
# kernel/mm/; this fragment builds them for the host as well, with HEAP_HOST_NAMES (malloc,
# free, ... become heap_malloc, ...) and guard mode on by default, 64-bit and -m32, under
# ASan/UBSan:
#   make test          unit tests + HEAP stress gates, one thread and threaded (both word
#                      sizes under ASan/UBSan, and 64-bit under TSan)
#   make stress-heap   the shadow-model workload over HEAP_STRESS_SEEDS seeds (default 1000),
#                      then the threaded one at 2, 4 and 8 threads under ASan and under TSan
#   make bench-heap    ops/s against glibc, mimalloc, jemalloc and tcmalloc (-O2, checks on)

HEAP_SRCS       := kernel/mm/heap.c kernel/mm/heap_setup.c kernel/mm/heap_tlsf.c kernel/mm/heap_check.c kernel/mm/heap_selftest.c
# HEAP_CPU_TLS: the host builds bind each thread's share of the heap in a thread-local pointer
# the fast paths read inline (heap_tls_set_cpu, kernel/mm/heap.h), as both kernels bind it in
# the per-CPU block they read through GS.
HEAP_CPU_DEFS   := -DHEAP_CPU_TLS
HEAP_HOST_DEFS  := -DHEAP_GUARD_DEFAULT=1 $(HEAP_CPU_DEFS)
HEAP_HOST_NAMES := -include tests/lib/heap_host_names.h
HEAP_STRESS_SEEDS ?= 1000
HEAP_STRESS_STEPS ?= 20000
HEAP_THREADS_STEPS ?= 500

# $(call heap_host_rules,DIR,EXTRA_FLAGS): objects and the two test binaries under DIR.
define heap_host_rules
$(1)/%.o: kernel/%.c | $$(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) $(2) $$(HEAP_HOST_DEFS) $$(HEAP_HOST_NAMES) -c -o $$@ $$<

$(1)/kernel_stubs.o: tests/lib/kernel_stubs.c | $$(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) $(2) -c -o $$@ $$<

$(1)/test_%.o: tests/kernel/mm/test_%.c | $$(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) $(2) $$(HEAP_HOST_DEFS) -c -o $$@ $$<

$(1)/test_heap $(1)/test_heap_stress $(1)/test_heap_threads: $(1)/%: $(1)/%.o \
        $(patsubst kernel/%.c,$(1)/%.o,$(HEAP_SRCS)) $(1)/kernel_stubs.o
	$$(HOST_CC) $$(HOST_LDFLAGS) $(2) -pthread -o $$@ $$^
endef

HEAP_HOST64 := $(BUILD)/host/heap
HEAP_HOST32 := $(BUILD)/host/heap32
$(eval $(call heap_host_rules,$(HEAP_HOST64),))
$(eval $(call heap_host_rules,$(HEAP_HOST32),-m32 -DHEAP_GATE_SEEDS=12))

# The threaded test again under ThreadSanitizer (64-bit only: TSan has no i386 runtime), with
# HOST_CFLAGS' ASan/UBSan swapped for -fsanitize=thread. A race TSan reports ends the run
# with exit status 66, so the seed fails.
HEAP_HOST_TSAN := $(BUILD)/host/heap-tsan
HEAP_TSAN_CFLAGS := $(filter-out -fsanitize=%,$(HOST_CFLAGS)) -fsanitize=thread
$(HEAP_HOST_TSAN)/%.o: kernel/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_TSAN_CFLAGS) $(HEAP_HOST_DEFS) $(HEAP_HOST_NAMES) -c -o $@ $<
$(HEAP_HOST_TSAN)/kernel_stubs.o: tests/lib/kernel_stubs.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_TSAN_CFLAGS) -c -o $@ $<
$(HEAP_HOST_TSAN)/test_%.o: tests/kernel/mm/test_%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_TSAN_CFLAGS) $(HEAP_HOST_DEFS) -c -o $@ $<
$(HEAP_HOST_TSAN)/test_heap_threads: $(HEAP_HOST_TSAN)/test_heap_threads.o \
        $(patsubst kernel/%.c,$(HEAP_HOST_TSAN)/%.o,$(HEAP_SRCS)) $(HEAP_HOST_TSAN)/kernel_stubs.o
	$(HOST_CC) -fsanitize=thread -pthread -o $@ $^

HOST_TEST_BINS += $(HEAP_HOST64)/test_heap $(HEAP_HOST64)/test_heap_stress \
                  $(HEAP_HOST64)/test_heap_threads \
                  $(HEAP_HOST32)/test_heap $(HEAP_HOST32)/test_heap_stress \
                  $(HEAP_HOST32)/test_heap_threads $(HEAP_HOST_TSAN)/test_heap_threads

# stress-heap: HEAP_STRESS_SEEDS seeds of the randomized workload, 64-bit then 32-bit halves;
# then the threaded workload (HEAP_THREADS_STEPS steps per thread) at 2, 4 and 8 threads over
# HEAP_STRESS_SEEDS seeds under ASan/UBSan and again under TSan. Each line of the threaded
# runs prints its failure count; the whole target fails if any seed failed.
stress-heap: $(HEAP_HOST64)/test_heap_stress $(HEAP_HOST32)/test_heap_stress \
             $(HEAP_HOST64)/test_heap_threads $(HEAP_HOST_TSAN)/test_heap_threads
	$(HEAP_HOST64)/test_heap_stress --seeds 1 $(HEAP_STRESS_SEEDS) --steps $(HEAP_STRESS_STEPS)
	$(HEAP_HOST32)/test_heap_stress --seeds 100001 $$(( $(HEAP_STRESS_SEEDS) / 10 )) \
	    --steps $(HEAP_STRESS_STEPS)
	$(HEAP_HOST64)/test_heap_threads --seeds 1 $(HEAP_STRESS_SEEDS) --steps $(HEAP_THREADS_STEPS)
	$(HEAP_HOST_TSAN)/test_heap_threads --seeds 1 $(HEAP_STRESS_SEEDS) \
	    --steps $(HEAP_THREADS_STEPS)

# ---- benchmark: one binary per allocator, identical workload (tools/bench_heap/) ----------
HEAP_BENCH_DIR    := $(BUILD)/bench_heap
HEAP_BENCH_CFLAGS := -I. -Iinclude -O2 -g -std=c11 $(WARNINGS) -MMD -MP -D_GNU_SOURCE -DNDEBUG \
                     $(HEAP_CPU_DEFS)
HEAP_BENCH_ALLOCS := fluid glibc mimalloc jemalloc tcmalloc
HEAP_BENCH_LIBS_fluid    :=
HEAP_BENCH_LIBS_glibc    :=
HEAP_BENCH_LIBS_mimalloc := -lmimalloc
HEAP_BENCH_LIBS_jemalloc := -ljemalloc
HEAP_BENCH_LIBS_tcmalloc := -ltcmalloc_minimal

$(HEAP_BENCH_DIR)/heap/%.o: kernel/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_BENCH_CFLAGS) $(HEAP_HOST_NAMES) -c -o $@ $<

$(HEAP_BENCH_DIR)/kernel_stubs.o: tests/lib/kernel_stubs.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_BENCH_CFLAGS) -c -o $@ $<

# The allocators compared against come from Debian (tools/setup.sh bench installs them).
HEAP_BENCH_SETUP := $(BUILD)/.setup-bench-done
$(HEAP_BENCH_SETUP): tools/setup.sh
	@mkdir -p $(@D)
	sh tools/setup.sh bench
	@touch $@

# The driver, compiled once per allocator (-DBENCH_ALLOC_<name>).
$(HEAP_BENCH_DIR)/bench_heap_%.o: tools/bench_heap/bench_heap.c | $(SETUP_STAMP) $(HEAP_BENCH_SETUP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_BENCH_CFLAGS) -DBENCH_ALLOC_$* -c -o $@ $<

HEAP_BENCH_BINS := $(addprefix $(HEAP_BENCH_DIR)/bench_,$(HEAP_BENCH_ALLOCS))
$(HEAP_BENCH_BINS): $(HEAP_BENCH_DIR)/bench_%: $(HEAP_BENCH_DIR)/bench_heap_%.o \
        $(patsubst kernel/%.c,$(HEAP_BENCH_DIR)/heap/%.o,$(HEAP_SRCS)) \
        $(HEAP_BENCH_DIR)/kernel_stubs.o
	$(HOST_CC) -o $@ $^ $(HEAP_BENCH_LIBS_$*)

# The threaded workloads (tools/bench_heap/bench_threads.c), one binary per allocator too.
$(HEAP_BENCH_DIR)/bench_threads_%.o: tools/bench_heap/bench_threads.c | $(SETUP_STAMP) $(HEAP_BENCH_SETUP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HEAP_BENCH_CFLAGS) -DBENCH_ALLOC_$* -c -o $@ $<

HEAP_BENCH_THREAD_BINS := $(addprefix $(HEAP_BENCH_DIR)/bench_threads_,$(HEAP_BENCH_ALLOCS))
$(HEAP_BENCH_THREAD_BINS): $(HEAP_BENCH_DIR)/bench_threads_%: $(HEAP_BENCH_DIR)/bench_threads_%.o \
        $(patsubst kernel/%.c,$(HEAP_BENCH_DIR)/heap/%.o,$(HEAP_SRCS)) \
        $(HEAP_BENCH_DIR)/kernel_stubs.o
	$(HOST_CC) -pthread -o $@ $^ $(HEAP_BENCH_LIBS_$*)

HOST_TOOL_BINS += $(HEAP_BENCH_BINS) $(HEAP_BENCH_THREAD_BINS)
# The benchmark driver over fake binaries (no allocator runs).
PY_TESTS       += tests/tools/test_bench_heap_run.py

# bench-heap: every allocator on the same workloads, one after the other, in one table: the
# single-thread workloads, then the threaded ones at 1, 2 and 4 threads.
bench-heap: $(HEAP_BENCH_BINS) $(HEAP_BENCH_THREAD_BINS)
	$(PYTHON) tools/bench_heap/run.py --dir $(HEAP_BENCH_DIR) $(HEAP_BENCH_ALLOCS)

# bench-heap-instructions: the threaded workloads (larson, xmalloc, random-mixed at 1, 2 and 4
# threads) under callgrind, Fluid against glibc and mimalloc: exact instruction counts, the
# same on a loaded machine as on an idle one (at a fifth of bench-heap's work; about 30 s).
bench-heap-instructions: $(HEAP_BENCH_THREAD_BINS)
	$(PYTHON) tools/bench_heap/run.py --dir $(HEAP_BENCH_DIR) --instructions --scale 0.2 \
	    fluid glibc mimalloc

.PHONY: stress-heap bench-heap bench-heap-instructions
