"""Domain logic of the Yingkou news archive.

Nothing in this package imports Pelican: the rules for articles, the
vocabulary, Chinese tokenization and digest parsing are plain Python, so
they can be tested alone and shared by the build, ``invoke check`` and the
importer.
"""
