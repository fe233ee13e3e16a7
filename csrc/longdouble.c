/* INCRBYFLOAT and HINCRBYFLOAT do their arithmetic in C's `long double` (80-bit on x86-64) and print it with
 * "%.17Lf" minus trailing zeros. Rust has no long double, and replies must match Redis byte for byte, so this one
 * step is done in C exactly as Redis's util.c (string2ld, ld2string LD_STR_HUMAN) does it. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LONG_DOUBLE_CHARS 5 * 1024

/* Redis's string2ld: strict parse of a whole buffer (a NUL inside it ends strtold early: refused); no leading
 * space, no NaN, no overflow. */
static int string2ld(const char *s, size_t slen, long double *dp) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    long double value;
    char *eptr;

    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';

    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr[0] != '\0' || (size_t)(eptr - buf) != slen ||
        ((errno == ERANGE) && (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO)) ||
        errno == EINVAL || isnan(value))
        return 0;
    *dp = value;
    return 1;
}

/* Adds two decimal strings as long doubles and writes the human form of the sum to `out`.
 * Returns the length written, -1 if `a` is not a float, -2 if `b` is not, -3 if the sum is NaN or infinite. */
int embedis_add_long_double(const char *a, size_t alen, const char *b, size_t blen, char *out, size_t outlen) {
    long double x, y;
    if (!string2ld(a, alen, &x)) return -1;
    if (!string2ld(b, blen, &y)) return -2;
    x += y;
    if (isnan(x) || isinf(x)) return -3;

    int l = snprintf(out, outlen, "%.17Lf", x);
    if (l < 0 || (size_t)l + 1 > outlen) return -3;
    if (strchr(out, '.') != NULL) {
        char *p = out + l - 1;
        while (*p == '0') {
            p--;
            l--;
        }
        if (*p == '.') l--;
    }
    if (l == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        l = 1;
    }
    return l;
}
