/* The suite's numeric boot options (contract in suite_options.h). */
#include "kernel/bench/suite_options.h"

#define DECIMAL_BASE 10u

bool suite_parse_count(const char *v, uint32_t max, uint32_t *out)
{
    uint64_t n = 0;
    const char *p = v;
    if (!v)
        return false;
    for (; *p >= '0' && *p <= '9' && n <= max; p++)
        n = n * DECIMAL_BASE + (uint64_t)(*p - '0');
    if (p == v || *p || n == 0 || n > max)
        return false;
    *out = (uint32_t)n;
    return true;
}
