# QEMU boot tests and image tests (tests/qemu/), run by `make test` after the image is built.
PY_TESTS += tests/qemu/test_image.py tests/qemu/test_boot.py tests/qemu/test_boot_failures.py \
            tests/qemu/test_boot_paths.py tests/qemu/test_kernel.py
# The tools' package against the generated C constants (tests/tools/).
PY_TESTS += tests/tools/test_layout.py
