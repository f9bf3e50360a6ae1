"""The spark engine: the arrow engine's column profilers run inside Spark, one partition each,
and their mergeable states are merged on the driver (docs/spark.md).

Nothing here imports pyspark at import time: `import datacouple` must work without it, and a
Spark DataFrame is recognised by its type's module name (frames.py).
"""
