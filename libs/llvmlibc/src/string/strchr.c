/* strchr: first occurrence of (char)c in s, the terminating NUL included (C11 §7.24.5.2);
 * returns NULL when absent. */
#include <string.h>

char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}
