"""The version of corpuskit (one place: the package, saved topic models and setup.cfg read it).

>>> from corpuskit.version import __version__
"""
__version__ = "0.2.0"
