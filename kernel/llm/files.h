/* Whole-file reads from the partition holding /MODELS (kernel/llm/files.c), for the LLM stage. */
#ifndef FLUID_KERNEL_LLM_FILES_H
#define FLUID_KERNEL_LLM_FILES_H

#include <fluid/bootinfo.h>

#include "kernel/fs/fat16.h"

#define LLM_PATH_MAX        96

/* Mounts the FAT16 volume with a /MODELS directory (kernel/fs/volume.h says which one) and
 * logs "llm: models on DISK". Returns false (logged) if there is none. */
bool llm_files_mount(const struct boot_info *bi);

/* Reads the whole file `name` (under /MODELS unless it contains '/') into a new heap buffer (64-byte aligned, NUL-terminated one byte past
 * the end) and stores its length; NULL (logged, unless the file is absent and
 * quiet_if_absent) on failure. The caller frees it. */
void *llm_file_read(const char *name, size_t *len, bool quiet_if_absent);

#endif
