"""The web platform."""
