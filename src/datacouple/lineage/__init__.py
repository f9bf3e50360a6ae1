"""MLflow lineage: the dvc dataset source, logging and its journal, the lineage graph, and the
lineage view (the only package that imports mlflow; importing `datacouple` itself does not)."""
