/* Host tests of the .mod loader (kernel/bench/module_loader.c): one test per rejection rule, a
 * placed module's relocations and bss, the diagnostic text, every truncation and every
 * single-byte corruption of a valid module, random headers (with and without a correct
 * header CRC), and the real modules built by tools/mkmod.py (so the C and Python views of
 * the format agree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/module_loader.h"

/* CHECK with a message: check.h's CHECK puts #cond after the caller's arguments. */
#define CHECKF(cond, ...)                                                   \
    do {                                                                    \
        if (!(cond)) CHECK_FAIL_(__VA_ARGS__);                              \
    } while (0)

#define ALL_FEATURES   FLUID_FEAT_KNOWN
#define RUN_ADDR       0x00400000u
#define CODE_SIZE      64
#define DATA_SIZE      32
#define BSS_SIZE       48
#define NRELOCS        2
#define RANDOM_ROUNDS  20000

/* A valid module in memory: code 0xC3.., a data word at data+0 holding 0x10 (relocated),
 * a code word at offset 4 holding 0x40 (relocated). */
struct fixture {
    uint8_t bytes[sizeof(struct fluid_mod_header) + CODE_SIZE + DATA_SIZE + 4 * NRELOCS];
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void seal(struct fixture *f)
{
    struct fluid_mod_header *h = (struct fluid_mod_header *)f->bytes;
    h->body_crc32 = mod_crc32(f->bytes + sizeof *h, sizeof f->bytes - sizeof *h);
    h->header_crc32 = mod_crc32(f->bytes, FLUID_MOD_HEADER_CRC_SPAN);
}

static struct fluid_mod_header *make(struct fixture *f)
{
    struct fluid_mod_header *h = (struct fluid_mod_header *)f->bytes;
    uint8_t *body = f->bytes + sizeof *h;
    memset(f, 0, sizeof *f);
    h->magic = FLUID_MOD_MAGIC;
    h->format_version = FLUID_MOD_FORMAT_VERSION;
    h->header_size = sizeof *h;
    strcpy(h->name, "sha256");
    h->module_version = 1;
    h->entry = 8;
    h->code_size = CODE_SIZE;
    h->data_size = DATA_SIZE;
    h->bss_size = BSS_SIZE;
    h->reloc_count = NRELOCS;
    h->align = 16;
    h->required_features = FLUID_FEAT_FPU | FLUID_FEAT_SSE2;
    h->tier = FLUID_TIER_O2;
    strcpy(h->cflags, "-O2 -march=pentium2");
    memset(body, 0xC3, CODE_SIZE);
    put32(body + 4, 0x40);                          /* code: absolute address of data */
    put32(body + CODE_SIZE, 0x10);                  /* data: absolute address in code */
    put32(body + CODE_SIZE + DATA_SIZE, 4);
    put32(body + CODE_SIZE + DATA_SIZE + 4, CODE_SIZE);
    seal(f);
    return h;
}

static enum mod_err check_fixture(struct fixture *f, struct mod_diag *d)
{
    struct mod_info info;
    return mod_check(f->bytes, sizeof f->bytes, ALL_FEATURES, &info, d);
}

TEST(crc32_check_value)
{
    CHECK_EQ_U64(mod_crc32("123456789", 9), 0xCBF43926u);   /* the CRC catalogue's check */
    CHECK_EQ_U64(mod_crc32("", 0), 0);
}

TEST(valid_module_places_and_relocates)
{
    struct fixture f;
    struct mod_info info;
    struct mod_diag d;
    make(&f);
    REQUIRE(mod_check(f.bytes, sizeof f.bytes, ALL_FEATURES, &info, &d) == MOD_OK);
    CHECK_STREQ(info.name, "sha256");
    CHECK_STREQ(info.cflags, "-O2 -march=pentium2");
    CHECK_EQ_U64(info.image_size, CODE_SIZE + DATA_SIZE + BSS_SIZE);
    static uint8_t dest[256] __attribute__((aligned(16)));
    memset(dest, 0xAA, sizeof dest);
    REQUIRE(mod_place(&info, dest, sizeof dest, RUN_ADDR, &d) == MOD_OK);
    uint32_t v;
    memcpy(&v, dest + 4, 4);
    CHECK_EQ_U64(v, RUN_ADDR + 0x40);
    memcpy(&v, dest + CODE_SIZE, 4);
    CHECK_EQ_U64(v, RUN_ADDR + 0x10);
    CHECK_EQ_U64(dest[0], 0xC3);
    for (int i = 0; i < BSS_SIZE; i++)
        CHECKF(dest[CODE_SIZE + DATA_SIZE + i] == 0, "bss byte %d", i);
    CHECK_EQ_U64(dest[CODE_SIZE + DATA_SIZE + BSS_SIZE], 0xAA);   /* nothing past the image */
    CHECK_EQ_U64(mod_entry_addr(&info, RUN_ADDR), RUN_ADDR + 8);
}

TEST(destination_rules)
{
    struct fixture f;
    struct mod_info info;
    struct mod_diag d;
    make(&f);
    REQUIRE(mod_check(f.bytes, sizeof f.bytes, ALL_FEATURES, &info, &d) == MOD_OK);
    static uint8_t dest[256] __attribute__((aligned(16)));
    CHECK(mod_place(&info, dest, CODE_SIZE + DATA_SIZE + BSS_SIZE - 1, RUN_ADDR, &d) ==
          MOD_E_DEST_SIZE);
    CHECK(mod_place(&info, dest + 4, 200, RUN_ADDR, &d) == MOD_E_DEST_ALIGN);
    CHECK(mod_place(&info, dest, 200, RUN_ADDR + 8, &d) == MOD_E_DEST_ALIGN);
}

/* Changes one header field, re-seals, expects `want`. */
#define FIELD_CASE(want, stmt)                                                    \
    do {                                                                          \
        struct fixture f;                                                         \
        struct mod_diag d;                                                        \
        struct fluid_mod_header *h = make(&f);                                    \
        stmt;                                                                     \
        seal(&f);                                                                 \
        enum mod_err got = check_fixture(&f, &d);                                 \
        CHECKF(got == (want), "%s: got %s", #stmt, mod_strerror(got));             \
    } while (0)

TEST(each_header_rule)
{
    FIELD_CASE(MOD_E_VERSION, h->format_version = 2);
    FIELD_CASE(MOD_E_HEADER_SIZE, h->header_size = 64);
    FIELD_CASE(MOD_E_NAME, h->name[0] = 0);
    FIELD_CASE(MOD_E_NAME, h->name[0] = 'S');
    FIELD_CASE(MOD_E_NAME, memset(h->name, 'a', FLUID_MOD_NAME_LEN));
    FIELD_CASE(MOD_E_NAME, h->name[20] = 'x');          /* text after the terminator */
    FIELD_CASE(MOD_E_RESERVED, h->reserved0 = 1);
    FIELD_CASE(MOD_E_RESERVED, h->build_flags = 0x80);
    FIELD_CASE(MOD_E_TIER, h->tier = FLUID_TIER_COUNT);
    FIELD_CASE(MOD_E_ALIGN, h->align = 0);
    FIELD_CASE(MOD_E_ALIGN, h->align = 24);
    FIELD_CASE(MOD_E_ALIGN, h->align = 8192);
    FIELD_CASE(MOD_E_FEATURE_BITS, h->required_features = 1u << 31);
    FIELD_CASE(MOD_E_RELOC_COUNT, h->reloc_count = FLUID_MOD_MAX_RELOCS + 1);
    FIELD_CASE(MOD_E_IMAGE_SIZE, h->code_size = 0);
    FIELD_CASE(MOD_E_IMAGE_SIZE, h->bss_size = FLUID_MOD_MAX_IMAGE);
    FIELD_CASE(MOD_E_IMAGE_SIZE, h->code_size = 0xFFFFFFF0u);   /* the sum would wrap */
    FIELD_CASE(MOD_E_FILE_SIZE, h->data_size = DATA_SIZE + 4);
    FIELD_CASE(MOD_E_FILE_SIZE, h->reloc_count = 0x40000000u / 0x10000u);
    FIELD_CASE(MOD_E_ENTRY, h->entry = CODE_SIZE);
    FIELD_CASE(MOD_E_RELOC, put32(f.bytes + sizeof *h + CODE_SIZE + DATA_SIZE,
                                  CODE_SIZE + DATA_SIZE - 3));
    FIELD_CASE(MOD_OK, h->module_version = 7);
}

/* Sizes whose sum passes 4 GiB were reported cut to 32 bits (4294967295), not the sum the
 * header gives: the message must name the real value. */
TEST(image_size_past_4gib_named_in_full)
{
    struct fixture f;
    struct mod_diag d;
    char msg[160];
    struct fluid_mod_header *h = make(&f);
    h->code_size = 0xFFFFFFF0u;
    seal(&f);
    REQUIRE(check_fixture(&f, &d) == MOD_E_IMAGE_SIZE);
    CHECK_EQ_U64(d.got, 0xFFFFFFF0ull + DATA_SIZE + BSS_SIZE);
    mod_format_error("big", &d, msg, sizeof msg);
    CHECK_STREQ(msg, "module big: bad image size (1 to 4194304 bytes, got 4294967360)");
}

TEST(magic_crc_and_features)
{
    struct fixture f;
    struct mod_info info;
    struct mod_diag d;
    struct fluid_mod_header *h = make(&f);
    h->magic ^= 1;
    CHECK(check_fixture(&f, &d) == MOD_E_MAGIC);
    make(&f);
    f.bytes[9] ^= 1;                                    /* name byte, header CRC stale */
    CHECK(check_fixture(&f, &d) == MOD_E_HEADER_CRC);
    make(&f);
    f.bytes[sizeof *h + CODE_SIZE + 3] ^= 0x40;         /* data byte, body CRC stale */
    CHECK(check_fixture(&f, &d) == MOD_E_CRC);
    CHECK_EQ_U64(d.expected, h->body_crc32);
    make(&f);
    CHECK(mod_check(f.bytes, sizeof f.bytes, FLUID_FEAT_FPU, &info, &d) == MOD_E_CPU_FEATURES);
    CHECK_EQ_U64(d.expected, FLUID_FEAT_FPU | FLUID_FEAT_SSE2);
    CHECK_EQ_U64(d.got, FLUID_FEAT_FPU);
}

TEST(diagnostic_text)
{
    char buf[160];
    struct mod_diag d = {MOD_E_CRC, 0x1234ABCDu, 0x0BADF00Du};
    mod_format_error("sha256", &d, buf, sizeof buf);
    CHECK_STREQ(buf, "module sha256: bad CRC (expected 0x1234abcd, got 0x0badf00d)");
    d = (struct mod_diag){MOD_E_ENTRY, 0x40, 0x80};
    mod_format_error("fft_1d", &d, buf, sizeof buf);
    CHECK_STREQ(buf, "module fft_1d: entry outside code (code size 0x40, entry 0x80)");
    size_t full = mod_format_error("fft_1d", &d, buf, 10);
    CHECKF(strlen(buf) == 9 && full > 10, "truncated to %zu, full %zu", strlen(buf), full);
    for (int e = 0; e < MOD_E_COUNT; e++) {
        d = (struct mod_diag){(enum mod_err)e, 1, 2};
        mod_format_error("x", &d, buf, sizeof buf);
        CHECKF(!strchr(buf, '%'), "error %d: unformatted template: %s", e, buf);
        CHECKF(mod_strerror((enum mod_err)e) != NULL, "error %d has no name", e);
    }
    CHECK_STREQ(mod_strerror(MOD_E_CRC), "bad_crc");
    CHECK_STREQ(mod_strerror(MOD_E_COUNT), "unknown module error");
}

/* Every prefix of a valid module is rejected, reading only the bytes it was given. */
TEST(every_truncation_rejected)
{
    struct fixture f;
    struct mod_info info;
    make(&f);
    for (size_t n = 0; n < sizeof f.bytes; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, f.bytes, n);
        enum mod_err e = mod_check(copy, n, ALL_FEATURES, &info, NULL);
        CHECKF(e != MOD_OK, "prefix of %zu bytes accepted", n);
        free(copy);
    }
}

/* Any single flipped bit anywhere in the file is caught (magic, a CRC or a field rule). */
TEST(every_bit_flip_rejected)
{
    struct fixture f;
    struct mod_info info;
    for (size_t i = 0; i < sizeof f.bytes; i++) {
        for (int bit = 0; bit < 8; bit++) {
            make(&f);
            f.bytes[i] ^= (uint8_t)(1u << bit);
            CHECKF(mod_check(f.bytes, sizeof f.bytes, ALL_FEATURES, &info, NULL) != MOD_OK,
                  "flip of byte %zu bit %d accepted", i, bit);
        }
    }
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 17, rng_state ^= rng_state << 5;
    return rng_state;
}

/* Random headers with a valid magic and header CRC reach the field rules; none may crash or
 * be accepted, and each error value must be one the enum defines. Random small field values
 * make the size rules fire too, not only the magic. */
TEST(random_headers_never_accepted)
{
    struct mod_info info;
    struct mod_diag d;
    int reached_fields = 0;
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        size_t n = sizeof(struct fluid_mod_header) + rng() % 256;
        uint8_t *buf = malloc(n);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rng();
        struct fluid_mod_header *h = (struct fluid_mod_header *)buf;
        if (round % 2) {
            h->magic = FLUID_MOD_MAGIC;
            h->format_version = FLUID_MOD_FORMAT_VERSION;
            h->header_size = sizeof *h;
            h->code_size = rng() % 300, h->data_size = rng() % 64, h->reloc_count = rng() % 4;
            h->header_crc32 = mod_crc32(buf, FLUID_MOD_HEADER_CRC_SPAN);
            reached_fields++;
        }
        enum mod_err e = mod_check(buf, n, ALL_FEATURES, &info, &d);
        CHECKF(e != MOD_OK && e < MOD_E_COUNT && d.err == e, "round %d: %d", round, e);
        free(buf);
    }
    CHECK(reached_fields > 0);
}

/* The modules tools/mkmod.py built load with the C loader: the two readers agree. */
TEST(built_modules_accepted)
{
    static const char *const names[] = {"fibonacci", "sum", "compute", "primes", "fft_1d",
        "sha256", "matrix_mul", "quicksort", "strops", "regex_dfa", "gemm_tile",
        "physics_step"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "build/modules/O2/%s.mod", names[i]);
        FILE *fp = fopen(path, "rb");
        CHECKF(fp != NULL, "cannot open %s", path);
        if (!fp)
            continue;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        struct mod_info info;
        struct mod_diag d = {0};
        char msg[160];
        enum mod_err e = mod_check(buf, n, ALL_FEATURES, &info, &d);
        mod_format_error(names[i], &d, msg, sizeof msg);
        CHECKF(e == MOD_OK, "%s", msg);
        if (e == MOD_OK)
            CHECK_STREQ(info.name, names[i]);
    }
}

int main(void)
{
    check_suite = "test_module_loader";
    RUN(crc32_check_value);
    RUN(valid_module_places_and_relocates);
    RUN(destination_rules);
    RUN(each_header_rule);
    RUN(image_size_past_4gib_named_in_full);
    RUN(magic_crc_and_features);
    RUN(diagnostic_text);
    RUN(every_truncation_rejected);
    RUN(every_bit_flip_rejected);
    RUN(random_headers_never_accepted);
    RUN(built_modules_accepted);
    return check_summary();
}
