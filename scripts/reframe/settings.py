# scripts/reframe/settings.py - ReFrame site configuration for mcpi's check.
#
#   local  this machine: partition `default` (local launcher, feature
#          `single`) and partition `mpi` (mpiexec -n <tasks>, feature `mpi`)
#   slurm  a Slurm cluster: partition `batch` (sbatch, srun --mpi=pmix,
#          features `single` and `mpi`)
#
# McpiCheck's `single` variant runs on partitions with the feature `single`,
# its `mpi` variant on those with `mpi`; `extras.launcher_options` are added
# to the launcher's command line. A site merges the `slurm` entry (or just the
# features and extras) into its own configuration.
#
# Nothing here is test-only: Open MPI's run-as-root and oversubscription
# variables belong in the environment of the test run (CTest's, or
# scripts/reframe/run's), never in a site configuration.
#
# Environment read here (all optional):
#   MCPI_SLURM_SCHEDULER  `slurm` (default; polls with sacct) or `squeue`
#                         (for a Slurm without accounting, as the private one
#                         of tests/slurm_test.sh; scripts/reframe/run picks it)
#   MCPI_SLURM_PARTITION  the Slurm partition to submit to (default: the
#                         cluster's default partition)
#   MCPI_RFM_TOPOLOGY_PREFIX  where ReFrame caches detected processor
#                         topologies (default ~/.reframe/topology; run puts
#                         it in the build tree)
import os

_slurm_partition = os.environ.get('MCPI_SLURM_PARTITION', '')

site_configuration = {
    'systems': [
        {
            'name': 'local',
            'descr': 'This machine, no batch system',
            'hostnames': ['.*'],
            'partitions': [
                {
                    'name': 'default',
                    'descr': 'one process (local launcher)',
                    'scheduler': 'local',
                    'launcher': 'local',
                    'environs': ['builtin'],
                    'features': ['single'],
                    'max_jobs': 1,
                },
                {
                    'name': 'mpi',
                    'descr': 'MPI ranks on this machine (mpiexec -n <tasks>)',
                    'scheduler': 'local',
                    'launcher': 'mpiexec',
                    'environs': ['builtin'],
                    'features': ['mpi'],
                    'max_jobs': 1,
                },
            ],
        },
        {
            'name': 'slurm',
            'descr': 'A Slurm cluster: sbatch, srun --mpi=pmix',
            'hostnames': ['.*'],
            'partitions': [
                {
                    'name': 'batch',
                    'descr': 'Slurm jobs, ranks started by srun --mpi=pmix',
                    'scheduler': os.environ.get('MCPI_SLURM_SCHEDULER', 'slurm'),
                    'launcher': 'srun',
                    'access': ([f'--partition={_slurm_partition}']
                               if _slurm_partition else []),
                    'environs': ['builtin'],
                    'features': ['single', 'mpi'],
                    'extras': {'launcher_options': ['--mpi=pmix']},
                    'max_jobs': 4,
                },
            ],
        },
    ],
    # No 'environments': the partitions use `builtin`, ReFrame's own (no
    # modules); mcpi is prebuilt.
    'general': [
        {
            # Where ReFrame caches the processor topology it detects
            # (ReFrame's default: ~/.reframe/topology).
            'topology_prefix': os.environ.get('MCPI_RFM_TOPOLOGY_PREFIX',
                                              '${HOME}/.reframe/topology'),
        },
    ],
    'logging': [
        {
            'handlers$': [
                {'type': 'stream', 'name': 'stdout', 'level': 'info',
                 'format': '%(message)s'},
            ],
            'handlers': [
                {'type': 'file', 'name': 'reframe.log', 'level': 'debug2',
                 'append': False,
                 'format': '[%(asctime)s] %(levelname)s: %(check_info)s: %(message)s'},
            ],
            # One perflog line per performance variable (row).
            'perflog_multiline': True,
            'handlers_perflog': [
                {
                    'type': 'filelog',
                    'prefix': '%(check_system)s/%(check_partition)s',
                    'level': 'info',
                    'format': ('%(check_job_completion_time)s|%(check_result)s|'
                               '%(check_display_name)s|%(check_system)s:'
                               '%(check_partition)s|%(check_perf_var)s='
                               '%(check_perf_value)s|%(check_perf_unit)s|'
                               'ref=%(check_perf_ref)s (%(check_perf_lower_thres)s)'),
                    'append': True,
                },
            ],
        },
    ],
}
