"""MLflow lineage: the only package that imports mlflow (DESIGN.md, "Lineage")."""
