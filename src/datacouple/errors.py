"""The one error type users see: a one-line, actionable cause that maps to exit code 2."""


class DatacoupleError(Exception):
    """Bad input or usage. The message is shown as-is on one line; the CLI exits with 2."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
