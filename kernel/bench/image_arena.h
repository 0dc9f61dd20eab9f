/* The pages module images are placed in while their module runs (kernel/bench/suite.c): a
 * fixed region cut into IMAGE_ARENA_PAGE pages, one map byte per page, first fit. Images may
 * be freed in any order (a retired candidate's image leaves from the middle while the others
 * stay, docs/adaptive.md), and a freed run is found again by the next image that fits in it.
 * Every image starts on its own page: ring-3 rights are per page (Intel SDM vol. 3A §4.6).
 * Pure (kernel, host tests): the caller owns the region and the map. */
#ifndef FLUID_KERNEL_IMAGE_ARENA_H
#define FLUID_KERNEL_IMAGE_ARENA_H

#include <fluid/types.h>

#define IMAGE_ARENA_PAGE 4096u

/* Every result of this subsystem. */
enum image_arena_err {
    IMAGE_ARENA_OK = 0,
    IMAGE_ARENA_E_OUTSIDE,      /* the pointer is not a page of the region */
    IMAGE_ARENA_E_UNALIGNED,    /* the pointer is not at a page's start */
    IMAGE_ARENA_E_NOT_IN_USE,   /* a page of the run is free already */
    IMAGE_ARENA_E_SIZE,         /* the run goes past the region's end */
};

struct image_arena {
    uint8_t *base;              /* page-aligned region of `pages` pages */
    uint32_t pages;
    uint8_t *map;               /* one byte per page: 0 free, 1 in use */
    uint32_t in_use;            /* pages in use */
};

/* Pages a size takes (at least one: an empty image still gets its own page), computed in
 * 64 bits so that no size wraps. */
uint64_t image_arena_pages_for(uint64_t size);

/* The region base[0 .. pages * IMAGE_ARENA_PAGE), every page free; map has `pages` bytes. */
void image_arena_init(struct image_arena *a, uint8_t *base, uint32_t pages, uint8_t *map);

/* The lowest run of free pages that holds `size` bytes, now in use; NULL when none does. */
void *image_arena_alloc(struct image_arena *a, uint64_t size);

/* Frees the pages of an image of `size` bytes at mem (from image_arena_alloc); checks that
 * they are pages of the region and in use, and changes nothing otherwise. */
enum image_arena_err image_arena_free(struct image_arena *a, void *mem, uint64_t size);

/* A short description of an enum image_arena_err value; "unknown image arena error" outside it. */
const char *image_arena_strerror(enum image_arena_err err);

#endif
