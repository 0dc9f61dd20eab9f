/* fabs: |x| for a double by clearing the sign bit (exact; NaN payloads are kept). */
#include <math.h>
#include "internal.h"

double fabs(double x)
{
    return asdouble(asuint64(x) & ~F64_SIGN_MASK);
}
