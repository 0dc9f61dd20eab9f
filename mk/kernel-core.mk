# The kernel's pure parts (kprintf's formatting engine, command line, fw_cfg directory, E820
# totals, boot_info checks, CPUID decoding, heap RAM ranges, sorting, the stage runner, the
# INT 13h block device over a fake BIOS, progress lines, profile slots) built
# for the host with ASan/UBSan, and their unit tests.

KCORE_HOST_DIR := $(BUILD)/host/kernel-core
KCORE_TESTS    := format cmdline fwcfg e820 cpu memory sort stages biosdisk progress \
                  profile_slot
KCORE_BINS     := $(addprefix $(KCORE_HOST_DIR)/test_,$(KCORE_TESTS))

# Each test's source (tests/ mirrors kernel/) and the kernel sources it links (besides the
# log stubs).
KCORE_TEST_format  := tests/kernel/core/test_format.c
KCORE_TEST_cmdline := tests/kernel/core/test_cmdline.c
KCORE_TEST_fwcfg   := tests/kernel/drivers/test_fwcfg.c
KCORE_TEST_e820    := tests/kernel/core/test_e820.c
KCORE_TEST_cpu     := tests/kernel/core/test_cpu.c
KCORE_TEST_memory  := tests/kernel/mm/test_memory.c
KCORE_TEST_stages  := tests/kernel/core/test_stages.c
KCORE_TEST_sort    := tests/kernel/lib/test_sort.c
KCORE_TEST_biosdisk := tests/kernel/drivers/test_biosdisk.c
KCORE_TEST_progress := tests/kernel/core/test_progress.c
KCORE_TEST_profile_slot := tests/kernel/fs/test_profile_slot.c
KCORE_SRCS_format  := kernel/core/format.c
KCORE_SRCS_cmdline := kernel/core/cmdline.c
KCORE_SRCS_fwcfg   := kernel/drivers/fwcfg.c
KCORE_SRCS_e820    := kernel/core/e820.c kernel/core/bootcheck.c kernel/core/format.c \
                      kernel/lib/sort.c
KCORE_SRCS_cpu     := kernel/core/cpu.c
KCORE_SRCS_memory  := kernel/mm/memory.c
KCORE_SRCS_stages  := kernel/core/stages.c kernel/core/cmdline.c
KCORE_SRCS_sort    := kernel/lib/sort.c
KCORE_SRCS_biosdisk := kernel/drivers/biosdisk.c kernel/drivers/blockdev.c kernel/core/format.c
KCORE_SRCS_progress := kernel/core/progress.c kernel/core/format.c
KCORE_SRCS_profile_slot := kernel/fs/profile_slot.c kernel/lib/crc32.c kernel/core/format.c

$(KCORE_HOST_DIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

# test_<name>: its test source, its kernel sources and the kprintf/panic stubs.
define KCORE_TEST_RULE
$(KCORE_HOST_DIR)/test_$(1): $(patsubst %.c,$(KCORE_HOST_DIR)/%.o,$(KCORE_TEST_$(1))) \
        $(patsubst %.c,$(KCORE_HOST_DIR)/%.o,$(KCORE_SRCS_$(1))) \
        $(KCORE_HOST_DIR)/tests/lib/kernel_stubs.o
	$$(HOST_CC) $$(HOST_LDFLAGS) -o $$@ $$^
endef
$(foreach t,$(KCORE_TESTS),$(eval $(call KCORE_TEST_RULE,$(t))))

HOST_TEST_BINS += $(KCORE_BINS)

# kernel-core-test: build and run only the kernel core's host tests.
kernel-core-test: $(KCORE_BINS)
	$(PYTHON) tests/run.py --bin $(KCORE_BINS)

.PHONY: kernel-core-test
