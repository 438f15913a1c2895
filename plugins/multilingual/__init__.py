from .multilingual import register  # noqa: F401
