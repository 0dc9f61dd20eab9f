# Kernel core (kernel/*.c, kernel/arch/i686/*.c: the kernel build picks them up by wildcard).
# Here: the pure parts (kprintf's formatting engine, command line, fw_cfg directory, E820
# totals, boot_info checks, CPUID decoding) built for the host with ASan/UBSan, and their
# unit tests. QEMU boot checks of the core live in tests/qemu/ (integrator).

KCORE_HOST_DIR := $(BUILD)/host/kernel-core
KCORE_TESTS    := format cmdline fwcfg e820 cpu memory
KCORE_BINS     := $(addprefix $(KCORE_HOST_DIR)/test_,$(KCORE_TESTS))

# Kernel sources each test links (besides its own test_<name>.c and the log stubs).
KCORE_SRCS_format  := kernel/core/format.c
KCORE_SRCS_cmdline := kernel/core/cmdline.c
KCORE_SRCS_fwcfg   := kernel/drivers/fwcfg.c
KCORE_SRCS_e820    := kernel/core/e820.c kernel/core/bootcheck.c kernel/core/format.c
KCORE_SRCS_cpu     := kernel/core/cpu.c
KCORE_SRCS_memory  := kernel/mm/memory.c

$(KCORE_HOST_DIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

# test_<name>: its test source, its kernel sources and the kprintf/panic stubs.
define KCORE_TEST_RULE
$(KCORE_HOST_DIR)/test_$(1): $(KCORE_HOST_DIR)/tests/host/test_$(1).o \
        $(patsubst %.c,$(KCORE_HOST_DIR)/%.o,$(KCORE_SRCS_$(1))) \
        $(KCORE_HOST_DIR)/tests/host/kernel_stubs.o
	$$(HOST_CC) $$(HOST_LDFLAGS) -o $$@ $$^
endef
$(foreach t,$(KCORE_TESTS),$(eval $(call KCORE_TEST_RULE,$(t))))

HOST_TEST_BINS += $(KCORE_BINS)

# kernel-core-test: build and run only this area's host tests.
kernel-core-test: $(KCORE_BINS)
	$(PYTHON) tests/run.py --bin $(KCORE_BINS)

.PHONY: kernel-core-test
