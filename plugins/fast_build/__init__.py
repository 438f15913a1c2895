from .fast_build import register  # noqa: F401
