"""Sizes and ages written the way the docker CLI writes them ("150MB", "2 minutes ago")."""

from __future__ import annotations

_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def size(num_bytes: float) -> str:
    """Decimal units, three significant digits, no space: docker's `images` SIZE column."""
    value = float(num_bytes)
    unit = 0
    while value >= 1000 and unit < len(_UNITS) - 1:
        value /= 1000
        unit += 1
    return f"{value:.3g}{_UNITS[unit]}"


def spaced_size(num_bytes: float) -> str:
    """The same, with a space before the unit, for sentences ("uploaded 1.2 MB")."""
    text = size(num_bytes)
    number = text.rstrip("kMGTPB")
    return f"{number} {text[len(number):]}"


def duration(seconds: float) -> str:
    """A rough duration: "Less than a second", "About a minute", "3 hours", "2 weeks"."""
    seconds = int(seconds)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // (24 * 7)} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // (24 * 30)} months"
    return f"{seconds // (3600 * 24 * 365)} years"


def age(created: float, now: float) -> str:
    return f"{duration(now - created)} ago"
