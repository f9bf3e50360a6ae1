"""MLflow lineage: the dvc dataset source, logging and its journal (the only package that
imports mlflow; importing `datacouple` itself does not)."""
