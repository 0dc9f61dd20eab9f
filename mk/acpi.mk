# kernel/acpi (docs/acpi.md): the ACPI and MP table parsers built for the host with ASan/UBSan
# and their unit tests over synthetic firmware (tests/kernel/acpi/fake_firmware.c; the log is
# kept by tests/lib/kernel_stubs.c); the QEMU boots that count the CPUs of both kernels.

ACPI_HOST_DIR := $(BUILD)/host/acpi
ACPI_TESTS    := test_acpi test_mptable
ACPI_BINS     := $(addprefix $(ACPI_HOST_DIR)/,$(ACPI_TESTS))
# The parser (every file of kernel/acpi but the kernel side, stage.c) and the fake firmware.
ACPI_PURE_SRCS := kernel/acpi/mem.c kernel/acpi/rsdp.c kernel/acpi/sdt.c kernel/acpi/madt.c \
                  kernel/acpi/mptable.c kernel/acpi/cpus.c
ACPI_TEST_SRCS := tests/kernel/acpi/fake_firmware.c tests/lib/kernel_stubs.c

$(ACPI_HOST_DIR)/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<

# Static pattern: every object is named, so make keeps them (no intermediate files).
$(ACPI_BINS): $(ACPI_HOST_DIR)/%: $(ACPI_HOST_DIR)/tests/kernel/acpi/%.o \
        $(patsubst %.c,$(ACPI_HOST_DIR)/%.o,$(ACPI_PURE_SRCS) $(ACPI_TEST_SRCS))
	$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

HOST_TEST_BINS += $(ACPI_BINS)
PY_TESTS       += tests/kernel/acpi/test_acpi_boot.py
TEST_DEPS      += $(IMAGE) $(KERNEL64_IMG) $(STAGE1_BIN) $(STAGE2_BIN)

# acpi-test: build and run only the ACPI parser's host tests.
acpi-test: $(ACPI_BINS)
	$(PYTHON) tests/run.py --bin $(ACPI_BINS)

.PHONY: acpi-test
