# libFuzzer targets (docs/building.md, "Fuzzing"): the build and run rules every target
# shares. A subsystem's fragment joins with
#     FUZZ_TARGETS        += NAME
#     FUZZ_NAME_SRCS      := the harness and the sources it exercises (one object each)
#     FUZZ_NAME_MAX_LEN   := the largest input libFuzzer may make, in bytes
#     FUZZ_NAME_SECONDS    = how long `make fuzz` runs it: its own NAME_FUZZ_SECONDS ?=
#                            $(FUZZ_SECONDS), so one target can be given more time
#     $(FUZZ_DIR)/NAME/seeds.done: a rule that writes the seed corpus into
#                            $(FUZZ_DIR)/NAME/seeds (from real inputs, at build time)
# and adds $(FUZZ_DIR)/fuzz_NAME to HOST_TOOL_BINS and TEST_DEPS, with its seeds.done.
# Everything a target makes lives under $(FUZZ_DIR)/NAME: seeds, the corpus libFuzzer grows
# (kept between runs), and crashes/, where an input that crashed, hung or leaked is written.
# The per-target variables are read when a rule runs, so fragments read after this one join
# the same way as those before it.

# Run time of each target under `make fuzz`, in seconds, unless the target has its own.
FUZZ_SECONDS ?= 60
# Seconds one input may take before libFuzzer calls it a hang.
FUZZ_TIMEOUT := 10
FUZZ_OBJ     := $(FUZZ_DIR)/obj
FUZZ_SANITIZERS := -fsanitize=fuzzer,address,undefined
FUZZ_CFLAGS  := -I. -Iinclude -O1 -g -std=c11 $(WARNINGS) -MMD -MP -D_GNU_SOURCE \
                $(FUZZ_SANITIZERS) -fno-sanitize-recover=all

# One object per source, shared by every target that lists it (same flags for all). Kept:
# the programs name them only through secondary expansion, which would make them
# intermediate files that make deletes after each build.
$(FUZZ_OBJ)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(FUZZ_CFLAGS) -c -o $@ $<
.PRECIOUS: $(FUZZ_OBJ)/%.o

# Target $(1)'s objects (a function: a % written in the pattern rule would be its stem).
fuzz_objs = $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(FUZZ_$(1)_SRCS))

$(FUZZ_DIR)/fuzz_%: $$(call fuzz_objs,$$*)
	$(HOST_CC) $(FUZZ_SANITIZERS) -o $@ $(filter %.o,$^) -lm

# The libFuzzer command for target $(1), run for $(2) seconds: the corpus first (libFuzzer
# adds new inputs to its first directory), the seeds after it.
fuzz_run = $(FUZZ_DIR)/fuzz_$(1) -max_total_time=$(2) -max_len=$(FUZZ_$(1)_MAX_LEN) \
           -timeout=$(FUZZ_TIMEOUT) -artifact_prefix=$(FUZZ_DIR)/$(1)/crashes/ \
           $(FUZZ_DIR)/$(1)/corpus $(FUZZ_DIR)/$(1)/seeds
fuzz_dirs = mkdir -p $(FUZZ_DIR)/$(1)/corpus $(FUZZ_DIR)/$(1)/crashes

# fuzz-%: one fuzz target alone for its seconds: fuzz-NAME, NAME from FUZZ_TARGETS.
fuzz-%: $(FUZZ_DIR)/fuzz_% $(FUZZ_DIR)/%/seeds.done
	@$(call fuzz_dirs,$*)
	$(call fuzz_run,$*,$(FUZZ_$*_SECONDS))

# fuzz: every fuzz target in turn, FUZZ_SECONDS (60) each; fails if one finds a crash.
# A target's own NAME_FUZZ_SECONDS overrides FUZZ_SECONDS, and the run takes the sum. A crash
# is any crash, hang, leak or sanitizer report; the targets that found one are named.
fuzz: $$(addprefix $(FUZZ_DIR)/fuzz_,$$(FUZZ_TARGETS)) \
      $$(patsubst %,$(FUZZ_DIR)/%/seeds.done,$$(FUZZ_TARGETS))
	@failed=; \
	$(foreach t,$(FUZZ_TARGETS),echo "fuzz: $(t) for $(FUZZ_$(t)_SECONDS) s"; \
	    { $(call fuzz_dirs,$(t)) && $(call fuzz_run,$(t),$(FUZZ_$(t)_SECONDS)); } || \
	    failed="$$failed $(t)";) \
	if [ -n "$$failed" ]; then \
	    echo "fuzz: failed:$$failed (inputs in $(FUZZ_DIR)/<target>/crashes/)"; exit 1; fi; \
	echo "fuzz: $(words $(FUZZ_TARGETS)) targets, no crash"

# `make test` builds every target and runs it over its seeds only (tests/build/test_fuzz.py).
PY_TESTS += tests/build/test_fuzz.py

.PHONY: fuzz
