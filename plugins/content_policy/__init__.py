from .content_policy import register  # noqa: F401
