"""The ``./fumidai`` command line: run the suite, test it, operate it."""
