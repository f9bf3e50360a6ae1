"""How datacouple calls pandera: quietly, and with errors cut to one line."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


@contextlib.contextmanager
def quiet_warnings() -> Iterator[None]:
    # pandera reports `raise_warning` checks and deprecations through `warnings`; datacouple
    # output (JSON on stdout, one-line errors on stderr) must stay clean of them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
