"""A password or access token that cannot leak through repr, logs or tracebacks."""

from __future__ import annotations


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: call this only where it is handed to docker."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def reveal(secret: Secret | str | None) -> str:
    return secret.reveal() if isinstance(secret, Secret) else (secret or "")
