"""Shared core of the SME financing matchmaking platform."""
