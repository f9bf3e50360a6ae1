"""Stage `raw`: the source system's export, here the Hitters table that the ISLP package ships.

Copied byte for byte, so DVC's hash of data/raw/hitters.csv is the hash of that public file.
"""

import importlib.util
import shutil
import sys
from pathlib import Path


def main(target: str) -> None:
    spec = importlib.util.find_spec("ISLP")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the ISLP package is missing: run `make setup` (pip install --no-deps ISLP)")
    source = Path(spec.submodule_search_locations[0]) / "data" / "Hitters.csv"
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


if __name__ == "__main__":
    main(sys.argv[1])
