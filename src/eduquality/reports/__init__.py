"""Renderers: Excel, PDF and HTML reports."""
