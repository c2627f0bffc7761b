"""Evaluation against gold question sets: loading gold files and scoring answers."""
