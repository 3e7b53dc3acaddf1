"""Process settings that must be made before numpy is first imported.

One BLAS thread per worker: the processes are the parallelism, and threads
inside batch-1 products only contend for the same cores.  And the right
OpenBLAS kernels: older OpenBLAS builds (0.3.23, numpy 1.26's) do not recognise
some recent or virtualised CPUs and fall back to their Prescott kernels, which
run this network's products 2-5x slower; the CPU's own flags say what it can
do.  (numpy 2.4's OpenBLAS 0.3.31 picks SkylakeX on this project's AMD EPYC by
itself, as this does.)  A value the user set is always kept.
"""
import os


def _flags():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return set(line.split(':', 1)[1].split())
    except OSError:
        pass
    return set()


def configure():
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    if 'OPENBLAS_CORETYPE' not in os.environ:
        flags = _flags()
        if {'avx512f', 'avx512bw', 'avx512vl', 'avx512dq'} <= flags:
            os.environ['OPENBLAS_CORETYPE'] = 'SKYLAKEX'
        elif {'avx2', 'fma'} <= flags:
            os.environ['OPENBLAS_CORETYPE'] = 'HASWELL'
