# Block devices and read-only FAT16 (kernel/drivers/{blockdev,ramdisk}.c and
# kernel/fs/{mbr,fat16}.c, which the kernel build picks up from their folders). Here: the same
# sources built for the host with ASan/UBSan, the unit tests, the image tests' front end
# (fat16cat), and the fuzz target. See docs/fat16.md.

FAT16_SRCS      := kernel/fs/fat16.c kernel/drivers/blockdev.c kernel/drivers/ramdisk.c kernel/fs/mbr.c \
                   kernel/drivers/optfile.c
FAT16_HOST_DIR  := $(BUILD)/host/fat16
FAT16_HOST_OBJS := $(patsubst %.c,$(FAT16_HOST_DIR)/%.o,$(FAT16_SRCS) tests/lib/kernel_stubs.c)
FAT16_CAT       := $(FAT16_HOST_DIR)/fat16cat
FAT16_UNIT      := $(FAT16_HOST_DIR)/test_fat16
FAT16_ATA_UNIT  := $(FAT16_HOST_DIR)/test_ata

$(FAT16_HOST_DIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(FAT16_UNIT): $(FAT16_HOST_DIR)/tests/kernel/fs/test_fat16.o $(FAT16_HOST_OBJS)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

# ata.c builds on the host (its port I/O is x86 inline asm) but only its parser runs there.
$(FAT16_ATA_UNIT): $(FAT16_HOST_DIR)/tests/kernel/arch/x86/test_ata.o $(FAT16_HOST_DIR)/kernel/arch/x86/ata.o \
                   $(FAT16_HOST_OBJS)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

$(FAT16_CAT): $(FAT16_HOST_DIR)/tests/kernel/fs/fat16cat.o $(FAT16_HOST_OBJS)
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

HOST_TEST_BINS += $(FAT16_UNIT) $(FAT16_ATA_UNIT)
PY_TESTS       += tests/kernel/fs/test_images.py
TEST_DEPS      += $(FAT16_CAT)

# The fuzz target (mk/fuzz.mk): libFuzzer over whole-disk images (bare or partitioned),
# seeded from generated good images.
FAT16_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS       += fat16
FUZZ_fat16_SRCS    := tests/kernel/fs/fuzz_fat16.c $(FAT16_SRCS)
# 256 KiB: the seeds (trimmed after their last non-zero byte) are far smaller; the disk
# the harness reads is 16 MiB, zeros past the input.
FUZZ_fat16_MAX_LEN := 262144
FUZZ_fat16_SECONDS  = $(FAT16_FUZZ_SECONDS)

$(FUZZ_DIR)/fat16/seeds.done: tools/fatimg.py tools/fluid/fatimg.py tools/fluid/mbr.py \
                              $(ASM_OFFSETS) | $(SETUP_STAMP)
	rm -rf $(@D)/seeds
	$(PYTHON) tools/fatimg.py seeds $(@D)/seeds
	@touch $@

HOST_TOOL_BINS += $(FAT16_CAT) $(FUZZ_DIR)/fuzz_fat16
TEST_DEPS      += $(FUZZ_DIR)/fuzz_fat16 $(FUZZ_DIR)/fat16/seeds.done
