"""Many training runs at once: a sweep's settings, its folder, one run as a Ray
task, the table of runs, and the driver that starts or joins Ray and waits."""
