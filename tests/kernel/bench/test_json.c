/* Host tests of the JSON writer (kernel/bench/json.c): structure and commas, escaping of every
 * control character, quotes and backslashes, the full u64 and i64 ranges, misuse detection
 * and the text buffer's overflow flag. Python's json module checks the same output in
 * tests/modules/test_modules.py (through the host runner's profile). */
#include <stdint.h>
#include <string.h>

#include "tests/lib/check.h"
#include "kernel/bench/json.h"

#define BUF_SIZE 1024

static char buf[BUF_SIZE];
static struct text_buf tb;

static void start(struct json_out *j)
{
    text_init(&tb, buf, sizeof buf);
    json_init(j, text_sink, &tb);
}

TEST(nested_structure)
{
    struct json_out j;
    start(&j);
    json_begin_object(&j);
    json_key(&j, "a");
    json_u64(&j, 1);
    json_key(&j, "b");
    json_begin_array(&j);
    json_bool(&j, true);
    json_null(&j);
    json_begin_object(&j);
    json_end_object(&j);
    json_end_array(&j);
    json_key(&j, "c");
    json_hex32(&j, 0xABCDEF);
    json_end_object(&j);
    CHECK(json_finish(&j));
    CHECK_STREQ(buf, "{\"a\":1,\"b\":[true,null,{}],\"c\":\"0x00abcdef\"}\n");
}

TEST(numbers_full_range)
{
    struct json_out j;
    start(&j);
    json_begin_array(&j);
    json_u64(&j, 0);
    json_u64(&j, UINT64_MAX);
    json_i64(&j, INT64_MIN);
    json_i64(&j, INT64_MAX);
    json_i64(&j, -1);
    json_end_array(&j);
    CHECK(json_finish(&j));
    CHECK_STREQ(buf, "[0,18446744073709551615,-9223372036854775808,9223372036854775807,-1]\n");
}

TEST(string_escaping)
{
    struct json_out j;
    char all_controls[32];
    for (int i = 1; i < 32; i++)
        all_controls[i - 1] = (char)i;
    all_controls[31] = 0;
    start(&j);
    json_begin_array(&j);
    json_str(&j, "q\"b\\s/");
    json_str(&j, all_controls);
    json_str(&j, NULL);
    json_strn(&j, "abcdef", 3);
    json_str(&j, "caf\xc3\xa9");
    json_end_array(&j);
    CHECK(json_finish(&j));
    CHECK_STREQ(buf, "[\"q\\\"b\\\\s/\","
                     "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b"
                     "\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016"
                     "\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\","
                     "null,\"abc\",\"caf\xc3\xa9\"]\n");
}

TEST(misuse_is_detected)
{
    struct json_out j;
    start(&j);
    json_begin_object(&j);
    json_u64(&j, 1);                    /* value without a key */
    CHECK(!json_finish(&j));
    start(&j);
    json_begin_array(&j);
    json_key(&j, "k");                  /* key inside an array */
    CHECK(!json_finish(&j));
    start(&j);
    json_begin_object(&j);              /* never closed */
    CHECK(!json_finish(&j));
    start(&j);
    json_begin_array(&j);
    json_end_object(&j);                /* wrong closer */
    CHECK(!json_finish(&j));
    start(&j);
    for (int i = 0; i <= JSON_MAX_DEPTH; i++)
        json_begin_array(&j);
    CHECK(j.error);
}

TEST(text_buffer_overflow)
{
    char small[8];
    struct text_buf t;
    text_init(&t, small, sizeof small);
    text_put(&t, "1234567");
    CHECK(!t.overflow);
    text_put(&t, "8");
    CHECK(t.overflow);
    CHECK_STREQ(small, "1234567");
}

TEST(key_value_helpers)
{
    struct json_out j;
    start(&j);
    json_begin_object(&j);
    json_key_str(&j, "s", "x\"y");
    json_key_str(&j, "n", NULL);
    json_key_u64(&j, "u", UINT64_MAX);
    json_key_hex32(&j, "h", 0x1234u);
    json_key_bool(&j, "b", false);
    json_key_u64_nonzero(&j, "z", 0);
    json_key_u64_nonzero(&j, "nz", 7);
    json_end_object(&j);
    CHECK(json_finish(&j));
    CHECK_STREQ(buf, "{\"s\":\"x\\\"y\",\"n\":null,\"u\":18446744073709551615,"
                     "\"h\":\"0x00001234\",\"b\":false,\"z\":null,\"nz\":7}\n");
}

int main(void)
{
    check_suite = "test_json";
    RUN(nested_structure);
    RUN(key_value_helpers);
    RUN(numbers_full_range);
    RUN(string_escaping);
    RUN(misuse_is_detected);
    RUN(text_buffer_overflow);
    return check_summary();
}
