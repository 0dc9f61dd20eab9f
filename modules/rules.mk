# Build rules for benchmark modules, shared by Makefile.modules (standalone) and mk/modules.mk
# (the kernel build). Needs BUILD, GEN, CC, LD, PYTHON, SETUP_STAMP, CLANG_RESOURCE_DIR and
# ASM_OFFSETS (the module format the packer reads). Every file under $(MODULES_DIR)/<variant>/
# is built with that variant's flags (tools/mkmod.py flags VARIANT):
#   <variant>/<name>.o    compiled from modules/<name>.c or tests/modules/bad/<name>.c
#   <variant>/<name>.elf  linked at 0 by modules/module.ld, relocations kept (--emit-relocs)
#   <variant>/<name>.mod  header + code + data + relocation table (tools/mkmod.py pack)
# Adding a module means adding modules/<name>.c; the registry picks it up.

MODULES_DIR       := $(BUILD)/modules
MODULES_VARIANT   := $(if $(VARIANT),$(VARIANT),O2)
MODULES_NAMES     := $(sort $(basename $(notdir $(wildcard modules/*.c))))
MODULES_BAD_NAMES := $(sort $(basename $(notdir $(wildcard tests/modules/bad/*.c))))
MODULES_TIERS     := O0 O1 O2 O3 Os Oz
MODULES_VARIANTS  := $(foreach t,$(MODULES_TIERS),$(t) $(t)-sse2 $(t)-pgouse $(t)-sse2-pgouse)
MODULES_PROFDATA  ?= $(BUILD)/pgo
MODULES_INCLUDES   = -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include \
                     -Iinclude -Imodules/include
MODULES_WARNINGS  := -Wall -Wextra -Werror
MODULES_LDFLAGS   := -m elf_i386 -T modules/module.ld --emit-relocs --no-undefined -static
MODULES_TOOLS     := tools/mkmod.py tools/fluid/modbuild.py tools/fluid/modfmt.py \
                     tools/fluid/layout.py $(ASM_OFFSETS)

# The libc every module links statically: libs/llvmlibc built for the same SSE setting (clang
# emits memcpy/memset calls even under -fno-builtin; math modules need libm).
modules_libc = $(BUILD)/$(if $(findstring sse2,$(1)),i686-sse2,i686)/libllvmlibc.a
modules_pgo  = $(if $(findstring pgouse,$(1)),-fprofile-instr-use=$(MODULES_PROFDATA)/$(2).profdata)

define MODULES_VARIANT_RULES
$(MODULES_DIR)/$(1)/%.o: modules/%.c | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$(CC) $$$$($(PYTHON) tools/mkmod.py flags $(1)) $$(call modules_pgo,$(1),$$*) \
	    $$(MODULES_INCLUDES) $(MODULES_WARNINGS) -MMD -MP -c -o $$@ $$<

$(MODULES_DIR)/$(1)/%.o: tests/modules/bad/%.c | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$(CC) $$$$($(PYTHON) tools/mkmod.py flags $(1)) \
	    $$(MODULES_INCLUDES) $(MODULES_WARNINGS) -MMD -MP -c -o $$@ $$<

$(MODULES_DIR)/$(1)/%.elf: $(MODULES_DIR)/$(1)/%.o $(call modules_libc,$(1)) modules/module.ld
	$(LD) $(MODULES_LDFLAGS) -o $$@ $$< $(call modules_libc,$(1))

$(MODULES_DIR)/$(1)/%.mod: $(MODULES_DIR)/$(1)/%.elf $(MODULES_TOOLS)
	$(PYTHON) tools/mkmod.py pack --variant $(1) \
	    --source $$(firstword $$(wildcard modules/$$*.c tests/modules/bad/$$*.c)) $$< $$@
endef
$(foreach v,$(MODULES_VARIANTS),$(eval $(call MODULES_VARIANT_RULES,$(v))))

MODULES_MODS     := $(patsubst %,$(MODULES_DIR)/$(MODULES_VARIANT)/%.mod,$(MODULES_NAMES))
MODULES_BAD_MODS := $(patsubst %,$(MODULES_DIR)/$(MODULES_VARIANT)/%.mod,$(MODULES_BAD_NAMES))
.SECONDARY: $(MODULES_MODS:.mod=.elf) $(MODULES_MODS:.mod=.o) \
            $(MODULES_BAD_MODS:.mod=.elf) $(MODULES_BAD_MODS:.mod=.o)

# The registry the kernel and the host runner embed: every module of the chosen variant plus
# the deliberately bad test modules, each with the expected answer read from its source.
MODULES_REGISTRY_C := $(GEN)/modules/$(MODULES_VARIANT)/registry.c
$(MODULES_REGISTRY_C): $(MODULES_MODS) $(MODULES_BAD_MODS) $(MODULES_TOOLS) \
                       $(wildcard modules/*.c tests/modules/bad/*.c)
	@mkdir -p $(@D)
	$(PYTHON) tools/mkmod.py registry --out $@ \
	    $(foreach n,$(MODULES_NAMES),modules/$(n).c=$(MODULES_DIR)/$(MODULES_VARIANT)/$(n).mod) \
	    $(foreach n,$(MODULES_BAD_NAMES),tests/modules/bad/$(n).c=$(MODULES_DIR)/$(MODULES_VARIANT)/$(n).mod)
