"""The declared Pandera schema: load and canonicalise it (loading, declared, canonical,
dtypes), validate data against it batch by batch (validation), infer a starting one (inference).

Import from the modules: this package imports nothing itself, so that the fingerprint's hot
path and `datacouple --help` do not pay for importing pandera.
"""

import warnings

# pandera imports pyspark.pandas whenever pyspark is installed (datacouple's spark extra), and
# pyspark warns on that import that it does not yet support pandas 3: noise on stderr for
# every command that reads a schema, where datacouple promises one-line errors.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                        category=FutureWarning)
