"""numba's eager compilation with an on-disk cache, for every compiled kernel
of the project (`rmsprop_async`, `nets.conv1`, `nets.conv2`,
`nets.lstm_kernels`, `envs.box_resize`): each compiles when its module is
imported, so in the parent before the workers fork, and loads from numba's
cache in later runs."""
import warnings

import numba


def compile_cached(signatures, **options):
    """numba's eager compilation, cached under __pycache__ beside the module,
    else the user's cache (~/.cache/numba, or NUMBA_CACHE_DIR); where neither
    is writable, compiled in each process that imports it."""
    def decorate(function):
        try:
            return numba.njit(signatures, cache=True, **options)(function)
        except RuntimeError as e:  # numba's "no locator available": nowhere to write
            warnings.warn(f'{e}; compiling {function.__name__} in this process (set '
                          'NUMBA_CACHE_DIR to a writable folder to keep it)')
            return numba.njit(signatures, **options)(function)
    return decorate
