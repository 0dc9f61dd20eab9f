# QEMU boot tests and image tests (tests/qemu/), run by `make test` after the image is built,
# and the build's own checks (tests/build/).
PY_TESTS += tests/qemu/test_image.py tests/qemu/test_boot.py tests/qemu/test_boot_failures.py \
            tests/qemu/test_boot_paths.py tests/qemu/test_kernel.py
PY_TESTS += tests/build/test_header_deps.py tests/build/test_make.py
