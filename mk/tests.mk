# QEMU boot tests and image tests, run by `make test` after the image is built: the boot chain
# and the disk image (tests/boot/), the kernel core booted (tests/kernel/core/); and the build's
# own checks (tests/build/).
PY_TESTS += tests/boot/test_image.py tests/boot/test_boot.py tests/boot/test_boot_failures.py \
            tests/boot/test_boot_paths.py tests/kernel/core/test_kernel.py
# The tools' package against the generated C constants, and its strict JSON check (tests/tools/).
PY_TESTS += tests/tools/test_layout.py tests/tools/test_qemu_log.py tests/tools/test_bochs_log.py
PY_TESTS += tests/kernel/drivers/test_bios_boot.py tests/kernel/bench/test_profile_disk.py
PY_TESTS += tests/build/test_header_deps.py tests/build/test_make.py
