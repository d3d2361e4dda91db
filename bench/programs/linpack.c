/* linpack.c: LINPACK-style LU factorisation with partial pivoting and solve, fp64 (dgefa/dgesl).
 *
 * Measures: fp64 daxpy loops over columns (vectorised by gcc), pivot search (idamax), row swaps.
 *
 * Each repetition builds an N x N matrix from the LCG (column-major, entries in [-0.5, 0.5)) and a
 * right-hand side b = A * ones, factorises, solves, and checks the normalised residual
 * ||A x - b||_inf / (N ||A||_inf ||x||_inf eps) as LINPACK does, and that x is close to ones. The
 * portable checksum hashes the pivot indices of every factorisation (integers, independent of last-bit
 * rounding); the exact line hashes the bits of the last solution vector.
 */
#include "common.h"

#include <float.h>
#include <string.h>

#define N 300

static double a[N * N], lu[N * N], b[N], x[N];
static int ipvt[N];

#define A(m, i, j) (m)[(size_t)(j) * N + (i)]

static double fabs_(double v) { return v < 0 ? -v : v; }

/* dgefa: LU with partial pivoting, in place, column-major. Returns 0, or k+1 if U(k,k) == 0. */
static int dgefa(double *m, int *piv) {
    int info = 0;
    for (int k = 0; k < N - 1; k++) {
        double *colk = &A(m, 0, k);
        int l = k;
        double big = fabs_(colk[k]);
        for (int i = k + 1; i < N; i++)
            if (fabs_(colk[i]) > big) {
                big = fabs_(colk[i]);
                l = i;
            }
        piv[k] = l;
        if (colk[l] == 0.0) {
            info = k + 1;
            continue;
        }
        if (l != k) {
            double t = colk[l];
            colk[l] = colk[k];
            colk[k] = t;
        }
        double t = -1.0 / colk[k];
        for (int i = k + 1; i < N; i++)
            colk[i] *= t;
        for (int j = k + 1; j < N; j++) {
            double *colj = &A(m, 0, j);
            double s = colj[l];
            if (l != k) {
                colj[l] = colj[k];
                colj[k] = s;
            }
            for (int i = k + 1; i < N; i++)
                colj[i] += s * colk[i];
        }
    }
    piv[N - 1] = N - 1;
    if (A(m, N - 1, N - 1) == 0.0)
        info = N;
    return info;
}

/* dgesl: solves A x = b using the factors from dgefa; b is overwritten with x. */
static void dgesl(const double *m, const int *piv, double *v) {
    for (int k = 0; k < N - 1; k++) {
        int l = piv[k];
        double t = v[l];
        if (l != k) {
            v[l] = v[k];
            v[k] = t;
        }
        const double *colk = &A(m, 0, k);
        for (int i = k + 1; i < N; i++)
            v[i] += t * colk[i];
    }
    for (int k = N - 1; k >= 0; k--) {
        const double *colk = &A(m, 0, k);
        v[k] /= colk[k];
        double t = -v[k];
        for (int i = 0; i < k; i++)
            v[i] += t * colk[i];
    }
}

int main(int argc, char **argv) {
    long reps = scaled(argc, argv, 80);
    lcg_t g = {31337};
    uint32_t h = FNV_INIT;
    double worst = 0;
    for (long r = 0; r < reps; r++) {
        for (size_t i = 0; i < (size_t)N * N; i++)
            a[i] = lcg_unit(&g);
        /* b = A * ones, and ||A||_inf. */
        double anorm = 0;
        for (int i = 0; i < N; i++) {
            double s = 0, rs = 0;
            for (int j = 0; j < N; j++) {
                s += A(a, i, j);
                rs += fabs_(A(a, i, j));
            }
            b[i] = s;
            anorm = rs > anorm ? rs : anorm;
        }
        memcpy(lu, a, sizeof a);
        memcpy(x, b, sizeof b);
        int info = dgefa(lu, ipvt);
        CHECK(info == 0, "singular matrix in repetition %ld (info %d)", r, info);
        dgesl(lu, ipvt, x);

        double rnorm = 0, xnorm = 0, err = 0;
        for (int i = 0; i < N; i++) {
            double s = -b[i];
            for (int j = 0; j < N; j++)
                s += A(a, i, j) * x[j];
            rnorm = fabs_(s) > rnorm ? fabs_(s) : rnorm;
            xnorm = fabs_(x[i]) > xnorm ? fabs_(x[i]) : xnorm;
            err = fabs_(x[i] - 1.0) > err ? fabs_(x[i] - 1.0) : err;
        }
        double resid = rnorm / (N * anorm * xnorm * DBL_EPSILON);
        CHECK(resid < 10.0, "normalised residual %g in repetition %ld", resid, r);
        CHECK(err < 1e-8, "solution error %g in repetition %ld", err, r);
        worst = resid > worst ? resid : worst;
        for (int i = 0; i < N; i++)
            h = mix32(h, (uint32_t)ipvt[i]);
    }
    uint32_t e = FNV_INIT;
    for (int i = 0; i < N; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], 8);
        e = mix32(mix32(e, (uint32_t)bits), (uint32_t)(bits >> 32));
    }
    printf("linpack: %ld solves of n=%d, worst normalised residual %.3f\n", reps, N, worst);
    printf("checksum linpack %08x\n", h);
    printf("exact linpack %08x\n", e);
    return 0;
}
