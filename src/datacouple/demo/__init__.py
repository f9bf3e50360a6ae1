"""`datacouple demo`: the bundled example told as a story, in a fresh git + DVC project."""
