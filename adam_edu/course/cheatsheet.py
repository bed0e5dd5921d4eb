"""The numbers the cheat sheet quotes, computed (a placeholder until they are wired to adam_edu)."""


def cheatsheet_numbers() -> dict[str, float]:
    return {}
