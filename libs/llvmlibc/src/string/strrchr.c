/* strrchr: last occurrence of (char)c in s, the terminating NUL included (C11 §7.24.5.5);
 * returns NULL when absent. */
#include <string.h>

char *strrchr(const char *s, int c)
{
    char ch = (char)c;
    const char *last = NULL;

    for (;; s++) {
        if (*s == ch)
            last = s;
        if (*s == '\0')
            return (char *)last;
    }
}
