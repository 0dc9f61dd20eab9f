# Module cache and profile-guided recompile loop (docs/pgo.md). The kernel side
# (kernel/bench/cache.c, kernel/bench/cache_stage.c) builds with the kernel from kernel/bench/;
# here are the PGO make targets, all driven by tools/pgo.py, and the tests.
# PGO_CLOCK=icount|host|log|disk (PGO_LOG=serial.log for log; PGO_DISK=/dev/sdX or an image
# for disk: the profile the kernel saved to the stick), PGO_SELECT=host|icount, PGO_IMAGE=
# the image or stick pgo-apply writes the cache to (default fluid.img).

PGO_CLOCK  ?= icount
PGO_SELECT ?= host
PGO_LOG    ?=
PGO_DISK   ?=
PGO_IMAGE  ?=
PGO        := $(PYTHON) tools/pgo.py --clock $(PGO_CLOCK) --select $(PGO_SELECT) \
              $(if $(PGO_LOG),--log $(PGO_LOG)) $(if $(PGO_DISK),--disk $(PGO_DISK)) \
              $(if $(PGO_IMAGE),--image $(PGO_IMAGE))
PGO_TOOLS  := tools/pgo.py tools/pgo_dump.c $(wildcard tools/fluid/*.py tools/fluid/pgo/*.py)
# What every PGO step needs: the image, the module libc of both SSE settings, the runner sources.
PGO_DEPS   := $(IMAGE) $(BUILD)/i686/libllvmlibc.a $(BUILD)/i686-sse2/libllvmlibc.a $(PGO_TOOLS)

# pgo-profile: boot fluid.img headless (-icount), profile into build/pgo/profile.json.
pgo-profile: $(PGO_DEPS)
	$(PGO) profile

# pgo-analyze: per module: share, calls, proposed build and reason (candidates measured).
pgo-analyze: $(PGO_DEPS)
	$(PGO) analyze

# pgo-apply: proposed builds -> cache/i686/*.mod, fluid.img's /CACHE/I686 and cache.img.
pgo-apply: $(PGO_DEPS)
	$(PGO) apply

# pgo-loop: baseline, then analyze -> apply -> profile until < 2% better; the report.
pgo-loop: $(PGO_DEPS)
	$(PGO) loop

# bench-pgo: the loop, then -O2 vs final per module in host cycles and -icount instructions.
bench-pgo: $(PGO_DEPS)
	$(PGO) loop
	$(PGO) bench

# bench-adaptive: -O2 vs best uniform build vs the flags x parameters x profile search, host cycles.
bench-adaptive: $(PGO_DEPS)
	$(PYTHON) tools/pgo.py adaptive

# pgo-clean: empty the cache again (cache/i686, fluid.img's partition, cache.img).
pgo-clean: $(PGO_DEPS)
	$(PGO) clean

.PHONY: pgo-profile pgo-analyze pgo-apply pgo-loop bench-pgo bench-adaptive pgo-clean

PY_TESTS  += tests/tools/test_pgo.py tests/tools/test_params.py
TEST_DEPS += $(BUILD)/i686/libllvmlibc.a $(BUILD)/i686-sse2/libllvmlibc.a
# test_params.py runs the planner over these two builds of sum (their objects kept, as the
# adaptive tests' variants are in mk/modules.mk).
PGO_TEST_VARIANTS := $(BUILD)/modules/O0/sum.mod $(BUILD)/modules/O3-sse2/sum.mod
TEST_DEPS += $(PGO_TEST_VARIANTS)
.SECONDARY: $(PGO_TEST_VARIANTS:.mod=.elf) $(PGO_TEST_VARIANTS:.mod=.o)
