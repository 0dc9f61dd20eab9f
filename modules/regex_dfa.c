/* regex_dfa: matches every space-separated token of a 32 KiB generated text against the
 * regular expression (ab|ba)*c[0-9]+, compiled by hand into the DFA below (states after
 * Thompson construction and subset construction, dead state explicit). Returns the number
 * of matching tokens times 65536 plus the sum of their indices (mod 2^16).
 * Expected value: Python's re.fullmatch over the same tokens (tests/modules/reference.py). */
#include <fluid_module.h>

#define RX_TEXT_LEN 32768
#define RX_SEED     2024u

/* TABLE: 0 = class lookup then transition[state][class]; 1 = one table per state indexed by
 * the byte itself (next_byte, built from the same two tables), one load per character. */
#ifndef TABLE
#define TABLE 0
#endif

FLUID_MODULE_VERSION(1);
FLUID_EXPECT(0x000721a7, 0);
FLUID_PARAM(TABLE, 0, 0, 1);

static const char alphabet[] = "abababcc0123 ";   /* weights favour short matches */
#define ALPHABET_LEN (sizeof alphabet - 1)

enum rx_class { C_A, C_B, C_C, C_DIGIT, C_OTHER, C_COUNT };
enum rx_state { S_START, S_A, S_B, S_C, S_DIGITS, S_DEAD, S_COUNT };

/* transition[state][class] */
static const uint8_t transition[S_COUNT][C_COUNT] = {
    [S_START]  = {S_A, S_B, S_C, S_DEAD, S_DEAD},       /* (ab|ba)* at a pair boundary */
    [S_A]      = {S_DEAD, S_START, S_DEAD, S_DEAD, S_DEAD},
    [S_B]      = {S_START, S_DEAD, S_DEAD, S_DEAD, S_DEAD},
    [S_C]      = {S_DEAD, S_DEAD, S_DEAD, S_DIGITS, S_DEAD},
    [S_DIGITS] = {S_DEAD, S_DEAD, S_DEAD, S_DIGITS, S_DEAD},  /* accepting */
    [S_DEAD]   = {S_DEAD, S_DEAD, S_DEAD, S_DEAD, S_DEAD},
};

static char text[RX_TEXT_LEN];
static uint8_t char_class[256];
#if TABLE
static uint8_t next_byte[S_COUNT][256];     /* (S_COUNT, 256): transition by byte */
#endif

static void classes(void)
{
    for (int c = 0; c < 256; c++)
        char_class[c] = C_OTHER;
    char_class['a'] = C_A, char_class['b'] = C_B, char_class['c'] = C_C;
    for (int c = '0'; c <= '9'; c++)
        char_class[c] = C_DIGIT;
#if TABLE
    for (int s = 0; s < S_COUNT; s++)
        for (int c = 0; c < 256; c++)
            next_byte[s][c] = transition[s][char_class[c]];
#endif
}

uint32_t fluid_main(const struct fluid_module_ctx *ctx)
{
    (void)ctx;
    uint32_t state = RX_SEED, matches = 0, index_sum = 0, token = 0;
    classes();
    for (int i = 0; i < RX_TEXT_LEN; i++)
        text[i] = alphabet[(fluid_lcg(&state) >> 16) % ALPHABET_LEN];
    int i = 0;
    while (i < RX_TEXT_LEN) {
        while (i < RX_TEXT_LEN && text[i] == ' ')
            i++;
        if (i == RX_TEXT_LEN)
            break;
        uint8_t s = S_START;
        while (i < RX_TEXT_LEN && text[i] != ' ')
#if TABLE
            s = next_byte[s][(unsigned char)text[i++]];
#else
            s = transition[s][char_class[(unsigned char)text[i++]]];
#endif
        if (s == S_DIGITS)
            matches++, index_sum += token;
        token++;
    }
    return (matches << 16) + (index_sum & 0xFFFFu);
}
