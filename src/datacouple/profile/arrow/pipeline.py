"""Profile a stream of batches on a thread pool: each column's arrays in batch order, without
waiting at the end of every batch for its slowest column.

Waiting for a whole batch left a core idle while the batch's last column finished (and the
decoder, one batch ahead, had nothing to do either). Here a column's next array goes to the
pool as soon as its previous one is done, and the caller may hand in up to `ahead` batches
that are not yet fully profiled: memory stays bounded by that many batches.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from .table import TableProfile

_Job = tuple[int, pa.Array, list[int]]  # column index, its array, the batch's arrays left


class ColumnPipeline:
    """`with ColumnPipeline(profile) as pipeline: pipeline.add(batch) ...`; on leaving the
    block every added batch is profiled, or the first error a profiler raised is raised."""

    def __init__(self, profile: TableProfile, threads: int | None = None, ahead: int = 2) -> None:
        self._profile = profile
        columns = len(profile.columns)
        threads = threads or max(1, min(os.cpu_count() or 1, columns))
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="datacouple-profile")
        self._ahead = ahead
        self._changed = threading.Condition()
        self._waiting: list[deque[_Job]] = [deque() for _ in range(columns)]
        self._busy = [False] * columns  # a job of this column is queued or running
        self._cost = [0.0] * columns  # CPU seconds each column took so far
        self._unfinished = 0  # batches with an array not yet profiled
        self._error: BaseException | None = None
        self._stopping = False

    def add(self, batch: pa.RecordBatch) -> None:
        """Hand a batch's columns to the pool; returns once fewer than `ahead` batches are
        unfinished, so that the caller (who then reads the next batch) cannot pile them up."""
        jobs = self._profile.admit(batch)
        # Costliest first (as measured so far), so that no thread is left with a long column
        # at the end while the others wait.
        jobs.sort(key=lambda job: self._cost[job[0]], reverse=True)
        with self._changed:
            if jobs and self._error is None:
                left = [len(jobs)]
                self._unfinished += 1
                for index, array in jobs:
                    if self._busy[index]:
                        self._waiting[index].append((index, array, left))
                    else:
                        self._busy[index] = True
                        self._pool.submit(self._run, index, array, left)
            self._changed.wait_for(lambda: self._unfinished < self._ahead or self._error)
            if self._error is not None:
                raise self._error

    def _run(self, index: int, array: pa.Array, left: list[int]) -> None:
        started = time.thread_time()
        error = None
        if self._error is None and not self._stopping:
            try:
                self._profile.columns[index].update(array)
            except BaseException as raised:  # handed to the caller by add() or __exit__
                error = raised
        with self._changed:
            self._error = self._error or error
            self._cost[index] += time.thread_time() - started
            left[0] -= 1
            if not left[0]:
                self._unfinished -= 1
                self._changed.notify_all()
            if self._waiting[index]:
                self._pool.submit(self._run, *self._waiting[index].popleft())
            else:
                self._busy[index] = False

    def __enter__(self) -> ColumnPipeline:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._stopping = True  # the caller failed: skip what is left, then let it raise
        with self._changed:
            self._changed.wait_for(lambda: self._unfinished == 0)
        self._pool.shutdown(wait=True)
        if kind is None and self._error is not None:
            raise self._error
