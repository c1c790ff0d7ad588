/* help.c - mcpi --help.  README's "Command line" section shows this text;
 * the cli test fails when the two differ. */
#include <stdio.h>

#include "cli.h"

/* One help line per source line. */
/* clang-format off */
static const char usage_text[] =
    "usage: mcpi [run] [options]          estimate pi on every selected backend: one ratio table\n"
    "       mcpi devices [--format F]      list backends and devices (OpenCL P.D indices)\n"
    "       mcpi sweep [--from A] [--to B] [--steps-per-decade K] [options]\n"
    "                                      the ratio table at each N from A to B, and the N\n"
    "                                      from which each backend beats serial (crossover)\n"
    "       mcpi scale [--strong|--weak] [--threads LIST | --ranks LIST] [options]\n"
    "                                      one row at several worker counts: speedup,\n"
    "                                      efficiency, Karp-Flatt, Amdahl/Gustafson fit\n"
    "       mcpi calibrate [--calibration FILE]\n"
    "                                      measure this machine in stones (see README) and\n"
    "                                      re-probe the --backend auto model\n"
    "       mcpi merge FILE... [--cover N]  combine JSON results of --range parts exactly\n"
    "       mpirun -n R mcpi [options]     any of these across R MPI ranks\n"
    "\n"
    "Options:\n"
    "  -n, --samples N      samples, 1..2^64-1: 1000000, 1e6, 2.5e9, 2^30 (default 1e8)\n"
    "  -s, --seed S         64-bit seed, decimal or 0x hex (default 0)\n"
    "  -b, --backend LIST   comma list of rows: serial, simd, threads, naive, opencl,\n"
    "                       opencl:P.D, opencl:gpu, opencl:cpu, opencl:accelerator,\n"
    "                       all (default: every device, and node when there is a GPU),\n"
    "                       auto (the one predicted fastest for this N; see README),\n"
    "                       node (threads + every non-CPU OpenCL device), or A+B+...:\n"
    "                       one row counted by all of them together\n"
    "  -t, --threads T      threads for 'threads', 1.." MCPI_STR(MCPI_MAX_THREADS) " (default: every usable core,\n"
    "                       divided among the MPI ranks of a node)\n"
    "  -r, --repeat R       timed repeats, 1.." MCPI_STR(MCPI_MAX_REPEAT) " (default 3); the table shows the median\n"
    "  -w, --warmup W       untimed repeats first, 0.." MCPI_STR(MCPI_MAX_REPEAT) " (default 1)\n"
    "  -f, --format F       table, csv, json or markdown (default table)\n"
    "  -o, --output FILE    write the report to FILE atomically instead of stdout\n"
    "  -q, --quiet          no progress or notes on stderr\n"
    "      --per-rank       under MPI, add one row per rank (JSON always has them)\n"
    "      --isa ISA        force the SIMD instruction set: avx512, avx2, sse2, portable\n"
    "                       (also MCPI_ISA; default: the widest this CPU has)\n"
    "      --calibration FILE  add machine-normalised times (stones) from mcpi calibrate\n"
    "                       (default: the saved calibration, when there is one)\n"
    "      --verify MODE    check rows against the scalar reference core: sample (default:\n"
    "                       a few small chunks per worker and pass), full (every chunk),\n"
    "                       off; a row that miscounts fails (exit 1)\n"
    "      --no-cache       neither read nor write the caches: OpenCL program binaries and\n"
    "                       the --backend auto model ($MCPI_CACHE_DIR, else\n"
    "                       $XDG_CACHE_HOME/mcpi, else ~/.cache/mcpi)\n";
/* Two strings: ISO C guarantees string literals of 4095 characters only. */
static const char usage_text2[] =
    "Sweep:\n"
    "      --from A, --to B sample counts to sweep (default 1e3 and 1e8)\n"
    "      --steps-per-decade K  points per factor of 10, 1..100 (default 1)\n"
    "      --reference ROW  the row crossovers are measured against (default serial;\n"
    "                       e.g. simd shows where threads' start-up cost is paid back)\n"
    "Scale (one row, -b; default threads, or serial with --ranks):\n"
    "      --threads LIST   thread counts, increasing: 1,2,4 (default 1, 2, 4, ... and\n"
    "                       the usable cores)\n"
    "      --ranks LIST     MPI rank counts, increasing, none above the job's: the first\n"
    "                       p ranks count each point while the others wait\n"
    "      --strong         N fixed at every point (default)\n"
    "      --weak           N per worker fixed: point p counts p x N\n"
    "Batch jobs:\n"
    "      --range B:E      count samples [B, E) of the stream only (job arrays; N = E-B,\n"
    "                       and -n, if given, must say the same)\n"
    "      --checkpoint FILE  save progress atomically every --checkpoint-interval seconds\n"
    "                       and on SIGTERM/SIGINT/SIGUSR1 (one backend, --repeat 1 -w 0)\n"
    "      --resume FILE    continue a checkpointed run (any backend, any rank count)\n"
    "      --checkpoint-interval S  seconds between checkpoints, 1..86400 (default 60)\n"
    "      --balance        under MPI, split the job by each rank's measured rate\n"
    "      --progress       progress on stderr even when it is not a terminal\n"
    "      --cover N        merge: the parts must cover [0, N) exactly\n"
    "OpenCL:\n"
    "      --work-group WG  work-group size (default: from the device)\n"
    "      --per-item K     samples per work-item per launch (default: from the device)\n"
    "      --launch-samples K  at most K samples per kernel launch (default: ~50 ms of work)\n"
    "      --build-options S  extra OpenCL compiler options\n"
    "  -h, --help           this help;  -V, --version  the version\n"
    "\n"
    "Every exact backend counts the same samples (Philox4x32-10, exact integer test), so\n"
    "hits are identical across backends, devices, threads and ranks for one (seed, N).\n"
    "'naive' is the tutorial's plain loop (libc generator, double, sqrt): a teaching row\n"
    "whose hits differ by design.\n"
    "\n"
    "Exit codes: 0 ok; 1 a backend failed at run time (its row says why, other rows are\n"
    "kept); 2 bad input (one line names the flag and the accepted form, nothing written);\n"
    "3 a requested backend or device is not available (the line names what is);\n"
    "4 the report could not be written; 5 a signal stopped the run at a chunk boundary,\n"
    "no report written (with --checkpoint: continue with --resume); 128+S a second\n"
    "signal S ended the run at once.\n";
/* clang-format on */

void mcpi_cli_help(FILE *out)
{
    fputs(usage_text, out);
    fputs(usage_text2, out);
}
