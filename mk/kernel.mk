# The 32-bit benchmark kernel. What it contains, folder by folder in dependency order:
#   kernel/lib       byte helpers, sorting          kernel/core     start-up, log, console, stages
#   kernel/mm        heap and its RAM ranges        kernel/acpi     the CPUs from ACPI or MP tables
#   kernel/smp       starting the other CPUs       kernel/drivers   block devices, fw_cfg parser
#   kernel/fs        MBR, FAT16, volume finder      kernel/bench    module loader, suite, profile, cache
#   kernel/arch/x86  port-I/O drivers of both kernels (PIC, PIT, UART, VGA, ATA)
#   kernel/arch/i686 GDT, IDT, paging, traps, the fault guard
# plus kernel/main_i686.c, which lists the stages. Other fragments may append static
# libraries to KERNEL_LIBS and objects to KERNEL_EXTRA_OBJS.

KERNEL_DIRS     := kernel/lib kernel/core kernel/mm kernel/acpi kernel/smp kernel/drivers kernel/fs \
                   kernel/bench kernel/arch/x86 kernel/arch/i686
KERNEL_C_SRCS   := kernel/main_i686.c $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c))
KERNEL_ASM_SRCS := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.asm))
KERNEL_OBJS     := $(patsubst %.c,$(BUILD)/i686/%.o,$(KERNEL_C_SRCS)) \
                   $(patsubst %.asm,$(BUILD)/i686/%.o,$(KERNEL_ASM_SRCS))
KERNEL_LDSCRIPT := kernel/arch/i686/linker.ld

$(BUILD)/i686/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(I686_CFLAGS) -c -o $@ $<

$(BUILD)/i686/%.o: %.asm $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f elf32 -g -F dwarf -I$(GEN)/ $(NASM_INCLUDES) -MD $(@:.o=.d) -o $@ $<

# The AP start-up trampoline: a flat binary (org AP_TRAMPOLINE_ADDR) that ap_blob.asm embeds.
AP_TRAMPOLINE_BIN := $(BUILD)/i686/kernel/arch/i686/ap_trampoline.bin
$(AP_TRAMPOLINE_BIN): kernel/arch/i686/ap_trampoline.nasm $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -I./ -MD $(@:.bin=.d) -MT $@ -o $@ $<
$(BUILD)/i686/kernel/arch/i686/ap_blob.o: $(AP_TRAMPOLINE_BIN)
$(BUILD)/i686/kernel/arch/i686/ap_blob.o: private NASM_INCLUDES = -I$(BUILD)/i686/

# The BIOS thunk: a flat binary (org REALMODE_THUNK_ADDR) that realmode_blob.asm embeds.
REALMODE_THUNK_BIN := $(BUILD)/i686/kernel/arch/i686/realmode_thunk.bin
$(REALMODE_THUNK_BIN): kernel/arch/i686/realmode_thunk.nasm kernel/arch/x86/realmode_call.inc \
                       $(ASM_OFFSETS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(NASM) -f bin -I$(GEN)/ -I./ -MD $(@:.bin=.d) -MT $@ -o $@ $<
$(BUILD)/i686/kernel/arch/i686/realmode_blob.o: $(REALMODE_THUNK_BIN)
$(BUILD)/i686/kernel/arch/i686/realmode_blob.o: private NASM_INCLUDES = -I$(BUILD)/i686/

$(KERNEL_ELF): $(KERNEL_OBJS) $$(KERNEL_EXTRA_OBJS) $$(KERNEL_LIBS) $(KERNEL_LDSCRIPT)
	$(LD) -m elf_i386 -T $(KERNEL_LDSCRIPT) --no-undefined -Map $(@:.elf=.map) -o $@ \
	    $(KERNEL_OBJS) $(KERNEL_EXTRA_OBJS) --start-group $(KERNEL_LIBS) --end-group

# The flat image stage2 loads: header fields (size, CRC, build id) filled by mkkernel.py.
$(KERNEL_IMG): $(KERNEL_ELF) tools/mkkernel.py tools/fluid/kernel_image.py $(ASM_OFFSETS)
	$(OBJCOPY) -O binary $< $@.raw
	$(PYTHON) tools/mkkernel.py --offsets $(ASM_OFFSETS) --elf $< \
	    --build-id "$$(git describe --always --dirty 2>/dev/null || echo unknown)" $@.raw $@
	@rm -f $@.raw
