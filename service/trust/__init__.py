"""Editorial trust: where each summary line comes from, facts the article does not support, the glossary.

Pure functions over text: nothing here imports the digest pipeline or the app.
"""
