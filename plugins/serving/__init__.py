from .serving import register  # noqa: F401
