# libs/llvmlibc: string and math functions for freestanding code, built six ways from the
# same sources (math/x87 or math/sse2 supplies sqrt/sqrtf per build):
#   $(BUILD)/i686/libllvmlibc.a       kernel flags, x87 floats (appended to KERNEL_LIBS)
#   $(BUILD)/i686-sse2/libllvmlibc.a  kernel flags with -msse2 -mfpmath=sse (benchmark modules)
#   $(BUILD)/x86_64/libllvmlibc.a     x86-64 freestanding, -mno-red-zone, SSE2
#   host (ASan/UBSan), host32 (-m32 -march=pentium2 -mno-sse, x87 like the kernel) and
#   hostopt (-O2) builds with llvmlibc_-prefixed names (LLVMLIBC_HOST_NAMES), for tests and
#   benchmarks.
# Users compile with $(LLVMLIBC_INCLUDE) to get <string.h> and <math.h>.

LLVMLIBC_DIR      := libs/llvmlibc
LLVMLIBC_INCLUDE  := -I$(LLVMLIBC_DIR)/include
LLVMLIBC_CPPFLAGS := -I$(LLVMLIBC_DIR)/include -I$(LLVMLIBC_DIR)/src
LLVMLIBC_COMMON   := $(wildcard $(LLVMLIBC_DIR)/src/string/*.c $(LLVMLIBC_DIR)/src/math/*.c)
LLVMLIBC_SRCS_X87  := $(LLVMLIBC_COMMON) $(wildcard $(LLVMLIBC_DIR)/src/math/x87/*.c)
LLVMLIBC_SRCS_SSE2 := $(LLVMLIBC_COMMON) $(wildcard $(LLVMLIBC_DIR)/src/math/sse2/*.c)

LLVMLIBC_RESOURCE_INC     = -isystem $(CLANG_RESOURCE_DIR)/include
LLVMLIBC_FLAGS_i686       = $(I686_CFLAGS)
LLVMLIBC_FLAGS_i686-sse2  = $(filter-out -mno-sse -mno-sse2,$(I686_CFLAGS)) -msse2 -mfpmath=sse
# x86-64: leaf functions without a frame pointer (three instructions a call), as glibc's.
LLVMLIBC_FLAGS_x86_64     = --target=x86_64-elf -ffreestanding -fno-builtin -fno-stack-protector \
                            -fomit-frame-pointer \
                            -fno-pic -fno-common -fno-asynchronous-unwind-tables -mno-red-zone \
                            -nostdinc $(LLVMLIBC_RESOURCE_INC) -O2 -g -std=c11 $(WARNINGS) -MMD -MP
LLVMLIBC_HOST_DEFS       := -fno-builtin
# The host library builds only: memcpy, sinf, ... are defined as llvmlibc_memcpy, ...
LLVMLIBC_HOST_NAMES      := -include tests/lib/llvmlibc_host_names.h
LLVMLIBC_NAMES_host      := $(LLVMLIBC_HOST_NAMES)
LLVMLIBC_NAMES_host32    := $(LLVMLIBC_HOST_NAMES)
LLVMLIBC_NAMES_hostopt   := $(LLVMLIBC_HOST_NAMES)
LLVMLIBC_FLAGS_host      := $(HOST_CFLAGS) $(LLVMLIBC_HOST_DEFS)
LLVMLIBC_FLAGS_host32    := -m32 -march=pentium2 -mno-sse -mno-sse2 -O2 -g -std=c11 $(WARNINGS) \
                            -MMD -MP -D_GNU_SOURCE -I. -Iinclude $(LLVMLIBC_HOST_DEFS)
LLVMLIBC_FLAGS_hostopt   := -O2 -g -std=c11 $(WARNINGS) -MMD -MP -D_GNU_SOURCE -I. -Iinclude \
                            $(LLVMLIBC_HOST_DEFS)

# $(1): build name, $(2): sources, $(3): archive path. Flags come from LLVMLIBC_FLAGS_$(1)
# (passed by name: HOST_CFLAGS contains a comma).
define LLVMLIBC_BUILD
LLVMLIBC_OBJS_$(1) := $$(patsubst $(LLVMLIBC_DIR)/%.c,$(BUILD)/llvmlibc/$(1)/%.o,$(2))
$(BUILD)/llvmlibc/$(1)/%.o: $(LLVMLIBC_DIR)/%.c | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(CC) $$(LLVMLIBC_FLAGS_$(1)) $$(LLVMLIBC_NAMES_$(1)) $$(LLVMLIBC_CPPFLAGS) -c -o $$@ $$<
$(3): $$(LLVMLIBC_OBJS_$(1))
	@mkdir -p $$(@D)
	@rm -f $$@
	llvm-ar rcs $$@ $$^
endef

LLVMLIBC_LIB_i686      := $(BUILD)/i686/libllvmlibc.a
LLVMLIBC_LIB_i686-sse2 := $(BUILD)/i686-sse2/libllvmlibc.a
LLVMLIBC_LIB_x86_64    := $(BUILD)/x86_64/libllvmlibc.a
LLVMLIBC_LIB_host      := $(BUILD)/llvmlibc/host/libllvmlibc.a
LLVMLIBC_LIB_host32    := $(BUILD)/llvmlibc/host32/libllvmlibc.a
LLVMLIBC_LIB_hostopt   := $(BUILD)/llvmlibc/hostopt/libllvmlibc.a

$(eval $(call LLVMLIBC_BUILD,i686,$(LLVMLIBC_SRCS_X87),$(LLVMLIBC_LIB_i686)))
$(eval $(call LLVMLIBC_BUILD,i686-sse2,$(LLVMLIBC_SRCS_SSE2),$(LLVMLIBC_LIB_i686-sse2)))
$(eval $(call LLVMLIBC_BUILD,x86_64,$(LLVMLIBC_SRCS_SSE2),$(LLVMLIBC_LIB_x86_64)))
$(eval $(call LLVMLIBC_BUILD,host,$(LLVMLIBC_SRCS_SSE2),$(LLVMLIBC_LIB_host)))
$(eval $(call LLVMLIBC_BUILD,host32,$(LLVMLIBC_SRCS_X87),$(LLVMLIBC_LIB_host32)))
$(eval $(call LLVMLIBC_BUILD,hostopt,$(LLVMLIBC_SRCS_SSE2),$(LLVMLIBC_LIB_hostopt)))

KERNEL_LIBS += $(LLVMLIBC_LIB_i686)
LLVMLIBC_FREESTANDING_LIBS := $(LLVMLIBC_LIB_i686) $(LLVMLIBC_LIB_i686-sse2) $(LLVMLIBC_LIB_x86_64)

# ---------------------------------------------------------------------------------------
# Tests. Each test program is built twice: host (64-bit, ASan/UBSan, SSE2 math) and host32
# (x87 math compiled like the kernel); both link the matching library build. The exhaustive
# checker and the benchmark build the same way, hostopt by default.
LLVMLIBC_TDIR := tests/libs/llvmlibc
LLVMLIBC_TEST_NAMES := test_llvmlibc_string test_llvmlibc_math
LLVMLIBC_TEST_LIBS := -lm -lpthread

LLVMLIBC_TEST_PROGS := $(LLVMLIBC_TEST_NAMES) exhaustive bench

# $(1): build name (host, host32 or hostopt), $(2): link flags. Each program is its own source
# plus accuracy.c, one object each under $(BUILD)/host/llvmlibc/$(1)/$(LLVMLIBC_TDIR)/.
define LLVMLIBC_TEST_BUILD
$(BUILD)/host/llvmlibc/$(1)/$(LLVMLIBC_TDIR)/%.o: $(LLVMLIBC_TDIR)/%.c | $(SETUP_STAMP)
	@mkdir -p $$(@D)
	$$(CC) $$(LLVMLIBC_FLAGS_$(1)) -c -o $$@ $$<
$(addprefix $(BUILD)/host/llvmlibc/$(1)/,$(LLVMLIBC_TEST_PROGS)): $(BUILD)/host/llvmlibc/$(1)/%: \
        $(BUILD)/host/llvmlibc/$(1)/$(LLVMLIBC_TDIR)/%.o \
        $(BUILD)/host/llvmlibc/$(1)/$(LLVMLIBC_TDIR)/accuracy.o $(LLVMLIBC_LIB_$(1))
	$$(CC) -o $$@ $$(filter %.o %.a,$$^) $(2) $$(LLVMLIBC_TEST_LIBS)
endef
$(eval $(call LLVMLIBC_TEST_BUILD,host,$(HOST_LDFLAGS)))
$(eval $(call LLVMLIBC_TEST_BUILD,host32,-m32))
$(eval $(call LLVMLIBC_TEST_BUILD,hostopt,))

HOST_TEST_BINS += $(foreach t,$(LLVMLIBC_TEST_NAMES),$(BUILD)/host/llvmlibc/host/$(t) \
                                                     $(BUILD)/host/llvmlibc/host32/$(t))
HOST_TOOL_BINS += $(BUILD)/host/llvmlibc/hostopt/exhaustive $(BUILD)/host/llvmlibc/hostopt/bench
PY_TESTS       += $(LLVMLIBC_TDIR)/test_llvmlibc_tables.py
TEST_DEPS      += $(LLVMLIBC_FREESTANDING_LIBS)

# llvmlibc: every build of the library, freestanding and host.
# tests/libs/llvmlibc/test_llvmlibc_tables.py checks the freestanding ones for undefined symbols.
llvmlibc: $(LLVMLIBC_FREESTANDING_LIBS) $(LLVMLIBC_LIB_host) $(LLVMLIBC_LIB_host32)

LLVMLIBC_EXH_ARCH ?= $(or $(ARCH),hostopt)

# test-math-exhaustive: every float input of each float function against correct rounding.
# Each one-argument float function; FUNCS= picks functions, ARCH=host32 checks the x87 build.
test-math-exhaustive: $(BUILD)/host/llvmlibc/$(LLVMLIBC_EXH_ARCH)/exhaustive
	$< $(FUNCS)

# bench-libm: cycles per call (host rdtsc) of ours against glibc, same run.
bench-libm: $(BUILD)/host/llvmlibc/hostopt/bench
	$<

.PHONY: llvmlibc test-math-exhaustive bench-libm
