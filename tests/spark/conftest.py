"""One SparkSession for the whole spark suite: local[2], no UI, few shuffle partitions.

pyspark and Java are required here, never optional: CI installs both (`make setup` installs the
spark extra, `.ci/run` a Java 17 runtime), and a skip would hide a broken CI, so their absence
FAILS these tests with the fix in the message.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings

import pytest


@pytest.fixture(scope="session")
def spark():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.fail("pyspark is missing: run `make setup` (installs '.[dev,spark]')")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.fail("no Java runtime: install openjdk-17-jre-headless (.ci/run does)")
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]").appName("datacouple tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "3")
        # Not UTC, so zone-aware timestamps really go through the session zone.
        .config("spark.sql.session.timeZone", "America/New_York")
        # Small Arrow batches: partitions are cut into several batches, as on real data.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def pytest_configure(config):
    # pyspark (and pandera importing pyspark.pandas) warn about pandas 3 on every conversion;
    # it works (DESIGN.md), and the warning would drown the report.
    config.addinivalue_line(
        "filterwarnings", "ignore:PySpark does not yet fully support pandas:FutureWarning")
