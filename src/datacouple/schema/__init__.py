"""The declared Pandera schema: load and canonicalise it (loading, declared, canonical,
dtypes), validate data against it batch by batch (validation), infer a starting one (inference).

Import from the modules: this package imports nothing itself, so that the fingerprint's hot
path and `datacouple --help` do not pay for importing pandera.
"""
