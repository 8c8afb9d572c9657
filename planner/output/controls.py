"""Terminal control characters in text users supplied (a spec's name, a law file's caveat),
shown instead of obeyed. Its own module so that both the plain streams and the tables use it
without importing each other; must import nothing.
"""

CONTROL = {code: f"\\x{code:02x}" for code in (*range(0, 9), *range(11, 32), 127, *range(128, 160))}
"""Control characters but tab and newline, shown as \\x1b and the like instead of obeyed."""


def clean(text: str) -> str:
    """Text with terminal control characters shown, not obeyed (no escape sequences in CI logs)."""
    return text if text.isprintable() else text.translate(CONTROL)
