"""External speech recognizers used by Aclipse Web's evaluation (never in a training loss)."""

__version__ = "1.0.0"
