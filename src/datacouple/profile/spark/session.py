"""The SparkSession the engine runs in: the user's active one, else one it starts and stops.

Both prerequisites (pyspark, a Java runtime) are checked up front, so a missing one is a
one-line error instead of a Py4J stack trace.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ...errors import DatacoupleError

DEFAULT_MASTER = "local[*]"


def require_pyspark():
    # pyspark warns about pandas 3 on every DataFrame-to-Arrow call; it works (DESIGN.md), and
    # a fingerprint command's stderr is for the fingerprint's own messages.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)
    try:
        import pyspark.sql
    except ImportError:
        raise DatacoupleError(
            "the spark engine needs pyspark: pip install 'datacouple[spark]' "
            "(or use --engine arrow)"
        ) from None
    return pyspark.sql


def require_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return
    if shutil.which("java") is None:
        raise DatacoupleError(
            "the spark engine needs a Java runtime (17 or newer): install one (e.g. apt-get "
            "install openjdk-17-jre-headless) or set JAVA_HOME (or use --engine arrow)"
        )


@contextmanager
def spark_session(master: str | None = None) -> Iterator:
    """The active SparkSession if the caller has one (left running), else a new one on
    `master` (default local[*]) that is stopped afterwards."""
    sql = require_pyspark()
    active = sql.SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    require_java()
    master = master or DEFAULT_MASTER
    if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # Local workers are new Python processes: they must be this interpreter (with
        # datacouple and pyarrow importable), not whatever `python3` is on PATH.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    logging = Path(__file__).with_name("log4j2.properties")
    builder = (sql.SparkSession.builder.master(master).appName("datacouple fingerprint")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.extraJavaOptions",
                       f"-Dlog4j2.configurationFile=file:{logging}"))
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Py4J/JVM start-up failures: one line, the first of theirs
        raise DatacoupleError(f"cannot start Spark on {master}: {first_line(error)}") from None
    session.sparkContext.setLogLevel("FATAL")  # as in log4j2.properties
    try:
        yield session
    finally:
        session.stop()


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
