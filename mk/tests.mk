# QEMU boot tests and image tests, run by `make test` after the image is built: the boot chain
# and the disk image (tests/boot/), the kernel core booted (tests/kernel/core/).
PY_TESTS += tests/boot/test_image.py tests/boot/test_boot.py tests/boot/test_boot_failures.py \
            tests/boot/test_boot_paths.py tests/kernel/core/test_kernel.py
# The tools' package against the generated C constants (tests/tools/).
PY_TESTS += tests/tools/test_layout.py
