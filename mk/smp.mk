# kernel/smp (docs/smp.md): the pure start-up rules and the kernel's SMP worker pool built for
# the host with ASan/UBSan and their unit test; the local APIC driver in both modes over a fake
# register backend (test_lapic); the QEMU boots of both kernels with several CPUs.
#   make smp-test          the host tests alone
#   make test-smp-matrix   the x86-64 kernel on -M pc and -M q35 with -smp 1, 2, 4 and 8 alone
#   make test-bochs        every Bochs boot of both kernels, xAPIC and x2APIC (docs/bochs.md)

SMP_HOST_DIR := $(BUILD)/host/smp
SMP_BIN      := $(SMP_HOST_DIR)/test_smp
SMP_SRCS     := kernel/smp/ap_boot.c kernel/llm/pool_smp.c kernel/llm/llm_pool.c \
                tests/kernel/smp/test_smp.c

$(SMP_HOST_DIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

$(SMP_BIN): $(patsubst %.c,$(SMP_HOST_DIR)/%.o,$(SMP_SRCS))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

# lapic.c and the start-up IPIs; the test supplies the lapic_hw.h
# calls (a recording fake), smp_delay_us and kprintf.
LAPIC_BIN    := $(SMP_HOST_DIR)/test_lapic
LAPIC_SRCS   := kernel/arch/x86/lapic.c kernel/smp/ap_ipi.c \
                tests/kernel/smp/test_lapic.c

$(LAPIC_BIN): $(patsubst %.c,$(SMP_HOST_DIR)/%.o,$(LAPIC_SRCS))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

HOST_TEST_BINS += $(SMP_BIN) $(LAPIC_BIN)
PY_TESTS       += tests/kernel/smp/test_smp_boot.py tests/kernel/smp/test_bochs_boot.py
TEST_DEPS      += $(IMAGE) $(KERNEL64_IMG) $(STAGE1_BIN) $(STAGE2_BIN)

# smp-test: build and run only the host tests of kernel/smp and the local APIC.
smp-test: $(SMP_BIN) $(LAPIC_BIN)
	$(PYTHON) tests/run.py --bin $(SMP_BIN)
	$(PYTHON) tests/run.py --bin $(LAPIC_BIN)

# test-smp-matrix: the x86-64 kernel on -M pc and -M q35 with -smp 1, 2, 4 and 8, each giving
# the reference tokens with that many workers; the same boots as in make test, alone (about
# 30 s on 2 cores).
test-smp-matrix: $(IMAGE) $(KERNEL64_IMG) $(STAGE1_BIN) $(STAGE2_BIN)
	$(PYTHON) tests/run.py -k matrix --py tests/kernel/smp/test_smp_boot.py

# test-bochs: both kernels under Bochs, the boots of make test and the longer ones beside them
# (1, 2 and 4 CPUs, xAPIC and x2APIC; about 25 s on 2 cores).
test-bochs: $(IMAGE) $(KERNEL64_IMG) $(STAGE1_BIN) $(STAGE2_BIN)
	FLUID_BOCHS_ALL=1 $(PYTHON) tests/run.py -j2 --py tests/kernel/smp/test_bochs_boot.py

.PHONY: smp-test test-smp-matrix test-bochs
