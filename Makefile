# Fluid: builds fluid.img (stage1 + stage2 + i686 kernel + FAT16 partition) and runs the tests.
# `make` builds, `make run` boots it in QEMU, `make test` runs every test. Subsystems add their
# own rules in mk/*.mk (host tests go into HOST_TEST_BINS and PY_TESTS, other host programs
# into HOST_TOOL_BINS). `make help` lists the targets. See docs/building.md.

.DEFAULT_GOAL := all
SHELL := /bin/bash
.DELETE_ON_ERROR:
# No built-in rules: they would chain into rules for the included .d files (x.d from x.d.o).
MAKEFLAGS += --no-builtin-rules
# Fragments are read in name order; prerequisites written $$(VAR) are expanded after all of
# them, so a fragment can add to a variable another fragment's rule depends on.
.SECONDEXPANSION:

BUILD      := build
GEN        := $(BUILD)/gen
IMAGE      := fluid.img
PYTHON     := python3

# Toolchain. Kernel code is freestanding C for i686 (no SSE in the kernel itself: it must run
# on the oldest CPU we claim, a Pentium II), with <string.h> and <math.h> from libs/llvmlibc
# (linked as libllvmlibc.a, mk/llvmlibc.mk); host code is built with the same clang.
CC         := clang
NASM       := nasm
LD         := ld.lld
OBJCOPY    := llvm-objcopy
HOST_CC    := clang
# clang's own headers (stddef.h, stdint.h, ...) for the -nostdinc builds. Asked once, by the
# first command that needs it, so that reading the makefiles needs no clang.
CLANG_RESOURCE_DIR = $(eval CLANG_RESOURCE_DIR := \
                          $(shell $(CC) -print-resource-dir))$(CLANG_RESOURCE_DIR)

WARNINGS   := -Wall -Wextra -Werror
I686_CFLAGS = --target=i686-elf -march=pentium2 -mno-sse -mno-sse2 -mno-mmx \
               -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-common \
               -fno-asynchronous-unwind-tables -mno-red-zone -nostdinc \
               -isystem $(CLANG_RESOURCE_DIR)/include \
               -Ilibs/llvmlibc/include -I. -Iinclude -O2 -g -std=c11 $(WARNINGS) -MMD -MP
HOST_CFLAGS := -I. -Iinclude -O1 -g -std=c11 $(WARNINGS) -MMD -MP \
               -fsanitize=address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE
HOST_LDFLAGS := -fsanitize=address,undefined

HOST_TEST_BINS :=
HOST_TOOL_BINS :=
PY_TESTS       :=
# libFuzzer targets, each named by a fragment (mk/fuzz.mk), and where they build and run.
FUZZ_TARGETS   :=
FUZZ_DIR       := $(BUILD)/fuzz
KERNEL_LIBS    :=
KERNEL_EXTRA_OBJS :=
KERNEL_ELF     := $(BUILD)/i686/kernel.elf
KERNEL_IMG     := $(BUILD)/i686/kernel.img

# Order-only prerequisite of build steps: the tools are there (`make setup` installs them).
SETUP_STAMP := $(BUILD)/.setup-done
$(SETUP_STAMP): tools/setup.sh
	@sh tools/setup.sh --check
	@mkdir -p $(@D)
	@touch $@

# ---------------------------------------------------------------------------------------
# Layouts shared by asm, C and the Python tools: asm-offsets.inc is generated from the C
# headers (the kernel headers it reads are tracked through its .d file, named for the .inc).
ASM_OFFSETS := $(GEN)/asm-offsets.inc
# The dependency file names the .inc (-MT), the target that the headers feed.
$(ASM_OFFSETS): boot/asm-offsets.c tools/gen_asm_offsets.py | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(I686_CFLAGS) -MT $@ -S -o $(GEN)/asm-offsets.s $<
	$(PYTHON) tools/gen_asm_offsets.py $(GEN)/asm-offsets.s $@
# The Python tools read their C constants from this build's file (tools/fluid/layout.py).
export FLUID_ASM_OFFSETS := $(abspath $(ASM_OFFSETS))

-include mk/*.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# all: the bootable image and everything the tests need.
all: $(IMAGE)

# setup: install the Debian 12 packages Fluid needs, if any is missing (apt-get, as root).
setup:
	@sh tools/setup.sh

# run and test install what is missing first, then go on in a new make, which reads the
# makefiles with the tools in place (FLUID_SETUP=done skips the first step).
ifneq ($(FLUID_SETUP),done)
run test:
	@$(MAKE) --no-print-directory setup
	@$(MAKE) --no-print-directory FLUID_SETUP=done $@
else
# run: make setup, then boot the image in QEMU with the serial console on this terminal.
run: $(IMAGE)
	$(PYTHON) tools/qemu_run.py --image $(IMAGE) $(if $(INTERACTIVE),--interactive)

# test: make setup, build everything, then run host unit tests and QEMU boot tests.
test: all $(HOST_TEST_BINS) $(TEST_DEPS)
	$(PYTHON) tests/run.py --bin $(HOST_TEST_BINS) --py $(PY_TESTS)
endif

# debug: boot halted with a gdb stub on :1234; attach with `gdb -x tools/gdbinit`.
debug: $(IMAGE)
	$(PYTHON) tools/qemu_run.py --image $(IMAGE) --debug

# clean: remove every build output.
clean:
	rm -rf $(BUILD) $(IMAGE)

# help: list the targets, one line each, from the `# target:` comment above each rule.
help:
	@echo "make TARGET, from Makefile and mk/*.mk (the modules alone: make -f Makefile.modules help):"
	@awk -f mk/help.awk Makefile $(sort $(wildcard mk/*.mk))

.PHONY: all setup run debug test clean help
