# Boot chain and disk image: stage1/stage2 (NASM, offsets from asm-offsets.inc) and fluid.img.

STAGE1_BIN := $(BUILD)/boot/stage1.bin
STAGE2_BIN := $(BUILD)/boot/stage2.bin
STAGE2_INCS := $(wildcard boot/*.inc)
FAT_MIB ?= 32
# Directories every image's FAT16 partition starts with (module cache, models).
IMAGE_DIRS := /CACHE /CACHE/I686 /MODELS
IMAGE_FILES ?=

# The one spelling of the image build (tools/mkimage.py; fluid.image.build in Python):
# $(call mkimage,STAGE1,STAGE2,KERNEL,FAT_MIB,DIRS,SRC=/DEST FILES) in a recipe writes $@.
mkimage = $(PYTHON) tools/mkimage.py --offsets $(ASM_OFFSETS) --stage1 $(1) --stage2 $(2) \
          --kernel $(3) --fat-mib $(4) $(addprefix --dir ,$(5)) $(addprefix --file ,$(6)) $@
MKIMAGE_DEPS := tools/mkimage.py tools/fluid/__init__.py tools/fluid/image.py tools/fluid/mbr.py \
                tools/fluid/layout.py $(ASM_OFFSETS)

$(STAGE1_BIN): boot/stage1.asm $(ASM_OFFSETS)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -Iboot/ -l $(@:.bin=.lst) -o $@ $<

$(STAGE2_BIN): boot/stage2.asm $(STAGE2_INCS) $(ASM_OFFSETS)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -Iboot/ -l $(@:.bin=.lst) -o $@ $<

# fluid.img: MBR + stage2 + kernel in the 1 MiB boot area, then the FAT16 partition.
$(IMAGE): $(STAGE1_BIN) $(STAGE2_BIN) $(KERNEL_IMG) $(MKIMAGE_DEPS) $$(IMAGE_DEPS)
	$(call mkimage,$(STAGE1_BIN),$(STAGE2_BIN),$(KERNEL_IMG),$(FAT_MIB),$(IMAGE_DIRS),$(IMAGE_FILES))

# Test builds of the boot chain, each taking a path QEMU's BIOS never makes it take
# (tests/boot/test_boot_paths.py): CHS reads as without INT 13h extensions, and each A20 method
# from a start with A20 off. Same kernel, same layout; only NASM defines differ.
BOOT_VARIANT_DEFS_chs       := -DFORCE_CHS
BOOT_VARIANT_DEFS_a20bios   := -DA20_TEST_START_OFF
BOOT_VARIANT_DEFS_a20kbc    := -DA20_TEST_START_OFF -DA20_TEST_SKIP_BIOS
BOOT_VARIANT_DEFS_a20port92 := -DA20_TEST_START_OFF -DA20_TEST_SKIP_BIOS -DA20_TEST_SKIP_KBC
BOOT_VARIANTS := chs a20bios a20port92 a20kbc
BOOT_VARIANT_IMAGES := $(BOOT_VARIANTS:%=$(BUILD)/test-images/fluid-%.img)

define BOOT_VARIANT_RULES
$(BUILD)/boot/$(1)/%.bin: boot/%.asm $(STAGE2_INCS) $(ASM_OFFSETS)
	@mkdir -p $$(@D)
	$(NASM) -f bin $(BOOT_VARIANT_DEFS_$(1)) -I$(GEN)/ -Iboot/ -o $$@ $$<

$(BUILD)/test-images/fluid-$(1).img: $(BUILD)/boot/$(1)/stage1.bin $(BUILD)/boot/$(1)/stage2.bin \
        $(KERNEL_IMG) $(MKIMAGE_DEPS)
	@mkdir -p $$(@D)
	$$(call mkimage,$(BUILD)/boot/$(1)/stage1.bin,$(BUILD)/boot/$(1)/stage2.bin,$(KERNEL_IMG),$(FAT_MIB))
endef
$(foreach v,$(BOOT_VARIANTS),$(eval $(call BOOT_VARIANT_RULES,$(v))))

TEST_DEPS += $(BOOT_VARIANT_IMAGES)
