"""The declared Pandera schema: load and canonicalise it (loading, declared, canonical,
dtypes), validate data against it batch by batch (validation), infer a starting one (inference).

Import from the modules: this package imports nothing itself, so that the fingerprint's hot
path and `datacouple --help` do not pay for importing pandera.
"""

import warnings

# pandera imports pyspark.pandas when pyspark is installed, and pyspark warns about pandas 3 on
# every import (it works: DESIGN.md). Filtered here, before any module of this package imports
# pandera, so that a one-line error stays one line.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                        category=FutureWarning)
