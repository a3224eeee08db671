"""The terminal app (Textual). The only package that imports textual; it holds no domain rules.

Entry points: `trainer.ui.app.run_app(args, lang)` (used by `trainer play`) and `trainer.ui.app.create_app(options)`
(the factory the tests reuse). See docs/klaslokaal.md for serving it in a browser.
"""
