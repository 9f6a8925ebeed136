"""Helpers the tests share: small stores with known answers, fake services, frames, paths.

Tests import from here, never from another test module or a conftest.py (fixtures stay in conftest.py).
"""
