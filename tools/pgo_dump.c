/* Counter dump for instrumented PGO builds (docs/pgo.md, tools/fluid/pgo/build.py). Linked into a
 * copy of the host runner (tools/hostrun) with -Wl,--wrap=munmap: the runner releases each
 * module's image with munmap once its calls are done, and this wrapper first writes the
 * image to $FLUID_PGO_DUMP_DIR/<n>.img (n = 0, 1, ... in registry order). The image then
 * holds the module's __llvm_prf_cnts counters after every call, which tools/fluid/pgo/profraw.py
 * turns into a .profraw for llvm-profdata. Without FLUID_PGO_DUMP_DIR it only unmaps. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int __real_munmap(void *addr, size_t len);

int __wrap_munmap(void *addr, size_t len)
{
    static unsigned seq;
    const char *dir = getenv("FLUID_PGO_DUMP_DIR");
    if (dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%u.img", dir, seq++);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(addr, 1, len, f) != len)
            fprintf(stderr, "pgo_dump: cannot write %s\n", path);
        if (f)
            fclose(f);
    }
    return __real_munmap(addr, len);
}
