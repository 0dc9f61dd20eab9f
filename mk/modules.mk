# Benchmark modules: the modules themselves (rules in modules/rules.mk, shared with
# Makefile.modules), the generated registry linked into the kernel, the host runner and the
# host tests. Docs: docs/module-format.md, docs/profile-format.md.

MODULES_VARIANT ?= O2
include modules/rules.mk

# The registry (embedded .mod bytes + expected answers) is part of the kernel image.
MODULES_REGISTRY_O := $(BUILD)/i686/gen/modules_registry.o
KERNEL_EXTRA_OBJS  += $(MODULES_REGISTRY_O)
$(KERNEL_ELF): $(MODULES_REGISTRY_O)    # kernel.mk read its prerequisites before this file
$(MODULES_REGISTRY_O): $(MODULES_REGISTRY_C) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(I686_CFLAGS) -c -o $@ $<

# Host tests of the loader and the JSON writer (the loader test also reads the built modules).
# One object per source under $(MODULES_HOST), mirroring the source tree.
MODULES_HOST := $(BUILD)/host/modules
MODULES_TEST_module_loader := tests/kernel/bench/test_module_loader.c \
                              kernel/bench/module_loader.c kernel/core/format.c kernel/lib/crc32.c
MODULES_TEST_json          := tests/kernel/bench/test_json.c kernel/bench/json.c kernel/core/format.c
MODULES_TEST_module_suite  := tests/kernel/bench/test_module_suite.c kernel/bench/suite_run.c \
                              kernel/bench/suite_stats.c kernel/bench/module_loader.c \
                              kernel/bench/profile.c kernel/bench/json.c kernel/bench/fprof.c \
                              kernel/core/format.c kernel/lib/sort.c kernel/lib/crc32.c \
                              kernel/arch/x86/exceptions.c kernel/bench/planner.c
MODULES_TEST_planner       := tests/kernel/bench/test_planner.c kernel/bench/planner.c \
                              kernel/lib/sort.c
MODULES_TEST_manifest      := tests/kernel/bench/test_manifest.c kernel/bench/manifest.c \
                              kernel/core/format.c
MODULES_TEST_wisdom        := tests/kernel/bench/test_wisdom.c kernel/bench/wisdom.c \
                              kernel/core/format.c kernel/lib/crc32.c
MODULES_TEST_offer         := tests/kernel/bench/test_offer.c kernel/bench/offer.c \
                              kernel/bench/suite_adapt.c kernel/bench/planner.c \
                              kernel/bench/suite_run.c kernel/bench/suite_stats.c \
                              kernel/bench/module_loader.c kernel/bench/fprof.c \
                              kernel/core/format.c kernel/lib/sort.c kernel/lib/crc32.c \
                              kernel/arch/x86/exceptions.c
MODULES_TESTS := module_loader json module_suite manifest planner wisdom offer

$(MODULES_HOST)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

define MODULES_TEST_RULE
$(MODULES_HOST)/test_$(1): $(patsubst %.c,$(MODULES_HOST)/%.o,$(MODULES_TEST_$(1)))
	$$(HOST_CC) $$(HOST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
endef
$(foreach t,$(MODULES_TESTS),$(eval $(call MODULES_TEST_RULE,$(t))))
$(MODULES_HOST)/test_module_loader: $(MODULES_MODS)

HOST_TEST_BINS += $(addprefix $(MODULES_HOST)/test_,$(MODULES_TESTS))

# The 32-bit host runner: same registry, loader and profile code as the kernel, real RDTSC.
HOSTRUN_DIR  := $(BUILD)/host/hostrun
HOSTRUN      := $(HOSTRUN_DIR)/hostrun
HOSTRUN_BUILD := tools/hostrun/build.mk
include $(HOSTRUN_BUILD)
HOSTRUN_OBJS := $(patsubst %.c,$(HOSTRUN_DIR)/%.o,$(HOSTRUN_SRCS)) $(HOSTRUN_DIR)/registry.o
HOSTRUN_MAIN := $(HOSTRUN_DIR)/tools/hostrun/hostrun.o
HOSTRUN_CFLAGS := $(HOSTRUN_BASE_CFLAGS) $(WARNINGS) -MMD -MP

$(HOSTRUN_DIR)/%.o: %.c $(HOSTRUN_BUILD) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOSTRUN_CFLAGS) $(HOSTRUN_DEFS) -c -o $@ $<

$(HOSTRUN_DIR)/registry.o: $(MODULES_REGISTRY_C) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOSTRUN_CFLAGS) -c -o $@ $<

# hostrun.o carries the build id (git describe): it is recompiled whenever another runner
# object changes, so a relinked runner always names the sources it was built from.
$(HOSTRUN_MAIN): private HOSTRUN_DEFS = \
    -DHOSTRUN_BUILD_ID='"'"$$(git describe --always --dirty 2>/dev/null || echo unknown)"'"'
$(HOSTRUN_MAIN): $(filter-out $(HOSTRUN_MAIN),$(HOSTRUN_OBJS))

$(HOSTRUN): $(HOSTRUN_OBJS)
	$(HOST_CC) $(HOSTRUN_LDFLAGS) -o $@ $(filter %.o,$^)

HOST_TOOL_BINS += $(HOSTRUN)

PY_TESTS  += tests/modules/test_modules.py tests/kernel/bench/test_suite.py \
             tests/tools/test_profile_tool.py tests/kernel/bench/test_variants.py \
             tests/kernel/bench/test_planner_boot.py tests/kernel/bench/test_wisdom_boot.py
# Variant builds the adaptive tests put into the cache beside the embedded O2 ones.
MODULES_TEST_VARIANTS := $(MODULES_DIR)/O1/sum.mod $(MODULES_DIR)/O3/sum.mod \
                         $(MODULES_DIR)/O0/adapt_probe.mod $(MODULES_DIR)/O3-sse2/adapt_probe.mod
TEST_DEPS += $(HOSTRUN) $(MODULES_MODS) $(MODULES_BAD_MODS) $(MODULES_TEST_VARIANTS)
# Kept, not deleted as intermediates: make's "rm ..." line would follow the test summary.
.SECONDARY: $(MODULES_TEST_VARIANTS:.mod=.elf) $(MODULES_TEST_VARIANTS:.mod=.o)

# bench: real cycles of every module on this CPU, as a profile (build/bench/profile.json).
bench: $(HOSTRUN)
	@mkdir -p $(BUILD)/bench
	$(HOSTRUN) --calls 16 > $(BUILD)/bench/hostrun.log
	$(PYTHON) tools/fluid_profile.py extract $(BUILD)/bench/hostrun.log $(BUILD)/bench/profile.json
	$(PYTHON) tools/fluid_profile.py show $(BUILD)/bench/profile.json

.PHONY: bench

# The module loader's fuzz target (mk/fuzz.mk): mod_check, mod_place, mod_entry_addr on
# mutated .mod files, seeded from the built modules (good and deliberately bad) and
# hand-made corrupt ones (tools/fuzz_seeds.py).
MODULE_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS        += module
FUZZ_module_SRCS    := tests/kernel/bench/fuzz_module_loader.c kernel/bench/module_loader.c \
                       kernel/lib/crc32.c kernel/core/format.c
# 64 KiB: the built modules are a few KiB each; room to grow code and relocation tables.
FUZZ_module_MAX_LEN := 65536
FUZZ_module_SECONDS  = $(MODULE_FUZZ_SECONDS)

$(FUZZ_DIR)/module/seeds.done: $(MODULES_MODS) $(MODULES_BAD_MODS) tools/fuzz_seeds.py \
                               tools/fluid/modfmt.py $(ASM_OFFSETS) | $(SETUP_STAMP)
	$(PYTHON) tools/fuzz_seeds.py module $(@D)/seeds $(MODULES_MODS) $(MODULES_BAD_MODS)
	@touch $@

HOST_TOOL_BINS += $(FUZZ_DIR)/fuzz_module
TEST_DEPS      += $(FUZZ_DIR)/fuzz_module $(FUZZ_DIR)/module/seeds.done

# The variant manifest's fuzz target: manifest_parse on mutated text, seeded from a good
# manifest and one with a bad line of each kind (kernel/bench/manifest.h).
MANIFEST_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS          += manifest
FUZZ_manifest_SRCS    := tests/kernel/bench/fuzz_manifest.c kernel/bench/manifest.c \
                         kernel/core/format.c
# 64 KiB: MANIFEST_MAX_BYTES, so the size guard is reached as well.
FUZZ_manifest_MAX_LEN := 65537
FUZZ_manifest_SECONDS  = $(MANIFEST_FUZZ_SECONDS)

$(FUZZ_DIR)/manifest/seeds.done: | $(SETUP_STAMP)
	rm -rf $(@D)/seeds && mkdir -p $(@D)/seeds
	printf 'fluid-variants 1\nsha256 SHA256/V00.MOD 1a2b3c4d -O2 -march=pentium2\nfft_1d FFT_1D/V01.MOD ffffffff -O3 -msse2\n' > $(@D)/seeds/good
	printf '# c\nfluid-variants 1\nSHA ../X.MOD 1 -O2\nsha256 A/B.MOD zzzzzzzz -O3\nx A/B.MOD 00000000\n' > $(@D)/seeds/bad
	@touch $@

HOST_TOOL_BINS += $(FUZZ_DIR)/fuzz_manifest
TEST_DEPS      += $(FUZZ_DIR)/fuzz_manifest $(FUZZ_DIR)/manifest/seeds.done

# The wisdom file's fuzz target: wisdom_parse on mutated files, and on mutated bodies sealed
# with a true header (an odd first byte), seeded from a good file and bodies with bad lines
# (kernel/bench/wisdom.h).
WISDOM_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_TARGETS        += wisdom
FUZZ_wisdom_SRCS    := tests/kernel/bench/fuzz_wisdom.c kernel/bench/wisdom.c \
                       kernel/core/format.c kernel/lib/crc32.c
# One more than the file's size, so the size guard of a sealed body is reached as well.
FUZZ_wisdom_MAX_LEN := 8193
FUZZ_wisdom_SECONDS  = $(WISDOM_FUZZ_SECONDS)

$(FUZZ_DIR)/wisdom/seeds.done: tools/fluid/wisdom.py | $(SETUP_STAMP)
	rm -rf $(@D)/seeds && mkdir -p $(@D)/seeds
	PYTHONPATH=tools $(PYTHON) -m fluid.wisdom seeds $(@D)/seeds
	@touch $@

HOST_TOOL_BINS += $(FUZZ_DIR)/fuzz_wisdom
PY_TESTS       += tests/tools/test_wisdom_tool.py
TEST_DEPS      += $(FUZZ_DIR)/fuzz_wisdom $(FUZZ_DIR)/wisdom/seeds.done
