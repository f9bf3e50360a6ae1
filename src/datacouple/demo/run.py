"""`datacouple demo` as a library call: where the project lives, what happens after the story."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .project import inside
from .story import tell


def run_demo(directory: str | None, keep: bool, ui_port: int | None,
             out: Callable[[str], None] = print) -> int:
    """Tell the story in `directory` (default: a new temp dir, removed afterwards unless
    `keep`); with `ui_port`, then serve the lineage view on the demo's store until Ctrl-C."""
    root = Path(directory).resolve() if directory else \
        Path(tempfile.mkdtemp(prefix="datacouple-demo-"))
    removable = directory is None and not keep
    try:
        project = tell(root, out)
        if ui_port is not None:
            from ..lineage.server import run_ui
            with inside(project):
                return run_ui("127.0.0.1", ui_port, project.env["MLFLOW_TRACKING_URI"],
                              repo_root=str(root), echo=out)
        if not removable:
            out(f"The project stays in {root} (every command's full output: "
                f"{project.log}): cd there and try `datacouple lineage` or `datacouple ui`.")
        return 0
    finally:
        if removable:
            shutil.rmtree(root, ignore_errors=True)
