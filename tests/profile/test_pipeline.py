"""The column pipeline (profile/arrow/pipeline.py): each column sees its batches in order, no
more than `ahead` batches are in work at once, and errors reach the caller without a hang."""

import random
import threading
import time

import pyarrow as pa
import pytest

from datacouple.profile.arrow.pipeline import ColumnPipeline
from datacouple.profile.arrow.table import TableProfile


class _Recorder:
    """Stands in for a column profiler: records which batches it saw, taking a random while
    over each, so that columns finish their batches in every order. `shared` counts the
    batches that some column has started and not every column has finished."""

    def __init__(self, seed: int, shared: dict) -> None:
        self.seen: list[int] = []
        self._random = random.Random(seed)
        self._shared = shared

    def update(self, array: pa.Array) -> None:
        batch, shared = array[0].as_py(), self._shared
        with shared["lock"]:
            shared["finished"].setdefault(batch, 0)
            in_work = [b for b, done in shared["finished"].items() if done < shared["columns"]]
            shared["most"] = max(shared["most"], len(in_work))
        time.sleep(self._random.random() * 0.002)
        self.seen.append(batch)
        with shared["lock"]:
            shared["finished"][batch] += 1


def _profile(columns: int) -> tuple[TableProfile, dict]:
    shared = {"lock": threading.Lock(), "finished": {}, "most": 0, "columns": columns}
    table = pa.table({f"c{i}": pa.array([0]) for i in range(columns)})
    profile = TableProfile(table.schema)
    profile.columns = [_Recorder(seed, shared) for seed in range(columns)]
    return profile, shared


def _batch(number: int, columns: int) -> pa.RecordBatch:
    return pa.record_batch({f"c{i}": pa.array([number] * 3) for i in range(columns)})


@pytest.mark.parametrize(("columns", "threads", "ahead"), [(5, 2, 2), (7, 4, 3), (1, 2, 2)])
def test_each_column_sees_its_batches_in_order_and_batches_in_work_stay_bounded(
        columns, threads, ahead):
    profile, shared = _profile(columns)
    with ColumnPipeline(profile, threads=threads, ahead=ahead) as pipeline:
        for number in range(60):
            pipeline.add(_batch(number, columns))
    assert all(recorder.seen == list(range(60)) for recorder in profile.columns)
    assert profile.rows == 60 * 3
    # Several batches at once (a column alone takes them one by one), never more than ahead.
    assert (2 if columns > 1 else 1) <= shared["most"] <= ahead


def test_a_profilers_error_reaches_the_caller_and_the_rest_is_skipped():
    profile, _ = _profile(3)

    def fail(array):
        if array[0].as_py() == 4:
            raise ValueError("column c1 cannot take batch 4")

    profile.columns[1].update = fail
    with (pytest.raises(ValueError, match="batch 4"),
          ColumnPipeline(profile, threads=2, ahead=2) as pipeline):
        for number in range(40):
            pipeline.add(_batch(number, 3))
    assert len(profile.columns[2].seen) < 40  # stopped well before the end of the stream


def test_a_callers_error_stops_the_pipeline_without_a_hang():
    profile, _ = _profile(3)
    with pytest.raises(KeyError), ColumnPipeline(profile, threads=2, ahead=2) as pipeline:
        for number in range(5):
            pipeline.add(_batch(number, 3))
        raise KeyError("the reader failed")
    assert all(recorder.seen == sorted(recorder.seen) for recorder in profile.columns)
