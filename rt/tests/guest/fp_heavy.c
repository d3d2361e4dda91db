/* FP-heavy work: an n-body simulation (sqrt, division, long dependency chains), a dense matrix multiply and
 * a Mandelbrot escape-count grid. Prints full-precision results; exit status 0. */
#include <math.h>
#include <stdio.h>

#define NB 5
struct body { double x, y, z, vx, vy, vz, m; };

static void advance(struct body *b, double dt) {
    for (int i = 0; i < NB; i++)
        for (int j = i + 1; j < NB; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
            b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
        }
    for (int i = 0; i < NB; i++) { b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz; }
}

static double energy(const struct body *b) {
    double e = 0;
    for (int i = 0; i < NB; i++) {
        e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < NB; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            e -= b[i].m * b[j].m / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

#define M 48
static double A[M][M], B[M][M], C[M][M];
static float Af[M][M], Bf[M][M], Cf[M][M];

int main(void) {
    const double pi = 3.141592653589793, days = 365.24, sm = 4 * pi * pi;
    struct body b[NB] = {
        {0, 0, 0, 0, 0, 0, sm},
        {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * days,
         7.69901118419740425e-03 * days, -6.90460016972063023e-05 * days, 9.54791938424326609e-04 * sm},
        {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * days,
         4.99852801234917238e-03 * days, 2.30417297573763929e-05 * days, 2.85885980666130812e-04 * sm},
        {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * days,
         2.37847173959480950e-03 * days, -2.96589568540237556e-05 * days, 4.36624404335156298e-05 * sm},
        {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * days,
         1.62824170038242295e-03 * days, -9.51592254519715870e-05 * days, 5.15138902046611451e-05 * sm}};
    printf("energy %.17g\n", energy(b));
    for (int i = 0; i < 20000; i++) advance(b, 0.01);
    printf("energy %.17g\n", energy(b));
    for (int i = 0; i < NB; i++) printf("body %d %a %a %a\n", i, b[i].x, b[i].y, b[i].z);

    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            A[i][j] = sin(i * 0.37 + j * 0.11);
            B[i][j] = cos(i * 0.05 - j * 0.29) / (1 + i + j);
            Af[i][j] = (float)A[i][j];
            Bf[i][j] = (float)B[i][j];
        }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            double s = 0;
            float sf = 0;
            for (int k = 0; k < M; k++) { s += A[i][k] * B[k][j]; sf += Af[i][k] * Bf[k][j]; }
            C[i][j] = s;
            Cf[i][j] = sf;
        }
    double tr = 0, trf = 0;
    for (int i = 0; i < M; i++) { tr += C[i][i] * (i + 1); trf += Cf[i][M - 1 - i]; }
    printf("matmul %.17g %a %.9g\n", tr, C[7][31], trf);

    long total = 0;
    for (int py = 0; py < 40; py++) {
        for (int px = 0; px < 60; px++) {
            double cr = -2.2 + px * 0.05, ci = -1.2 + py * 0.06, zr = 0, zi = 0;
            int it = 0;
            while (it < 500 && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                it++;
            }
            total += it * (px + 1);
            putchar(" .:-=+*#%@"[it % 10]);
        }
        putchar('\n');
    }
    printf("mandel %ld exp %.17g log %.17g pow %.17g atan2 %.17g\n", total, exp(1.5), log(10.0), pow(2.0, 0.5),
           atan2(1.0, -2.0));
    return 0;
}
