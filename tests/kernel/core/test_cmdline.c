/* Command-line parser (kernel/core/cmdline.c): words, key=value lookup, limits and bad input. */
#include "tests/lib/check.h"
#include "kernel/core/cmdline.h"

TEST(flags_and_values)
{
    REQUIRE(cmdline_set("test=divide-error  interactive\tclock=icount\n") == CMDLINE_OK);
    CHECK_EQ_U64(cmdline_word_count(), 3);
    CHECK(cmdline_has("interactive"));
    CHECK(cmdline_has("test=divide-error"));
    CHECK(!cmdline_has("test"));            /* a key alone is not a word */
    CHECK(!cmdline_has("inter"));           /* no prefix matches */
    CHECK_STREQ(cmdline_value("test"), "divide-error");
    CHECK_STREQ(cmdline_value("clock"), "icount");
    CHECK(cmdline_value("interactive") == NULL);
    CHECK(cmdline_value("tes") == NULL);
    CHECK(cmdline_value("clock=") == NULL);
}

TEST(first_value_wins_and_empty_value)
{
    REQUIRE(cmdline_set("a=1 a=2 b=") == CMDLINE_OK);
    CHECK_STREQ(cmdline_value("a"), "1");
    CHECK_STREQ(cmdline_value("b"), "");
}

TEST(empty_and_null)
{
    CHECK(cmdline_set(NULL) == CMDLINE_OK);
    CHECK_EQ_U64(cmdline_word_count(), 0);
    CHECK(cmdline_set("   ") == CMDLINE_OK);
    CHECK_EQ_U64(cmdline_word_count(), 0);
    CHECK(cmdline_word(0) == NULL);
    CHECK(!cmdline_has(""));
}

TEST(too_long_is_rejected_and_clears)
{
    char text[CMDLINE_MAX_BYTES + 1];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    REQUIRE(cmdline_set("keep") == CMDLINE_OK);
    CHECK(cmdline_set(text) == CMDLINE_E_TOO_LONG);
    CHECK(!cmdline_has("keep"));
    text[CMDLINE_MAX_BYTES - 1] = '\0';     /* exactly the longest accepted */
    CHECK(cmdline_set(text) == CMDLINE_OK);
    CHECK_EQ_U64(cmdline_word_count(), 1);
}

TEST(too_many_words)
{
    char text[CMDLINE_MAX_BYTES];
    size_t pos = 0;
    for (int i = 0; i <= CMDLINE_MAX_WORDS; i++) {
        text[pos++] = 'w';
        text[pos++] = ' ';
    }
    text[pos] = '\0';
    CHECK(cmdline_set(text) == CMDLINE_E_TOO_MANY_WORDS);
    CHECK_EQ_U64(cmdline_word_count(), 0);
    text[2 * CMDLINE_MAX_WORDS] = '\0';
    CHECK(cmdline_set(text) == CMDLINE_OK);
    CHECK_EQ_U64(cmdline_word_count(), CMDLINE_MAX_WORDS);
}

TEST(control_characters_are_rejected)
{
    CHECK(cmdline_set("a\x01" "b") == CMDLINE_E_BAD_CHAR);
    CHECK_EQ_U64(cmdline_word_count(), 0);
    CHECK_STREQ(cmdline_strerror(CMDLINE_E_BAD_CHAR), "contains a control character");
    CHECK_STREQ(cmdline_strerror((enum cmdline_err)99), "unknown cmdline error");
}

int main(void)
{
    check_suite = "test_cmdline";
    RUN(flags_and_values);
    RUN(first_value_wins_and_empty_value);
    RUN(empty_and_null);
    RUN(too_long_is_rejected_and_clears);
    RUN(too_many_words);
    RUN(control_characters_are_rejected);
    return check_summary();
}
