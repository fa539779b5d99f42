"""Imported first in the extraction pool's forkserver: its workers ignore Ctrl-C and SIGTERM.

A terminal's Ctrl-C and a service manager's stop reach every process of the group. The crawl
stops its workers itself (and PR_SET_PDEATHSIG ends them should it die), so a worker must not
die of the signal mid-page: that breaks the pool. Set here, in the forkserver before it forks,
the disposition is inherited from a worker's first instant, where the worker's initializer
(:func:`newscrawler.workers.job.die_with`) would leave a window during its imports.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
