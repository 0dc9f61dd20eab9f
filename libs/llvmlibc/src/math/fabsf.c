/* fabsf: |x| for a float by clearing the sign bit (exact; NaN payloads are kept). */
#include <math.h>
#include "internal.h"

float fabsf(float x)
{
    return asfloat(asuint(x) & ~F32_SIGN_MASK);
}
