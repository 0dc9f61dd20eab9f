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

# llm_cli with ASan+UBSan: the tests run every reference case through it.
$(LLM_CLI): $(BUILD)/host/tools/llm/llm_cli.o $(LLM_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lm

$(LLM_CLI_FAST): $(BUILD)/llm/fast/tools/llm/llm_cli.o $(LLM_FAST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ -lm

$(BUILD)/host/tests/kernel/llm/test_llm.o: tests/kernel/llm/test_llm.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(LLM_TEST_BIN): $(BUILD)/host/tests/kernel/llm/test_llm.o $(LLM_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lm

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

HOST_TEST_BINS += $(LLM_TEST_BIN)
HOST_TOOL_BINS += $(LLM_CLI) $(LLM_CLI_FAST) $(LLM_CLI_KERNEL_CODE)
PY_TESTS       += tests/kernel/llm/test_llm_reference.py
TEST_DEPS      += llm-freestanding-check $(LLM_CLI)

.PHONY: llm-freestanding-check llm-cli bench-llama
