# The x86-64 kernel (docs/x86_64.md): the same stage1/stage2 chain boots it in long mode.
# Linked with libs/llvmlibc's x86-64 build.
#   make kernel64      build/x86_64/kernel.img
#   make fluid64.img   bootable image with LLAMA_MODEL/LLAMA_TOKENIZER from SHARED_MODELS
#   make run-llama     build fluid64.img and boot it (serial on this terminal)
#   make test          also runs tests/kernel/arch/x86_64/test_x86_64.py and
#                      tests/kernel/llm/test_llama.py

KERNEL64_ELF  := $(BUILD)/x86_64/kernel.elf
KERNEL64_IMG  := $(BUILD)/x86_64/kernel.img
IMAGE64       := fluid64.img
KERNEL64_LDSCRIPT := kernel/arch/x86_64/linker.ld

# What it contains, folder by folder in dependency order: kernel/lib, kernel/core, kernel/mm,
# kernel/acpi (the CPUs from ACPI or MP tables), kernel/smp (starting them), kernel/drivers, kernel/fs (as the i686
# kernel), kernel/llm (the engine and its stage; the generic kernel choice is for targets
# without SIMD kernels), kernel/arch/x86 and kernel/arch/x86_64 (long-mode GDT, IDT, paging,
# traps), plus kernel/main_x86_64.c.
KERNEL64_DIRS   := kernel/lib kernel/core kernel/mm kernel/acpi kernel/smp kernel/drivers \
                   kernel/fs kernel/llm kernel/arch/x86 kernel/arch/x86_64
KERNEL64_C_SRCS := kernel/main_x86_64.c $(filter-out kernel/llm/llm_kernels_generic.c, \
                   $(foreach d,$(KERNEL64_DIRS),$(wildcard $(d)/*.c)))
KERNEL64_ASM_SRCS := $(foreach d,$(KERNEL64_DIRS),$(wildcard $(d)/*.asm))
KERNEL64_OBJS := $(patsubst %.c,$(BUILD)/kernel64/%.o,$(KERNEL64_C_SRCS)) \
                 $(patsubst %.asm,$(BUILD)/kernel64/%.o,$(KERNEL64_ASM_SRCS))
KERNEL64_LIBS := $(BUILD)/x86_64/libllvmlibc.a

# Freestanding x86-64: no red zone (interrupts use the same stack), SSE allowed (isr.asm saves
# the XMM state around C handlers), code below 2 GiB (the default small code model).
KERNEL64_CFLAGS  = --target=x86_64-elf -ffreestanding -fno-builtin -fno-stack-protector \
                   -fno-pic -fno-common -fno-asynchronous-unwind-tables -mno-red-zone \
                   -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include \
                   -Ilibs/llvmlibc/include -I. -Iinclude -O2 -g -std=c11 $(WARNINGS) -MMD -MP

# The engine (kernel/llm/llm_*.c) is compiled as its Linux build is (-O3, hosted, no frame
# pointer), so bench-llama compares the same code; -ffreestanding alone costs 2% per int8 token.
# kernel/llm/include holds the <stdlib.h> a hosted <immintrin.h> includes.
KERNEL64_LLM_CFLAGS = -fomit-frame-pointer -Ikernel/llm/include \
    $(subst -O2,-O3,$(filter-out -ffreestanding -fno-builtin,$(KERNEL64_CFLAGS)))

$(BUILD)/kernel64/kernel/llm/llm_%.o: kernel/llm/llm_%.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(KERNEL64_LLM_CFLAGS) -c -o $@ $<

$(BUILD)/kernel64/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(KERNEL64_CFLAGS) -c -o $@ $<

$(BUILD)/kernel64/%.o: %.asm $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f elf64 -g -F dwarf -I$(GEN)/ $(NASM_INCLUDES) -MD $(@:.o=.d) -o $@ $<

# The BIOS thunk: a flat binary (org REALMODE_THUNK_ADDR) that realmode_blob.asm embeds.
REALMODE64_THUNK_BIN := $(BUILD)/kernel64/kernel/arch/x86_64/realmode_thunk.bin
$(REALMODE64_THUNK_BIN): kernel/arch/x86_64/realmode_thunk.nasm kernel/arch/x86/realmode_call.inc \
                         $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -I./ -MD $(@:.bin=.d) -MT $@ -o $@ $<
$(BUILD)/kernel64/kernel/arch/x86_64/realmode_blob.o: $(REALMODE64_THUNK_BIN)
$(BUILD)/kernel64/kernel/arch/x86_64/realmode_blob.o: private NASM_INCLUDES = -I$(BUILD)/kernel64/

# The AP start-up trampoline: a flat binary (org AP_TRAMPOLINE_ADDR) that ap_blob.asm embeds.
AP64_TRAMPOLINE_BIN := $(BUILD)/kernel64/kernel/arch/x86_64/ap_trampoline.bin
$(AP64_TRAMPOLINE_BIN): kernel/arch/x86_64/ap_trampoline.nasm $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -I./ -MD $(@:.bin=.d) -MT $@ -o $@ $<
$(BUILD)/kernel64/kernel/arch/x86_64/ap_blob.o: $(AP64_TRAMPOLINE_BIN)
$(BUILD)/kernel64/kernel/arch/x86_64/ap_blob.o: private NASM_INCLUDES = -I$(BUILD)/kernel64/

$(KERNEL64_ELF): $(KERNEL64_OBJS) $(KERNEL64_LIBS) $(KERNEL64_LDSCRIPT)
	@mkdir -p $(@D)
	$(LD) -m elf_x86_64 -T $(KERNEL64_LDSCRIPT) --no-undefined -Map $(@:.elf=.map) -o $@ \
	    $(KERNEL64_OBJS) --start-group $(KERNEL64_LIBS) --end-group

# The flat image stage2 loads (its header says KERNEL_ARCH_X86_64: stage2 enters long mode).
$(KERNEL64_IMG): $(KERNEL64_ELF) tools/mkkernel.py tools/fluid/kernel_image.py $(ASM_OFFSETS)
	$(OBJCOPY) -O binary $< $@.raw
	$(PYTHON) tools/mkkernel.py --offsets $(ASM_OFFSETS) --elf $< \
	    --build-id "$$(git describe --always --dirty 2>/dev/null || echo unknown)" $@.raw $@
	@rm -f $@.raw

# ---- the bootable LLM image --------------------------------------------------------------
# The models live beside the repository (as in CI); the config file is written from these
# variables (keys and defaults: docs/llm.md). Temperature 0 = greedy.
SHARED_MODELS   ?= ../shared/models
LLAMA_MODEL     ?= stories260K.bin
LLAMA_TOKENIZER ?= tok512.bin
LLAMA_PROMPT    ?= Once upon a time
LLAMA_STEPS     ?= 256
LLAMA_TEMPERATURE ?= 0.8
LLAMA_TOPP      ?= 0.9
LLAMA_SEED      ?= 0
LLAMA_FAT_MIB   ?= auto
# LLAMA_SYNTH=stories15M or tinyllama: instead of LLAMA_MODEL, a model of that shape with
# synthetic weights (tools/synth_model.py; tinyllama as Q8_0, about 1.1 GiB), with the
# 32000-token tokenizer.bin. The partition is sized for it (at most FAT16's 2047 MiB).
LLAMA_SYNTH     ?=
ifneq ($(LLAMA_SYNTH),)
LLAMA_MODEL_FILE := $(BUILD)/x86_64/synth-$(LLAMA_SYNTH).bin
LLAMA_TOKENIZER  := tokenizer.bin
$(LLAMA_MODEL_FILE): tools/synth_model.py tools/fluid/llm/synth.py | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(PYTHON) tools/synth_model.py $@ --shape $(LLAMA_SYNTH) \
	    $(if $(filter tinyllama,$(LLAMA_SYNTH)),--format v2)
else
LLAMA_MODEL_FILE := $(SHARED_MODELS)/$(LLAMA_MODEL)
endif
LLAMA_CFG       := $(BUILD)/x86_64/llama.cfg
LLAMA_FILES     := $(BUILD)/x86_64/llama-files.txt
LLAMA_QEMU      ?= -M pc -m $(if $(filter tinyllama,$(LLAMA_SYNTH)),2G,512M)

# Which model and tokenizer the image holds, rewritten only when that changes, so switching
# LLAMA_MODEL or LLAMA_SYNTH rebuilds fluid64.img.
$(LLAMA_FILES): FORCE | $(SETUP_STAMP)
	@mkdir -p $(@D)
	@printf '%s\n%s\n' '$(LLAMA_MODEL_FILE)' '$(LLAMA_TOKENIZER)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(LLAMA_CFG): FORCE | $(SETUP_STAMP)
	@mkdir -p $(@D)
	@printf 'model = MODEL.BIN\ntokenizer = TOKENIZ.BIN\nprompt = %s\nsteps = %s\ntemperature = %s\ntopp = %s\nseed = %s\n' \
	    '$(LLAMA_PROMPT)' '$(LLAMA_STEPS)' '$(LLAMA_TEMPERATURE)' '$(LLAMA_TOPP)' \
	    '$(LLAMA_SEED)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

llama-models-present:
	@test -f '$(LLAMA_MODEL_FILE)' -a -f '$(SHARED_MODELS)/$(LLAMA_TOKENIZER)' || \
	    { echo "kernel64: model files missing: $(LLAMA_MODEL_FILE) and" \
	      "$(SHARED_MODELS)/$(LLAMA_TOKENIZER) (set SHARED_MODELS=DIR)"; exit 1; }

# fluid64.img: the bootable x86-64 image, LLAMA_MODEL and LLAMA_TOKENIZER from SHARED_MODELS.
$(IMAGE64): $(STAGE1_BIN) $(STAGE2_BIN) $(KERNEL64_IMG) $(LLAMA_CFG) $(LLAMA_FILES) $(MKIMAGE_DEPS) \
            $(if $(LLAMA_SYNTH),$(LLAMA_MODEL_FILE)) | llama-models-present
	$(call mkimage,$(STAGE1_BIN),$(STAGE2_BIN),$(KERNEL64_IMG),$(LLAMA_FAT_MIB),$(IMAGE_DIRS), \
	    $(LLAMA_CFG)=/MODELS/LLAMA.CFG '$(SHARED_MODELS)/$(LLAMA_TOKENIZER)=/MODELS/TOKENIZ.BIN' \
	    '$(LLAMA_MODEL_FILE)=/MODELS/MODEL.BIN')

# kernel64: the 64-bit kernel image only.
kernel64: $(KERNEL64_IMG)

# run-llama: build fluid64.img and boot it, serial console on this terminal, until the run ends.
# QEMU: IDE disk, 512 MiB, qemu64 (the SSE2 kernels); LLAMA_QEMU='... -cpu max' for AVX2+FMA,
# several times slower under TCG. The kernel exits QEMU when the run is over.
run-llama: $(IMAGE64)
	qemu-system-x86_64 $(LLAMA_QEMU) -display none -no-reboot -monitor none \
	    -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio \
	    -drive file=$(IMAGE64),format=raw,snapshot=on; \
	    status=$$?; test $$status -eq 33 || { echo "run-llama: QEMU exit status $$status"; exit 1; }

PY_TESTS  += tests/kernel/arch/x86_64/test_x86_64.py tests/kernel/llm/test_llama.py
TEST_DEPS += $(KERNEL64_IMG) $(STAGE1_BIN) $(STAGE2_BIN) $(LLM_CLI)

.PHONY: kernel64 run-llama llama-models-present FORCE

# The kernel's own inference objects (and the formatting engine they call) linked into the
# Linux llm_cli (with libs/llvmlibc ahead of glibc, so memset and libm are the kernel's too):
# make bench-llama runs it under callgrind beside the Linux build, which tells code from
# kernel environment in the comparison.
# Debug info is stripped: Debian 12's valgrind cannot read these objects' DWARF 5.
LLM_CLI_KERNEL_CODE := $(BUILD)/llm/kernel-code/llm_cli
KERNEL64_LLM_OBJS   := $(filter $(BUILD)/kernel64/kernel/llm/llm_% \
                       $(BUILD)/kernel64/kernel/core/format.o,$(KERNEL64_OBJS))
$(LLM_CLI_KERNEL_CODE): $(BUILD)/llm/fast/tools/llm/llm_cli.o \
                        $(BUILD)/llm/fast/tools/llm/llm_pool_pthread.o $(BUILD)/llm/fast/tools/llm/huge_pages.o \
                        $(KERNEL64_LLM_OBJS) $(KERNEL64_LIBS)
	@mkdir -p $(@D)
	$(HOST_CC) -no-pie -pthread -o $@.tmp $^
	$(OBJCOPY) --strip-debug $@.tmp $@
	@rm -f $@.tmp

LLAMA_KERNEL_RESULTS := $(BUILD)/llm/kernel-results.json
LLAMA_KERNEL_ROWS ?= "stories15M fp32" "stories15M q8_0" "tinyllama q8_0"

# bench-llama-kernel: instructions per token of the booted x86-64 kernel (QEMU -icount shift=0).
# Same rows and synthetic models as tools/bench_llama.py; writes the file `make bench-llama` reads
# with --kernel-results. Slow: the model is read by ATA PIO under TCG, about five minutes a
# boot for the TinyLlama row's 1.1 GB file (two boots); LLAMA_KERNEL_ROWS picks fewer rows.
bench-llama-kernel: $(KERNEL64_IMG) $(STAGE1_BIN) $(STAGE2_BIN) tools/bench_llama_kernel.py
	$(PYTHON) tools/bench_llama_kernel.py --models $(SHARED_MODELS) --out $(BUILD)/llm \
	    --json $(LLAMA_KERNEL_RESULTS) --rows $(LLAMA_KERNEL_ROWS) --memory 4G

.PHONY: bench-llama-kernel
