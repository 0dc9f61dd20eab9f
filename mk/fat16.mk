# Block devices and read-only FAT16 (kernel/drivers/{blockdev,ramdisk}.c and
# kernel/fs/{mbr,fat16}.c, which the kernel build picks up from their folders). Here: the same
# sources built for the host with ASan/UBSan, the unit tests, the image tests' front end
# (fat16cat), and `make fuzz`. See docs/fat16.md.

FAT16_SRCS      := kernel/fs/fat16.c kernel/drivers/blockdev.c kernel/drivers/ramdisk.c kernel/fs/mbr.c
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

# The fuzzer: libFuzzer over whole-disk images (bare or partitioned), seeded from generated
# good images.
FAT16_FUZZ_SECONDS ?= 60
FAT16_FUZZ_DIR  := $(BUILD)/fuzz/fat16
FAT16_FUZZER    := $(FAT16_FUZZ_DIR)/fuzz_fat16
FAT16_FUZZ_CFLAGS := -I. -Iinclude -O1 -g -std=c11 $(WARNINGS) -MMD -MP \
                     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(FAT16_FUZZ_DIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(FAT16_FUZZ_CFLAGS) -c -o $@ $<

$(FAT16_FUZZER): $(patsubst %.c,$(FAT16_FUZZ_DIR)/%.o,tests/kernel/fs/fuzz_fat16.c $(FAT16_SRCS))
	$(HOST_CC) -fsanitize=fuzzer,address,undefined -o $@ $^

HOST_TOOL_BINS += $(FAT16_CAT) $(FAT16_FUZZER)

$(FAT16_FUZZ_DIR)/seeds.done: tools/fatimg.py tools/fluid/fatimg.py tools/fluid/mbr.py $(ASM_OFFSETS) \
                             | $(SETUP_STAMP)
	$(PYTHON) tools/fatimg.py seeds $(FAT16_FUZZ_DIR)/seeds
	@touch $@

# fuzz: libFuzzer over FAT16 disk images for FAT16_FUZZ_SECONDS (default 60), bounded in time.
# Crashes land in build/fuzz/fat16/crashes/.
fuzz: $(FAT16_FUZZER) $(FAT16_FUZZ_DIR)/seeds.done
	@mkdir -p $(FAT16_FUZZ_DIR)/corpus $(FAT16_FUZZ_DIR)/crashes
	$(FAT16_FUZZER) -max_total_time=$(FAT16_FUZZ_SECONDS) -max_len=262144 -timeout=10 \
	    -artifact_prefix=$(FAT16_FUZZ_DIR)/crashes/ $(FAT16_FUZZ_DIR)/corpus $(FAT16_FUZZ_DIR)/seeds

.PHONY: fuzz
