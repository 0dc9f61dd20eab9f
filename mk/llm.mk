# The portable inference engine (kernel/llm, docs/llm.md): host builds for tests, the CLI
# and the benchmark, and an object-only freestanding x86-64 build that keeps the engine free
# of hosted headers (the long-mode kernel's own build of it is in mk/kernel64.mk).

LLM_DIR        := kernel/llm
# The engine is kernel/llm/llm_*.c (the rest of the folder is the kernel's LLM stage). x86-64
# gets the SIMD kernels; llm_kernels_generic.c is the choice for other targets.
LLM_ENGINE_ALL := $(wildcard $(LLM_DIR)/llm_*.c)
LLM_SRCS       := $(filter-out $(LLM_DIR)/llm_kernels_generic.c,$(LLM_ENGINE_ALL))
# Kernel code the engine calls on every target: kprintf's formatting engine.
LLM_KERNEL_SRCS := kernel/core/format.c
LLM_HOST_OBJS  := $(patsubst %.c,$(BUILD)/host/%.o,$(LLM_SRCS) $(LLM_KERNEL_SRCS))
LLM_FAST_OBJS  := $(patsubst %.c,$(BUILD)/llm/fast/%.o,$(LLM_SRCS) $(LLM_KERNEL_SRCS))
LLM_X64_OBJS   := $(patsubst %.c,$(BUILD)/llm/x86_64/%.o,$(LLM_ENGINE_ALL))
LLM_CLI        := $(BUILD)/host/llm/llm_cli
LLM_CLI_FAST   := $(BUILD)/llm/fast/llm_cli
LLM_TEST_BIN   := $(BUILD)/host/test_llm
# The shared test models live beside the repository (../shared/models), as in CI.
LLM_MODELS     ?= $(abspath $(SHARED_MODELS))

# Optimised host build without sanitizers: what the benchmark and callgrind measure
# (DWARF 4: Debian 12's valgrind cannot read clang's default DWARF 5).
LLM_FAST_CFLAGS := -I. -Iinclude -O3 -gdwarf-4 -std=c11 $(WARNINGS) -MMD -MP -D_GNU_SOURCE

# The long-mode kernel's flags: freestanding, no red zone, math from libs/llvmlibc.
LLM_X64_CFLAGS  = --target=x86_64-elf -ffreestanding -fno-builtin -fno-stack-protector \
                  -fno-pic -fno-common -fno-asynchronous-unwind-tables -mno-red-zone \
                  -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include \
                  -Ilibs/llvmlibc/include -I. -Iinclude -O2 -g -std=c11 $(WARNINGS) -MMD -MP

$(BUILD)/host/$(LLM_DIR)/%.o: $(LLM_DIR)/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(patsubst %.c,$(BUILD)/host/%.o,$(LLM_KERNEL_SRCS)): $(BUILD)/host/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/llm/fast/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(LLM_FAST_CFLAGS) -c -o $@ $<

$(BUILD)/llm/x86_64/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(LLM_X64_CFLAGS) -c -o $@ $<

$(BUILD)/host/tools/llm/%.o: tools/llm/%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

# The CLI's own objects: its main, the pthreads worker pool (--threads), which stays out
# of kernel/llm so the engine builds freestanding, and the weights' huge-page buffer.
LLM_CLI_SRCS   := tools/llm/llm_cli.c tools/llm/llm_pool_pthread.c tools/llm/huge_pages.c
HUGE_PAGES_FAST_OBJ := $(BUILD)/llm/fast/tools/llm/huge_pages.o
LLM_CLI_FAST_OBJS := $(patsubst %.c,$(BUILD)/llm/fast/%.o,$(LLM_CLI_SRCS))

# llm_cli with ASan+UBSan: the tests run every reference case through it.
$(LLM_CLI): $(patsubst %.c,$(BUILD)/host/%.o,$(LLM_CLI_SRCS)) $(LLM_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_LDFLAGS) -pthread -o $@ $^ -lm

$(LLM_CLI_FAST): $(LLM_CLI_FAST_OBJS) $(LLM_FAST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) -pthread -o $@ $^ -lm

$(BUILD)/host/tests/kernel/llm/test_llm.o: tests/kernel/llm/test_llm.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(LLM_TEST_BIN): $(BUILD)/host/tests/kernel/llm/test_llm.o $(LLM_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lm

# The huge-page buffer's host test (ASan+UBSan).
HUGE_PAGES_TEST_BIN := $(BUILD)/host/test_huge_pages
$(BUILD)/host/tests/tools/test_huge_pages.o: tests/tools/test_huge_pages.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<
$(HUGE_PAGES_TEST_BIN): $(BUILD)/host/tests/tools/test_huge_pages.o                         $(BUILD)/host/tools/llm/huge_pages.o
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

# llm-freestanding-check: compile every kernel/llm source freestanding (objects only).
# llm_kernels_generic.c included, against libs/llvmlibc's headers.
llm-freestanding-check: $(LLM_X64_OBJS)

# llm-cli: the host CLI, sanitized and optimised builds.
llm-cli: $(LLM_CLI) $(LLM_CLI_FAST)

# bench-llama: tokens/s and instructions/token on stories15M- and TinyLlama-shaped models.
# The kernel column comes from bench-llama-kernel (mk/kernel64.mk), run first in the same session.
bench-llama: $(LLM_CLI_FAST) $(LLM_CLI_KERNEL_CODE) tools/bench_llama.py tools/synth_model.py \
             bench-llama-kernel
	$(PYTHON) tools/bench_llama.py --cli $(LLM_CLI_FAST) --models $(LLM_MODELS) --out $(BUILD)/llm \
	    --kernel-code-cli $(LLM_CLI_KERNEL_CODE) --kernel-results $(LLAMA_KERNEL_RESULTS)

# The read-bandwidth probe of bench-smp's roofline (tools/membw/membw.c).
MEMBW := $(BUILD)/host/membw/membw
$(MEMBW).o: tools/membw/membw.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) -O2 -std=c11 $(WARNINGS) -MMD -MP -D_GNU_SOURCE -I. -pthread -c -o $@ $<
$(MEMBW): $(MEMBW).o $(HUGE_PAGES_FAST_OBJ)
	$(HOST_CC) -pthread -o $@ $^

# The Q8_0 matmul against a plain read of the same memory, alternating in one process
# (tools/membw/q8bw.c), linked with the optimised engine objects.
Q8BW := $(BUILD)/llm/fast/q8bw
$(Q8BW): $(BUILD)/llm/fast/tools/membw/q8bw.o $(HUGE_PAGES_FAST_OBJ) $(LLM_FAST_OBJS)
	$(HOST_CC) -o $@ $^ -lm

# bench-q8: the Q8_0 matmul's read rate against a plain read loop, one thread, every SIMD set.
# TinyLlama-shaped rows (n 2048, gs 64), from DRAM (1 GiB, the token-generation case) and
# from L2 (1 MiB, the kernel's compute ceiling). Host wall time; not in make test.
bench-q8: $(Q8BW)
	$(Q8BW) --mib 1024 --reps 8 | grep -v ' rep '
	$(Q8BW) --mib 1 --reps 400 | grep -v ' rep '

# A baseline llm_cli for bench-smp (empty: none).
BENCH_SMP_BASE ?=

# bench-smp: tokens/s at every thread count up to the CPUs (llm_cli --threads) for
# stories15M-shaped fp32 and Q8_0 and TinyLlama-shaped Q8_0 models, each with its share of the
# memory roofline (membw in the same session); the last line is the speed-ups at the most
# threads. BENCH_SMP_BASE=PATH pairs every run with that llm_cli's (a build of another
# commit) and prints the ratios. Host wall time; not in make test.
bench-smp: $(LLM_CLI_FAST) $(MEMBW) tools/bench_smp.py tools/fluid/llm/bench_smp.py \
           tools/fluid/llm/roofline.py tools/synth_model.py
	$(PYTHON) tools/bench_smp.py --cli $(LLM_CLI_FAST) --membw $(MEMBW) --models $(LLM_MODELS) \
	    --out $(BUILD)/llm $(if $(BENCH_SMP_BASE),--base-cli $(BENCH_SMP_BASE))

# Fuzz targets of the engine's readers (mk/fuzz.mk): the model file, the tokenizer file and
# the boot configuration. Seeds (tools/fuzz_seeds.py) come from the shared models and
# tokenizers when they are there, tools/synth_model.py's generator and hand-made corrupt files.
LLM_FUZZ_SEEDS_DEPS := tools/fuzz_seeds.py tools/fluid/llm/fmt.py tools/fluid/llm/synth.py \
                       $(wildcard $(SHARED_MODELS)/*.bin) | $(SETUP_STAMP)
LLM_FUZZ_COMMON     := kernel/llm/llm_util.c kernel/core/format.c

MODEL_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS       += model
FUZZ_model_SRCS    := tests/kernel/llm/fuzz_llm_model.c kernel/llm/llm_model.c \
                      kernel/llm/llm_forward.c kernel/llm/llm_matvec.c \
                      kernel/llm/llm_kernels_scalar.c \
                      kernel/llm/llm_pool.c kernel/llm/llm_sampler.c $(LLM_FUZZ_COMMON)
# 1.25 MiB: the shared 260K-parameter models (about 1 MiB each) whole, so mutations can keep
# their exact length; the synthetic and corrupt seeds are a few KiB.
FUZZ_model_MAX_LEN := 1310720
FUZZ_model_SECONDS  = $(MODEL_FUZZ_SECONDS)

TOKENIZER_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS           += tokenizer
FUZZ_tokenizer_SRCS    := tests/kernel/llm/fuzz_llm_tokenizer.c kernel/llm/llm_tokenizer.c \
                          $(LLM_FUZZ_COMMON)
# 64 KiB: the 512-entry shared tokenizers are about 6 KiB (the 32,000-entry Llama 2 one is
# left out of the seeds: with the sanitizers it loads in about 75 ms, a thousand times as
# long as a small one).
FUZZ_tokenizer_MAX_LEN := 65536
FUZZ_tokenizer_SECONDS  = $(TOKENIZER_FUZZ_SECONDS)

BOOTCFG_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS         += bootcfg
FUZZ_bootcfg_SRCS    := tests/kernel/llm/fuzz_llm_bootcfg.c kernel/llm/llm_bootcfg.c \
                        $(LLM_FUZZ_COMMON)
# 8 KiB: several lines at the parser's longest (a 1023-byte prompt plus key).
FUZZ_bootcfg_MAX_LEN := 8192
FUZZ_bootcfg_SECONDS  = $(BOOTCFG_FUZZ_SECONDS)

$(FUZZ_DIR)/model/seeds.done $(FUZZ_DIR)/tokenizer/seeds.done \
$(FUZZ_DIR)/bootcfg/seeds.done: $(FUZZ_DIR)/%/seeds.done: $(LLM_FUZZ_SEEDS_DEPS)
	$(PYTHON) tools/fuzz_seeds.py $* $(@D)/seeds --models $(SHARED_MODELS)
	@touch $@

LLM_FUZZERS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,model tokenizer bootcfg)
HOST_TOOL_BINS += $(LLM_FUZZERS)
TEST_DEPS      += $(LLM_FUZZERS) $(patsubst %,$(FUZZ_DIR)/%/seeds.done,model tokenizer bootcfg)

HOST_TEST_BINS += $(LLM_TEST_BIN) $(HUGE_PAGES_TEST_BIN)
HOST_TOOL_BINS += $(LLM_CLI) $(LLM_CLI_FAST) $(LLM_CLI_KERNEL_CODE) $(Q8BW)
PY_TESTS       += tests/kernel/llm/test_llm_reference.py tests/kernel/llm/test_llm_threads.py \
                  tests/tools/test_roofline.py
TEST_DEPS      += llm-freestanding-check $(LLM_CLI) $(MEMBW) $(Q8BW)

.PHONY: llm-freestanding-check llm-cli bench-llama bench-smp bench-q8
