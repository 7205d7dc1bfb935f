"""themeqa: a keyboard-first terminal workbench for qualitative thematic analysis."""

__version__ = "0.1.0"
