"""Sanctions and eligibility screening service."""
