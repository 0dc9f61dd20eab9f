# Boot chain and disk image: stage1/stage2 (NASM, offsets from asm-offsets.inc) and fluid.img.

STAGE1_BIN := $(BUILD)/boot/stage1.bin
STAGE2_BIN := $(BUILD)/boot/stage2.bin
STAGE2_INCS := $(wildcard boot/*.inc)
FAT_MIB ?= 32
# Directories every image's FAT16 partition starts with (module cache, models).
IMAGE_DIRS := /CACHE /CACHE/I686 /MODELS
IMAGE_FILES ?=

$(STAGE1_BIN): boot/stage1.asm $(ASM_OFFSETS)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -Iboot/ -l $(@:.bin=.lst) -o $@ $<

$(STAGE2_BIN): boot/stage2.asm $(STAGE2_INCS) $(ASM_OFFSETS)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -Iboot/ -l $(@:.bin=.lst) -o $@ $<

# fluid.img: MBR + stage2 + kernel in the 1 MiB boot area, then the FAT16 partition.
$(IMAGE): $(STAGE1_BIN) $(STAGE2_BIN) $(KERNEL_IMG) tools/mkimage.py tools/layout.py $$(IMAGE_DEPS)
	$(PYTHON) tools/mkimage.py --offsets $(ASM_OFFSETS) --stage1 $(STAGE1_BIN) \
	    --stage2 $(STAGE2_BIN) --kernel $(KERNEL_IMG) --fat-mib $(FAT_MIB) \
	    $(addprefix --dir ,$(IMAGE_DIRS)) $(addprefix --file ,$(IMAGE_FILES)) $@

# Test build of the boot chain that ignores the INT 13h extensions, so the CHS path (the one
# old BIOSes take) is exercised under QEMU too (tests/qemu/test_boot_chs.py).
CHS_IMAGE := $(BUILD)/test-images/fluid-chs.img
$(BUILD)/boot/chs/%.bin: boot/%.asm $(STAGE2_INCS) $(ASM_OFFSETS)
	@mkdir -p $(@D)
	$(NASM) -f bin -DFORCE_CHS -I$(GEN)/ -Iboot/ -o $@ $<

$(CHS_IMAGE): $(BUILD)/boot/chs/stage1.bin $(BUILD)/boot/chs/stage2.bin $(KERNEL_IMG) tools/mkimage.py
	@mkdir -p $(@D)
	$(PYTHON) tools/mkimage.py --offsets $(ASM_OFFSETS) --stage1 $(BUILD)/boot/chs/stage1.bin \
	    --stage2 $(BUILD)/boot/chs/stage2.bin --kernel $(KERNEL_IMG) --fat-mib $(FAT_MIB) $@

TEST_DEPS += $(CHS_IMAGE)
