# Benchmark modules (issue 3): the modules themselves (rules in modules/rules.mk, shared with
# Makefile.modules), the generated registry linked into the kernel, the host runner and the
# host tests. Docs: docs/module-format.md, docs/profile-format.md.

MODULES_VARIANT ?= O2
include modules/rules.mk

# The registry (embedded .mod bytes + expected answers) is part of the kernel image.
MODULES_REGISTRY_O := $(BUILD)/i686/gen/modules_registry.o
KERNEL_EXTRA_OBJS  += $(MODULES_REGISTRY_O)
$(KERNEL_ELF): $(MODULES_REGISTRY_O)    # kernel.mk read its prerequisites before this file
$(MODULES_REGISTRY_O): $(MODULES_REGISTRY_C) kernel/bench/suite_registry.h | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(CC) $(I686_CFLAGS) -c -o $@ $<

# Host tests of the loader and the JSON writer (the loader test also reads the built modules).
MODULES_HOST := $(BUILD)/host/modules
$(MODULES_HOST)/test_module_loader: tests/kernel/bench/test_module_loader.c kernel/bench/module_loader.c \
                                    kernel/core/format.c $(MODULES_MODS) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) $(HOST_LDFLAGS)

$(MODULES_HOST)/test_json: tests/kernel/bench/test_json.c kernel/bench/json.c kernel/core/format.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) $(HOST_LDFLAGS)

$(MODULES_HOST)/test_module_suite: tests/kernel/bench/test_module_suite.c kernel/bench/suite_run.c \
        kernel/bench/suite_stats.c kernel/bench/module_loader.c kernel/bench/profile.c kernel/bench/json.c \
        kernel/bench/fprof.c kernel/core/format.c kernel/lib/sort.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) $(HOST_LDFLAGS)

HOST_TEST_BINS += $(MODULES_HOST)/test_module_loader $(MODULES_HOST)/test_json \
                  $(MODULES_HOST)/test_module_suite

# The 32-bit host runner: same registry, loader and profile code as the kernel, real RDTSC.
HOSTRUN := $(BUILD)/host/hostrun/hostrun
HOSTRUN_SRCS := tools/hostrun/hostrun.c kernel/bench/module_loader.c kernel/core/format.c kernel/bench/json.c \
                kernel/bench/suite_stats.c kernel/bench/suite_run.c kernel/bench/profile.c kernel/bench/fprof.c \
                kernel/lib/sort.c
$(HOSTRUN): $(HOSTRUN_SRCS) $(MODULES_REGISTRY_C) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) -m32 -msse2 -O2 -g -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -I. -Iinclude -MMD -MP \
	    -DHOSTRUN_BUILD_ID='"'"$$(git describe --always --dirty 2>/dev/null || echo unknown)"'"' \
	    -o $@ $(HOSTRUN_SRCS) $(MODULES_REGISTRY_C)

PY_TESTS  += tests/modules/test_modules.py tests/kernel/bench/test_suite.py \
             tests/tools/test_profile_tool.py
TEST_DEPS += $(HOSTRUN) $(MODULES_MODS) $(MODULES_BAD_MODS)

# bench: real cycles of every module on this CPU, as a profile (build/bench/profile.json).
bench: $(HOSTRUN)
	@mkdir -p $(BUILD)/bench
	$(HOSTRUN) --calls 16 > $(BUILD)/bench/hostrun.log
	$(PYTHON) tools/fluid_profile.py extract $(BUILD)/bench/hostrun.log $(BUILD)/bench/profile.json
	$(PYTHON) tools/fluid_profile.py show $(BUILD)/bench/profile.json

.PHONY: bench
