"""Sphinx configuration of corpuskit's documentation (docs/README.md says how to build it)."""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # the corpuskit beside these docs, installed or not

from corpuskit.version import __version__  # noqa: E402

project = "corpuskit"
author = "The corpuskit developers"
copyright = "the corpuskit developers, MIT License"
version = release = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "myst_nb", "corpuskit_ref"]

# the notebooks are committed with their outputs: render them, never execute them
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

exclude_patterns = ["_build", "README.md"]
root_doc = "index"

# warnings are errors in CI (-W); every cross-reference must resolve (corpuskit_ref resolves re-exports
# and accepts references to pandas, numpy and the standard library, which need intersphinx and so a network)
nitpicky = True

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autoclass_content = "class"

# corpuskit's docstrings are numpy-style sections with free-text types ("smooth : a constant added ..."):
# napoleon renders the type as text (use_param/use_rtype False) instead of cross-referencing each word
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_param = False
napoleon_use_rtype = False
napoleon_use_ivar = True
# "Attributes" sections list fitted attributes with free-text types, rendered like parameters; "Returns"
# sections are sentences (a table's columns), rendered as written (see corpuskit_ref.loose_numpy_sections)
napoleon_custom_sections = [("Attributes", "params_style"), "Returns", "Yields", "Fitted attributes"]

html_theme = "alabaster"
html_title = f"corpuskit {release}"
html_static_path = []
html_theme_options = {"description": "dated text: lossless cleaning, tokens, topics, stance and framing shift",
                      "fixed_sidebar": False, "page_width": "1180px"}
