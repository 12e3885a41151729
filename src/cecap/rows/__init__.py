"""Rows step: what each command shows, as one Table type that every format renders."""
