# The 32-bit kernel: portable C in kernel/*.c, port-I/O drivers shared with the x86-64 kernel in
# kernel/arch/x86/, i686-specific code in kernel/arch/i686/.
# Other fragments may append static libraries to KERNEL_LIBS and objects to KERNEL_EXTRA_OBJS.

KERNEL_C_SRCS   := $(filter-out kernel/llm/%,$(wildcard kernel/*.c kernel/*/*.c) \
                   $(wildcard kernel/arch/x86/*.c kernel/arch/i686/*.c))
KERNEL_ASM_SRCS := $(wildcard kernel/arch/i686/*.asm)
KERNEL_OBJS     := $(patsubst %.c,$(BUILD)/i686/%.o,$(KERNEL_C_SRCS)) \
                   $(patsubst %.asm,$(BUILD)/i686/%.o,$(KERNEL_ASM_SRCS))
KERNEL_LDSCRIPT := kernel/arch/i686/linker.ld

$(BUILD)/i686/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(I686_CFLAGS) -c -o $@ $<

$(BUILD)/i686/%.o: %.asm $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f elf32 -g -F dwarf -I$(GEN)/ -MD $(@:.o=.d) -o $@ $<

$(KERNEL_ELF): $(KERNEL_OBJS) $$(KERNEL_EXTRA_OBJS) $$(KERNEL_LIBS) $(KERNEL_LDSCRIPT)
	$(LD) -m elf_i386 -T $(KERNEL_LDSCRIPT) --no-undefined -Map $(@:.elf=.map) -o $@ \
	    $(KERNEL_OBJS) $(KERNEL_EXTRA_OBJS) --start-group $(KERNEL_LIBS) --end-group

# The flat image stage2 loads: header fields (size, CRC, build id) filled by mkkernel.py.
$(KERNEL_IMG): $(KERNEL_ELF) tools/mkkernel.py $(ASM_OFFSETS)
	$(OBJCOPY) -O binary $< $@.raw
	$(PYTHON) tools/mkkernel.py --offsets $(ASM_OFFSETS) --elf $< \
	    --build-id "$$(git describe --always --dirty 2>/dev/null || echo unknown)" $@.raw $@
	@rm -f $@.raw
