"""The pre-merge check: compare every configured dataset's committed fingerprint between a base
revision and the head (run.py), name the model versions each change affects (through the lineage
layer), honour acknowledgements (acks.py), and find the commit that introduced a change
(blame.py). Reports in report.py; revisions (the base, merge-bases, shallow clones) in
revisions.py.
"""
