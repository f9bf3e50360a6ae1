"""MLflow lineage: which dataset versions trained which runs and registered model versions.

The only package of datacouple that imports mlflow; its modules import it themselves, so
importing `datacouple` (or this package) stays free of mlflow.
"""
