"""A corpus of realistic feature-pipeline mutations of real public tables, with the changes the
diff must report (see mutations.py), measured by tests/test_corpus.py."""
