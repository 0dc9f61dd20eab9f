/* Module images' pages (contract in image_arena.h): a byte per page, first fit. */
#include "kernel/bench/image_arena.h"

#include <string.h>

uint64_t image_arena_pages_for(uint64_t size)
{
    uint64_t n = size / IMAGE_ARENA_PAGE + (size % IMAGE_ARENA_PAGE != 0);
    return n ? n : 1;
}

void image_arena_init(struct image_arena *a, uint8_t *base, uint32_t pages, uint8_t *map)
{
    a->base = base;
    a->pages = pages;
    a->map = map;
    a->in_use = 0;
    memset(map, 0, pages);
}

void *image_arena_alloc(struct image_arena *a, uint64_t size)
{
    uint64_t need = image_arena_pages_for(size);
    if (need > a->pages)
        return NULL;
    uint32_t run = 0;
    for (uint32_t p = 0; p < a->pages; p++) {
        run = a->map[p] ? 0 : run + 1;
        if (run == need) {
            uint32_t first = p + 1 - run;
            memset(a->map + first, 1, run);
            a->in_use += run;
            return a->base + (uint64_t)first * IMAGE_ARENA_PAGE;
        }
    }
    return NULL;
}

enum image_arena_err image_arena_free(struct image_arena *a, void *mem, uint64_t size)
{
    uintptr_t at = (uintptr_t)mem, base = (uintptr_t)a->base;
    if (at < base || at - base >= (uint64_t)a->pages * IMAGE_ARENA_PAGE)
        return IMAGE_ARENA_E_OUTSIDE;
    if ((at - base) % IMAGE_ARENA_PAGE)
        return IMAGE_ARENA_E_UNALIGNED;
    uint64_t first = (at - base) / IMAGE_ARENA_PAGE, n = image_arena_pages_for(size);
    if (first + n > a->pages)
        return IMAGE_ARENA_E_SIZE;
    for (uint64_t p = first; p < first + n; p++)
        if (!a->map[p])
            return IMAGE_ARENA_E_NOT_IN_USE;
    memset(a->map + first, 0, (size_t)n);
    a->in_use -= (uint32_t)n;
    return IMAGE_ARENA_OK;
}

const char *image_arena_strerror(enum image_arena_err err)
{
    switch (err) {
    case IMAGE_ARENA_OK:            return "ok";
    case IMAGE_ARENA_E_OUTSIDE:     return "not a page of the arena";
    case IMAGE_ARENA_E_UNALIGNED:   return "not at the start of a page";
    case IMAGE_ARENA_E_NOT_IN_USE:  return "pages not in use";
    case IMAGE_ARENA_E_SIZE:        return "run past the arena's end";
    }
    return "unknown image arena error";
}
