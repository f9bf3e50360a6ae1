"""The declared Pandera schema: load and canonicalise it (loading, declared, canonical,
dtypes), validate data against it batch by batch (validation), infer a starting one (inference).

Import from the modules: this package imports nothing itself, so that the fingerprint's hot
path and `datacouple --help` do not pay for importing pandera.
"""

import warnings

# pandera imports pyspark.pandas when pyspark is installed (the spark extra), and pyspark warns
# about pandas 3 on that import: it works (DESIGN.md), and the warning would be a second line
# above every one-line error and every command's output.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                        category=FutureWarning)
